<?php

namespace App\Console;

use Illuminate\Console\Scheduling\Schedule;
use Illuminate\Foundation\Console\Kernel as ConsoleKernel;

class Kernel extends ConsoleKernel
{
    protected $commands = [
        \App\Console\SetupCommand::class,
        \App\Console\RemindCommand::class,
    ];

    protected function schedule(Schedule $schedule): void
    {
        $schedule->command('invoices:remind')->everyMinute();
        $schedule->call(static function (): void {
            throw new \RuntimeException('the report server is down');
        })->everyMinute()->name('reports:send');
    }
}
