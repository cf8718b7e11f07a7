<?php

namespace Perfwatch\Laravel\Facades;

use Illuminate\Support\Facades\Facade;

/**
 * @method static mixed measure(string $operation, callable $work, int|callable|null $bytes = null)
 * @method static void recordException(\Throwable $e, ?string $route = null)
 * @method static bool heartbeat()
 * @method static bool flush(bool $always = false)
 *
 * @see \Perfwatch\Laravel\Perfwatch
 */
class Perfwatch extends Facade
{
    protected static function getFacadeAccessor(): string
    {
        return \Perfwatch\Laravel\Perfwatch::class;
    }
}
