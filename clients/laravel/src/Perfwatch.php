<?php

namespace Perfwatch\Laravel;

use Closure;
use Throwable;

/**
 * Collects one unit of work's events (an HTTP request, a queue job, a console command) and sends them
 * to Perfwatch in one batch when the unit ends: after the response, with a short timeout. Nothing here
 * throws into the app; what could not be sent is counted and reported with the next batch that gets
 * through, never retried.
 */
class Perfwatch
{
    public const UNMATCHED_ROUTE = '__unmatched__';

    /** @var array<int, array<string, mixed>> */
    private array $events = [];

    /** Indexes of query events waiting for their request's route (routing happens after the first queries). */
    private array $routeless = [];

    /** Events this unit could not keep (over max_events). */
    private int $overflow = 0;

    /** The current request or job: kind, route, id, query count, start time. */
    private ?array $unit = null;

    private bool $warned = false;

    /** Totals of this process, for tests and the benchmark. */
    public array $stats = ['batches' => 0, 'sent' => 0, 'unsent' => 0, 'rejected' => 0];

    /**
     * @param array $config config('perfwatch')
     * @param Closure|null $warn called once per process with the reason a send failed
     */
    public function __construct(
        private Transport $transport,
        private array $config,
        private ?CallSite $callSites,
        private ?string $unsentFile,
        private ?Closure $warn = null,
    ) {
    }

    public function enabled(): bool
    {
        return (bool) ($this->config['enabled'] ?? true);
    }

    // --- Units of work -------------------------------------------------------------------------

    public function beginRequest(): void
    {
        $this->flush();
        $this->unit = ['kind' => 'request', 'route' => null, 'id' => bin2hex(random_bytes(8)), 'queries' => 0];
    }

    /** Ends the request: records it with its route template, then sends the batch. */
    public function endRequest(string $method, string $route, int $status, float $durationMs, ?int $requestBytes, ?int $responseBytes, ?Throwable $exception): void
    {
        $this->setRoute($route);
        $event = [
            'kind' => 'request',
            'method' => $method,
            'route' => $route,
            'status' => $status,
            'durationMs' => round($durationMs, 3),
            'queryCount' => $this->unit['queries'] ?? 0,
            'memoryPeakBytes' => memory_get_peak_usage(),
        ];
        if ($requestBytes !== null) {
            $event['requestBytes'] = $requestBytes;
        }
        if ($responseBytes !== null) {
            $event['responseBytes'] = $responseBytes;
        }
        $this->push($event);
        if ($exception !== null) {
            $this->recordException($exception, $route);
        }
        $this->unit = null;
        $this->flush();
    }

    /** A job started: its queries are attributed to `queue:JobName` and grouped by the job's id for N+1. */
    public function beginJob(string $queue, string $jobName, ?string $id, ?float $pushedAt): void
    {
        $this->flush();
        $this->unit = [
            'kind' => 'job',
            'route' => $queue.':'.$jobName,
            'id' => $id ?? bin2hex(random_bytes(8)),
            'queries' => 0,
            'queue' => $queue,
            'jobName' => $jobName,
            'started' => microtime(true),
            'pushedAt' => $pushedAt,
        ];
    }

    /** Ends the current job with its outcome (completed, failed, retried) and sends the batch. */
    public function endJob(string $status, string $queue, string $jobName): void
    {
        $unit = $this->unit !== null && $this->unit['kind'] === 'job' ? $this->unit : null;
        $now = microtime(true);
        $event = [
            'kind' => 'job',
            'queue' => $queue,
            'jobName' => $jobName,
            'status' => $status,
            'durationMs' => $unit ? round(($now - $unit['started']) * 1000, 3) : 0,
            'time' => (int) round($now * 1000),
        ];
        if ($unit) {
            $event['queryCount'] = $unit['queries'];
            if ($unit['pushedAt'] !== null) {
                $event['waitMs'] = round(max(0, $unit['started'] - $unit['pushedAt']) * 1000, 3);
            }
        }
        $this->push($event);
        $this->unit = null;
        $this->flush();
    }

    public function setRoute(string $route): void
    {
        if ($this->unit !== null) {
            $this->unit['route'] = $route;
        }
        foreach ($this->routeless as $i) {
            $this->events[$i]['route'] = $route;
        }
        $this->routeless = [];
    }

    // --- Events --------------------------------------------------------------------------------

    public function recordQuery(string $driver, ?string $database, string $sql, float $durationMs): void
    {
        $max = (int) ($this->config['max_sql_length'] ?? 10000);
        $event = [
            'kind' => 'query',
            'dbSystem' => self::dbSystem($driver),
            'sql' => strlen($sql) > $max ? substr($sql, 0, $max) : $sql,
            'durationMs' => round($durationMs, 3),
            'time' => (int) round(microtime(true) * 1000),
        ];
        if ($database !== null && $database !== '') {
            $event['database'] = substr($database, 0, 128);
        }
        if ($this->callSites !== null && ($site = $this->callSites->find()) !== null) {
            $event['callSite'] = substr($site, 0, 512);
        }
        if ($this->unit !== null) {
            $this->unit['queries']++;
            $event['requestId'] = $this->unit['id'];
            if ($this->unit['route'] !== null) {
                $event['route'] = $this->unit['route'];
            }
        }
        $index = $this->push($event);
        if ($index !== null && $this->unit !== null && $this->unit['route'] === null) {
            $this->routeless[] = $index;
        }
    }

    /** An exception the app raised; counted by class and route in http_server_errors_total. */
    public function recordException(Throwable $e, ?string $route = null): void
    {
        $event = ['kind' => 'exception', 'errorClass' => substr(get_class($e), 0, 128)];
        $route ??= ($this->unit['kind'] ?? null) === 'request' ? $this->unit['route'] : null;
        if ($route !== null) {
            $event['route'] = $route;
        }
        $this->push($event);
    }

    /** A run of a scheduled task: success, failed or skipped. */
    public function recordScheduledTask(string $task, string $status, float $durationMs): void
    {
        $this->push([
            'kind' => 'schedule',
            'task' => substr($task, 0, 128),
            'status' => $status,
            'durationMs' => round($durationMs, 3),
            'time' => (int) round(microtime(true) * 1000),
        ]);
    }

    public function recordQueueDepth(string $queue, string $state, int $depth): void
    {
        $this->push(['kind' => 'queue_depth', 'queue' => $queue, 'state' => $state, 'depth' => max(0, $depth)]);
    }

    public function recordFileOperation(string $operation, string $status, float $durationMs, ?int $bytes = null): void
    {
        $event = ['kind' => 'file_operation', 'operation' => $operation, 'status' => $status, 'durationMs' => round($durationMs, 3)];
        if ($bytes !== null) {
            $event['bytes'] = max(0, $bytes);
        }
        $this->push($event);
    }

    /**
     * Times a file operation (upload, bundle, compress, patch, …) and returns what $work returns.
     * $bytes is a byte count, or a function of $work's result that gives one. A throw is recorded as
     * status "error" and rethrown.
     */
    public function measure(string $operation, callable $work, int|callable|null $bytes = null): mixed
    {
        $start = hrtime(true);
        try {
            $result = $work();
        } catch (Throwable $e) {
            $this->recordFileOperation($operation, 'error', (hrtime(true) - $start) / 1e6, is_int($bytes) ? $bytes : null);
            throw $e;
        }
        $ms = (hrtime(true) - $start) / 1e6;
        $this->recordFileOperation($operation, 'ok', $ms, is_callable($bytes) ? (int) $bytes($result) : $bytes);

        return $result;
    }

    // --- Sending -------------------------------------------------------------------------------

    /** Sends a batch that holds only the app's name: Perfwatch records it as the app's heartbeat. */
    public function heartbeat(): bool
    {
        return $this->flush(true);
    }

    /**
     * Sends what the unit collected, in one POST. Returns whether the batch got through. With
     * $always, an empty batch is sent too (the heartbeat).
     */
    public function flush(bool $always = false): bool
    {
        $events = $this->events;
        $overflow = $this->overflow;
        $this->events = [];
        $this->routeless = [];
        $this->overflow = 0;
        if ($events === [] && !$always && $overflow === 0) {
            return true;
        }
        if (!$this->enabled()) {
            return true;
        }
        $carried = $this->takeUnsent();
        $batch = ['app' => (string) ($this->config['app'] ?? 'laravel'), 'events' => $events];
        if ($carried + $overflow > 0) {
            $batch['unsent'] = $carried + $overflow;
        }
        $result = $this->transport->send($batch);
        $this->stats['batches']++;
        if ($result['ok']) {
            $this->stats['sent'] += count($events) - $result['rejected'];
            $this->stats['rejected'] += $result['rejected'];
            if ($result['rejected'] > 0) {
                $this->warnOnce();
            }

            return true;
        }
        $this->stats['unsent'] += count($events);
        $before = $this->addUnsent($carried + $overflow + count($events));
        // Once per outage, not once per request: PHP forgets everything between requests, the unsent
        // counter on disk does not. Logging on every request would also cost every request a log write.
        if ($carried === 0 && $before === 0) {
            $this->warnOnce();
        }

        return false;
    }

    /** @return int|null the event's index in the batch, or null when the unit is over max_events */
    private function push(array $event): ?int
    {
        if (!$this->enabled()) {
            return null;
        }
        if (count($this->events) >= (int) ($this->config['max_events'] ?? 1000)) {
            $this->overflow++;

            return null;
        }
        $this->events[] = $event;

        return count($this->events) - 1;
    }

    private function warnOnce(): void
    {
        if ($this->warned || $this->warn === null) {
            return;
        }
        $this->warned = true;
        try {
            ($this->warn)('Perfwatch: events not delivered: '.($this->transport->lastError ?? 'unknown error'));
        } catch (Throwable) {
            // A broken logger must not break the app either.
        }
    }

    /** Reads and zeroes the unsent count kept across requests; 0 when there is none. */
    private function takeUnsent(): int
    {
        if ($this->unsentFile === null || !is_file($this->unsentFile)) {
            return 0;
        }

        return $this->withUnsentFile(static fn (int $n) => 0) ?? 0;
    }

    /** Adds to the unsent count kept across requests; returns the count before, 0 when unknown. */
    private function addUnsent(int $n): int
    {
        if ($this->unsentFile === null || $n <= 0) {
            return 0;
        }

        return $this->withUnsentFile(static fn (int $old) => $old + $n) ?? 0;
    }

    /** Rewrites the unsent count under a lock; returns the count it replaced. */
    private function withUnsentFile(Closure $update): ?int
    {
        $h = @fopen($this->unsentFile, 'c+');
        if ($h === false) {
            return null;
        }
        try {
            if (!flock($h, LOCK_EX)) {
                return null;
            }
            $old = (int) stream_get_contents($h);
            $new = $update($old);
            ftruncate($h, 0);
            rewind($h);
            if ($new > 0) {
                fwrite($h, (string) $new);
            }
            fflush($h);
            flock($h, LOCK_UN);

            return $old;
        } finally {
            fclose($h);
        }
    }

    // --- Naming --------------------------------------------------------------------------------

    /** A Laravel route URI (`invoices/{id}`) as a route template Perfwatch matches SLAs on (`/invoices/{id}`). */
    public static function routeTemplate(?string $uri): string
    {
        if ($uri === null || $uri === '') {
            return self::UNMATCHED_ROUTE;
        }

        return '/'.ltrim($uri, '/');
    }

    /** Laravel's driver name → the OpenTelemetry db.system value. */
    public static function dbSystem(string $driver): string
    {
        return match ($driver) {
            'mysql' => 'mysql',
            'mariadb' => 'mariadb',
            'pgsql' => 'postgresql',
            'sqlite' => 'sqlite',
            'sqlsrv' => 'mssql',
            default => $driver,
        };
    }

    /** A scheduled task's name: its description, else its artisan command without the PHP binary. */
    public static function taskName(?string $description, ?string $command): string
    {
        if ($description !== null && $description !== '') {
            return $description;
        }
        if ($command === null || $command === '') {
            return 'closure';
        }
        $name = preg_replace('/^.*?[\'"]?artisan[\'"]?\s+/', '', $command) ?? $command;

        return trim(preg_replace('/\s*>.*$/', '', $name) ?? $name);
    }
}
