/**
 * Background-work health checks: Laravel queues and schedules (through Redis or the database) and BullMQ
 * queues.
 */
import type { Queue } from 'bullmq';
import { abortable, targetOf, type Timing } from './check-support';
import { withFreshRedis } from './database-checks';
import { type HealthCheck, HealthCheckFailure, type HealthDetails } from './registry';

export interface LaravelQueueCheckOptions extends Timing {
  url: string;
  /** The queue's name (Laravel's `default` unless the job names another). */
  queue: string;
  /**
   * Prepended to every key by the app's Redis connection (`database.redis.options.prefix`, which
   * Laravel 8 sets to `<app_name>_database_` by default); empty when the app sets none.
   */
  prefix?: string;
  /** Down when more jobs than this wait (default: no limit). */
  maxWaiting?: number;
}

/**
 * Depth of a Laravel queue on Redis, read the way Illuminate\Queue\RedisQueue stores it: the list
 * `queues:<name>` holds waiting jobs, the sorted sets `queues:<name>:delayed` and `:reserved` the
 * delayed ones and those a worker holds. Down when more than `maxWaiting` wait.
 */
export function laravelQueueCheck(name: string, opts: LaravelQueueCheckOptions): HealthCheck {
  const key = `${opts.prefix ?? ''}queues:${opts.queue}`;
  return {
    name,
    type: 'laravel-queue',
    target: `${targetOf(opts.url)} ${key}`,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    run(signal) {
      return withFreshRedis(opts.url, opts, signal, async (client, guard) => {
        const [waiting, delayed, reserved] = await guard(
          Promise.all([client.llen(key), client.zcard(`${key}:delayed`), client.zcard(`${key}:reserved`)]),
        );
        const details: HealthDetails = { queue: opts.queue, waiting, delayed, reserved };
        if (opts.maxWaiting !== undefined && waiting > opts.maxWaiting)
          throw new HealthCheckFailure(`${waiting} jobs waiting, more than ${opts.maxWaiting}`, details);
        return details;
      });
    },
  };
}

export interface ScheduleCheckOptions extends Timing {
  /** The task as the app reports it in its `schedule` events. */
  task: string;
  /** Down when the task has not succeeded for longer than this (its interval plus slack). */
  maxAgeMs: number;
  /** Unix seconds of the task's last recorded success (Recorder.lastScheduledSuccess). */
  lastSuccess: (task: string) => number | undefined;
  /** When the service started (epoch ms): a task is given maxAgeMs from then to report a first run. */
  startedAt: number;
  now?: () => number;
}

/**
 * A scheduled task (Laravel's scheduler, a cron job) that has not succeeded within its expected
 * interval fails. Runs are reported through POST /api/v1/events, so a dead scheduler, a task that
 * keeps failing and an app that stopped reporting look the same here: nothing succeeded lately.
 */
export function scheduleCheck(name: string, opts: ScheduleCheckOptions): HealthCheck {
  const now = opts.now ?? Date.now;
  return {
    name,
    type: 'schedule',
    target: opts.task,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    run() {
      const last = opts.lastSuccess(opts.task);
      const t = now();
      const maxAgeSeconds = Math.round(opts.maxAgeMs / 1000);
      if (last === undefined) {
        const details: HealthDetails = { task: opts.task, lastSuccessAt: null, maxAgeSeconds };
        if (t - opts.startedAt > opts.maxAgeMs)
          return Promise.reject(
            new HealthCheckFailure(`no successful run reported in the last ${maxAgeSeconds} s`, details),
          );
        return Promise.resolve(details);
      }
      const ageSeconds = Math.max(0, Math.round(t / 1000 - last));
      const details: HealthDetails = {
        task: opts.task,
        lastSuccessAt: new Date(last * 1000).toISOString(),
        ageSeconds,
        maxAgeSeconds,
      };
      if (t - last * 1000 > opts.maxAgeMs)
        return Promise.reject(
          new HealthCheckFailure(
            `last successful run ${ageSeconds} s ago, more than ${maxAgeSeconds} s`,
            details,
          ),
        );
      return Promise.resolve(details);
    },
  };
}

export interface BullmqCheckOptions extends Timing {
  /** Down when more jobs than this are waiting (default: no limit). */
  maxWaiting?: number;
  /** Down when jobs are waiting and no worker is connected (default true). */
  requireWorkers?: boolean;
}

/** Active jobs looked at for a lost lock; a queue with more in flight is sampled. */
const STALLED_SAMPLE = 200;

/**
 * Liveness of a BullMQ queue: down when it is paused, when active jobs have lost their lock (their
 * worker died: BullMQ's definition of stalled), when jobs wait and no worker is connected, or when
 * more than `maxWaiting` wait. Pass the app's Queue, or `{ url, queue, prefix }` for the service.
 */
export function bullmqCheck(
  name: string,
  opts: ({ queue: Queue } | { url: string; queue: string; prefix?: string }) & BullmqCheckOptions,
): HealthCheck {
  let owned: Queue | undefined;
  const queueOf = async (): Promise<Queue> => {
    if (typeof opts.queue !== 'string') return opts.queue;
    if (!owned) {
      const { Queue: BullQueue } = await import('bullmq');
      const url = (opts as { url: string }).url;
      // Fail fast while Redis is away instead of queueing commands until it returns.
      owned = new BullQueue(opts.queue, {
        connection: { url, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        prefix: (opts as { prefix?: string }).prefix,
      });
      owned.on('error', () => undefined);
    }
    return owned;
  };
  return {
    name,
    type: 'bullmq',
    target:
      typeof opts.queue === 'string'
        ? `${targetOf((opts as { url: string }).url)} ${(opts as { prefix?: string }).prefix ?? 'bull'}:${opts.queue}`
        : opts.queue.name,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      const queue = await queueOf();
      const look = async (): Promise<HealthDetails> => {
        const [paused, counts, active, workers] = await Promise.all([
          queue.isPaused(),
          queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
          queue.getActive(0, STALLED_SAMPLE - 1),
          // CLIENT LIST may be disabled on managed Redis: then the worker count is unknown.
          queue.getWorkersCount().catch(() => null),
        ]);
        // BullMQ's own definition of stalled: active, but its worker no longer renews the job's lock.
        const client = await queue.getBackend().client;
        const stalled = await Promise.all(
          active.map(
            async (j) =>
              (await client.get(`${queue.toKey(j.id!)}:lock`)) === null &&
              // Still active: a job that just completed has dropped its lock too.
              (await client.lpos(queue.toKey('active'), j.id!)) !== null,
          ),
        );
        return {
          paused,
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          stalled: stalled.filter(Boolean).length,
          workers,
        };
      };
      const d = await abortable(signal, look(), () => undefined);
      const waiting = d.waiting as number;
      if (d.paused) throw new HealthCheckFailure('queue is paused', d);
      if ((d.stalled as number) > 0)
        throw new HealthCheckFailure(
          `${String(d.stalled)} active job(s) lost their lock: their worker is gone`,
          d,
        );
      if ((opts.requireWorkers ?? true) && d.workers === 0 && waiting > 0)
        throw new HealthCheckFailure(`${waiting} job(s) waiting and no worker connected`, d);
      if (opts.maxWaiting !== undefined && waiting > opts.maxWaiting)
        throw new HealthCheckFailure(`${waiting} jobs waiting, more than ${opts.maxWaiting}`, d);
      return d;
    },
    async close() {
      await owned?.close();
    },
  };
}
