<?php

namespace Perfwatch\Laravel;

use Illuminate\Console\Events\ScheduledTaskFailed;
use Illuminate\Console\Events\ScheduledTaskFinished;
use Illuminate\Console\Events\ScheduledTaskSkipped;
use Illuminate\Console\Events\ScheduledTaskStarting;
use Illuminate\Console\Scheduling\Schedule;
use Illuminate\Contracts\Http\Kernel as HttpKernel;
use Illuminate\Database\Events\QueryExecuted;
use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\Events\JobProcessed;
use Illuminate\Queue\Events\JobProcessing;
use Illuminate\Queue\Queue;
use Illuminate\Support\ServiceProvider;
use Perfwatch\Laravel\Console\HeartbeatCommand;
use Perfwatch\Laravel\Middleware\RecordRequest;

/**
 * Wires the client into Laravel: the request middleware, DB::listen for every query, the queue
 * worker's job events (with the wait from the time the job was pushed), the scheduler's task
 * outcomes and a heartbeat every minute.
 */
class PerfwatchServiceProvider extends ServiceProvider
{
    /** The payload key holding when a job was pushed (Laravel 8 payloads carry no such time). */
    public const PUSHED_AT = 'perfwatchPushedAt';

    public function register(): void
    {
        $this->mergeConfigFrom(__DIR__.'/../config/perfwatch.php', 'perfwatch');

        $this->app->singleton(Perfwatch::class, function ($app) {
            $config = (array) $app['config']->get('perfwatch', []);
            $transport = new Transport(
                (string) ($config['url'] ?? 'http://127.0.0.1:9470'),
                isset($config['token']) ? (string) $config['token'] : null,
                (int) ($config['timeout_ms'] ?? 200),
                (int) ($config['connect_timeout_ms'] ?? 100),
            );
            $callSites = ($config['call_sites'] ?? true)
                ? new CallSite($app->basePath(), (array) ($config['vendor_paths'] ?? []))
                : null;
            $unsent = $config['unsent_file'] ?? $app->storagePath().'/framework/perfwatch-unsent';
            $warn = static function (string $message) use ($app): void {
                if ($app->bound('log')) {
                    $app['log']->warning($message);
                } else {
                    error_log($message);
                }
            };

            return new Perfwatch($transport, $config, $callSites, $unsent, $warn);
        });
        // terminate() must run on the instance whose handle() measured the request.
        $this->app->singleton(RecordRequest::class);
    }

    public function boot(): void
    {
        $this->publishes([__DIR__.'/../config/perfwatch.php' => $this->app->configPath('perfwatch.php')], 'perfwatch-config');
        if ($this->app->runningInConsole()) {
            $this->commands([HeartbeatCommand::class]);
        }
        if (!$this->app['config']->get('perfwatch.enabled', true)) {
            return;
        }
        $perfwatch = $this->app->make(Perfwatch::class);

        if ($this->app['config']->get('perfwatch.middleware', true) && $this->app->bound(HttpKernel::class)) {
            $kernel = $this->app->make(HttpKernel::class);
            // Outermost, so the time of every other middleware counts.
            if (method_exists($kernel, 'prependMiddleware')) {
                $kernel->prependMiddleware(RecordRequest::class);
            }
        }

        $events = $this->app['events'];
        $events->listen(QueryExecuted::class, static function (QueryExecuted $e) use ($perfwatch): void {
            $perfwatch->recordQuery($e->connection->getDriverName(), $e->connection->getDatabaseName(), $e->sql, (float) $e->time);
        });

        Queue::createPayloadUsing(static fn () => [self::PUSHED_AT => microtime(true)]);
        $events->listen(JobProcessing::class, static function (JobProcessing $e) use ($perfwatch): void {
            $payload = $e->job->payload();
            $pushedAt = isset($payload[self::PUSHED_AT]) && is_numeric($payload[self::PUSHED_AT]) ? (float) $payload[self::PUSHED_AT] : null;
            $perfwatch->beginJob((string) $e->job->getQueue(), $e->job->resolveName(), $e->job->uuid() ?? $e->job->getJobId(), $pushedAt);
        });
        $events->listen(JobProcessed::class, static function (JobProcessed $e) use ($perfwatch): void {
            if (!$e->job->hasFailed()) {
                $perfwatch->endJob($e->job->isReleased() ? 'retried' : 'completed', (string) $e->job->getQueue(), $e->job->resolveName());
            }
        });
        // The worker marks a job failed (JobFailed) before it raises JobExceptionOccurred; a job that
        // threw and did not fail is released for another attempt. Their exceptions are not sent as
        // exception events: those count per HTTP route, and the job's status already says it failed.
        $events->listen(JobFailed::class, static function (JobFailed $e) use ($perfwatch): void {
            $perfwatch->endJob('failed', (string) $e->job->getQueue(), $e->job->resolveName());
        });
        $events->listen(JobExceptionOccurred::class, static function (JobExceptionOccurred $e) use ($perfwatch): void {
            if (!$e->job->hasFailed()) {
                $perfwatch->endJob('retried', (string) $e->job->getQueue(), $e->job->resolveName());
            }
        });

        $started = [];
        $events->listen(ScheduledTaskStarting::class, static function (ScheduledTaskStarting $e) use (&$started): void {
            $started[spl_object_id($e->task)] = microtime(true);
        });
        $events->listen(ScheduledTaskFinished::class, static function (ScheduledTaskFinished $e) use ($perfwatch): void {
            $status = ($e->task->exitCode ?? 0) === 0 ? 'success' : 'failed';
            $perfwatch->recordScheduledTask(Perfwatch::taskName($e->task->description, $e->task->command), $status, (float) $e->runtime * 1000);
            $perfwatch->flush();
        });
        $events->listen(ScheduledTaskFailed::class, static function (ScheduledTaskFailed $e) use ($perfwatch, &$started): void {
            $since = $started[spl_object_id($e->task)] ?? microtime(true);
            $perfwatch->recordScheduledTask(Perfwatch::taskName($e->task->description, $e->task->command), 'failed', (microtime(true) - $since) * 1000);
            $perfwatch->flush();
        });
        $events->listen(ScheduledTaskSkipped::class, static function (ScheduledTaskSkipped $e) use ($perfwatch): void {
            $perfwatch->recordScheduledTask(Perfwatch::taskName($e->task->description, $e->task->command), 'skipped', 0);
            $perfwatch->flush();
        });

        if ($this->app['config']->get('perfwatch.schedule_heartbeat', true)) {
            $this->callAfterResolving(Schedule::class, static function (Schedule $schedule): void {
                $schedule->command('perfwatch:heartbeat')->everyMinute()->name('perfwatch:heartbeat');
            });
        }

        // Console commands and anything outside a request or job: send what is left when the app ends.
        $this->app->terminating(static fn () => $perfwatch->flush());
    }
}
