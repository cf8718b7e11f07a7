<?php

namespace Perfwatch\Laravel\Middleware;

use Closure;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Http\Request;
use Illuminate\Routing\Route;
use Perfwatch\Laravel\Perfwatch;
use Symfony\Component\HttpFoundation\BinaryFileResponse;
use Symfony\Component\HttpFoundation\Response;
use Symfony\Component\HttpFoundation\StreamedResponse;
use Throwable;

/**
 * Times each request and sends its batch in terminate(), i.e. after the response went out (under
 * PHP-FPM Symfony's Response::send() has called fastcgi_finish_request() by then). Registered as a
 * singleton so terminate() sees the duration handle() measured.
 */
class RecordRequest
{
    private ?float $durationMs = null;

    public function __construct(private Perfwatch $perfwatch, private ExceptionHandler $handler)
    {
    }

    public function handle(Request $request, Closure $next): mixed
    {
        if (!$this->perfwatch->enabled()) {
            return $next($request);
        }
        $this->perfwatch->beginRequest();
        // From the start of the PHP request when known, so framework boot time counts as the user sees it.
        $start = defined('LARAVEL_START') ? LARAVEL_START : (float) $request->server('REQUEST_TIME_FLOAT', microtime(true));
        $response = $next($request);
        $this->durationMs = (microtime(true) - $start) * 1000;
        // Queries run by later middleware and the controller belong to the matched route.
        $this->perfwatch->setRoute($this->routeOf($request));

        return $response;
    }

    public function terminate(Request $request, mixed $response): void
    {
        if (!$this->perfwatch->enabled() || $this->durationMs === null) {
            return;
        }
        try {
            $this->perfwatch->endRequest(
                $request->getMethod(),
                $this->routeOf($request),
                $response instanceof Response ? $response->getStatusCode() : 200,
                $this->durationMs,
                $this->requestBytes($request),
                $this->responseBytes($response),
                $this->reportable($response),
            );
        } catch (Throwable) {
            // Measuring must never turn a served request into an error.
        } finally {
            $this->durationMs = null;
        }
    }

    private function routeOf(Request $request): string
    {
        $route = $request->route();

        return Perfwatch::routeTemplate($route instanceof Route ? $route->uri() : null);
    }

    private function requestBytes(Request $request): ?int
    {
        $length = $request->server('CONTENT_LENGTH');

        return is_numeric($length) ? (int) $length : null;
    }

    private function responseBytes(mixed $response): ?int
    {
        if ($response instanceof BinaryFileResponse) {
            return $response->getFile()->getSize() ?: null;
        }
        if ($response instanceof StreamedResponse || !$response instanceof Response) {
            return null;
        }
        $content = $response->getContent();

        return is_string($content) ? strlen($content) : null;
    }

    /** The exception the handler rendered into this response, if the app reports that kind (not 404s, validation…). */
    private function reportable(mixed $response): ?Throwable
    {
        $e = is_object($response) && property_exists($response, 'exception') ? $response->exception : null;
        if (!$e instanceof Throwable) {
            return null;
        }

        return $this->handler->shouldReport($e) ? $e : null;
    }
}
