<?php

namespace Perfwatch\Laravel;

/**
 * The first application frame on the stack, as `path/relative/to/base.php:line`: frames in vendor/,
 * in the configured vendor paths (Debian's /usr/share/php) and in this package are skipped, the way
 * Laravel Pulse locates slow queries.
 */
class CallSite
{
    /** Frames looked at: enough to get past Eloquent, the query builder and the event dispatcher. */
    private const FRAMES = 60;

    /** @var string[] */
    private array $skip;

    /** @param string[] $vendorPaths */
    public function __construct(private string $basePath, array $vendorPaths)
    {
        $this->basePath = rtrim($basePath, '/').'/';
        $this->skip = array_values(array_filter(array_merge(
            [$this->basePath.'vendor/', dirname(__DIR__).'/'],
            $vendorPaths,
        )));
    }

    public function find(): ?string
    {
        foreach (debug_backtrace(DEBUG_BACKTRACE_IGNORE_ARGS, self::FRAMES) as $frame) {
            $file = $frame['file'] ?? null;
            if ($file === null || $this->skipped($file)) {
                continue;
            }

            return $this->relative($file).':'.($frame['line'] ?? 0);
        }

        return null;
    }

    private function skipped(string $file): bool
    {
        foreach ($this->skip as $prefix) {
            if (strncmp($file, $prefix, strlen($prefix)) === 0) {
                return true;
            }
        }

        // Compiled Blade views and eval()'d code have no line worth showing.
        return str_contains($file, "eval()'d code");
    }

    private function relative(string $file): string
    {
        return strncmp($file, $this->basePath, strlen($this->basePath)) === 0
            ? substr($file, strlen($this->basePath))
            : $file;
    }
}
