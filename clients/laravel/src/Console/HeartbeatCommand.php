<?php

namespace Perfwatch\Laravel\Console;

use Illuminate\Console\Command;
use Illuminate\Contracts\Queue\Factory as QueueFactory;
use Illuminate\Queue\RedisQueue;
use Perfwatch\Laravel\Perfwatch;
use Throwable;

/**
 * Tells Perfwatch the app is alive, with the depth of the configured queues. The service provider
 * schedules it every minute (perfwatch.schedule_heartbeat), so an idle app keeps its heartbeat.
 */
class HeartbeatCommand extends Command
{
    protected $signature = 'perfwatch:heartbeat';

    protected $description = 'Send a heartbeat and queue depths to Perfwatch';

    public function handle(Perfwatch $perfwatch, QueueFactory $queues): int
    {
        self::reportQueues($perfwatch, $queues, (array) config('perfwatch.queues', []));
        $ok = $perfwatch->heartbeat();
        $this->line($ok ? 'heartbeat sent' : 'heartbeat not delivered');

        return $ok ? 0 : 1;
    }

    /**
     * Queue depth per state. Redis queues are read the way RedisQueue stores them: the list holds
     * waiting jobs, the sorted sets :delayed and :reserved the delayed ones and those a worker holds.
     * Other drivers give only a total, reported as waiting.
     */
    public static function reportQueues(Perfwatch $perfwatch, QueueFactory $queues, array $config): void
    {
        foreach ($config as $connection => $names) {
            foreach ((array) $names as $name) {
                try {
                    $queue = $queues->connection(is_string($connection) ? $connection : null);
                    if ($queue instanceof RedisQueue) {
                        $key = $queue->getQueue($name);
                        $redis = $queue->getConnection();
                        $perfwatch->recordQueueDepth($name, 'waiting', (int) $redis->llen($key));
                        $perfwatch->recordQueueDepth($name, 'delayed', (int) $redis->zcard($key.':delayed'));
                        $perfwatch->recordQueueDepth($name, 'active', (int) $redis->zcard($key.':reserved'));
                    } else {
                        $perfwatch->recordQueueDepth($name, 'waiting', (int) $queue->size($name));
                    }
                } catch (Throwable) {
                    // An unreachable queue backend shows as missing depth; the heartbeat still goes.
                }
            }
        }
    }
}
