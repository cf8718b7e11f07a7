/*
 * Health-check factories for common dependencies. Driver modules are loaded when a check first runs,
 * so an app that never checks MySQL never loads mysql2. Checks built from a URL open a connection per
 * run and close it (a real ping, including connecting, and nothing left open by a hung server);
 * checks built from the app's pool or client reuse it.
 */
import { statfs } from 'node:fs/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redactUrl } from '../redact-url';
import { type HealthCheck, HealthCheckFailure, type HealthDetails } from './registry';

type Timing = Pick<HealthCheck, 'intervalMs' | 'timeoutMs'>;

/**
 * The driver's own connect timeout: only a backstop, set past the check's timeout so the registry's
 * abort (with its clear "timed out after N ms") is what normally ends a hung run.
 */
const backstop = (t: Timing) => (t.timeoutMs ?? 30_000) + 1_000;

/** `host:port/db` of a URL, for display: never the user or password. */
function targetOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

/** Rejects when `signal` aborts, after running `onAbort` (close the socket the check opened). */
function abortable<T>(signal: AbortSignal, work: Promise<T>, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err as Error);
      },
    );
  });
}

interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** PostgreSQL: `select 1` on a fresh connection to `url`, or through the app's pg Pool. */
export function postgresCheck(
  name: string,
  opts: ({ url: string } | { pool: Queryable }) & Timing,
): HealthCheck {
  return {
    name,
    type: 'postgres',
    target: 'url' in opts ? targetOf(opts.url) : 'pool',
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      if ('pool' in opts) {
        await abortable(signal, opts.pool.query('select 1'), () => undefined);
        return;
      }
      const { Client } = await import('pg');
      const client = new Client({
        connectionString: opts.url,
        connectionTimeoutMillis: backstop(opts),
      });
      // A connection ended by the abort reports an error event nobody else listens to.
      client.on('error', () => undefined);
      try {
        const res = await abortable(
          signal,
          client
            .connect()
            .then(() => client.query<{ v: string }>("select current_setting('server_version') as v")),
          () => void client.end().catch(() => undefined),
        );
        return { serverVersion: res.rows[0]?.v ?? null };
      } finally {
        void client.end().catch(() => undefined);
      }
    },
  };
}

/** MySQL/MariaDB: a ping on a fresh connection to `url`, or `select 1` through the app's mysql2 pool. */
export function mysqlCheck(
  name: string,
  opts: ({ url: string } | { pool: Queryable }) & Timing,
): HealthCheck {
  return {
    name,
    type: 'mysql',
    target: 'url' in opts ? targetOf(opts.url) : 'pool',
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      if ('pool' in opts) {
        await abortable(signal, opts.pool.query('select 1'), () => undefined);
        return;
      }
      const mysql = await import('mysql2/promise');
      let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
      const connecting = mysql.createConnection({ uri: opts.url, connectTimeout: backstop(opts) });
      try {
        conn = await abortable(
          signal,
          connecting,
          () =>
            // The connection object only exists once connected: destroy it when it comes.
            void connecting.then((c) => c.destroy()).catch(() => undefined),
        );
        const c = conn;
        await abortable(signal, c.ping(), () => c.destroy());
        const [rows] = await abortable(signal, c.query('select version() as v'), () => c.destroy());
        return { serverVersion: (rows as Array<{ v?: string }>)[0]?.v ?? null };
      } finally {
        if (conn) void conn.end().catch(() => conn?.destroy());
      }
    },
  };
}

/** Redis: PING on a fresh connection to `url`, or on the app's ioredis client. */
export function redisCheck(
  name: string,
  opts: ({ url: string } | { client: Pick<Redis, 'ping'> }) & Timing,
): HealthCheck {
  return {
    name,
    type: 'redis',
    target: 'url' in opts ? targetOf(opts.url) : 'client',
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      if ('client' in opts) {
        const pong = await abortable(signal, opts.client.ping(), () => undefined);
        if (pong !== 'PONG') throw new Error(`PING answered ${String(pong).slice(0, 50)}`);
        return;
      }
      return withFreshRedis(opts.url, opts, signal, async (client, guard) => {
        const pong = await guard(client.ping());
        if (pong !== 'PONG') throw new Error(`PING answered ${String(pong).slice(0, 50)}`);
        return {};
      });
    },
  };
}

/**
 * Opens a Redis connection to `url` for one check run, hands it to `work` with a guard that ends the
 * run when the signal aborts, and closes it whatever happens.
 */
async function withFreshRedis<T>(
  url: string,
  timing: Timing,
  signal: AbortSignal,
  work: (client: Redis, guard: <R>(p: Promise<R>) => Promise<R>) => Promise<T>,
): Promise<T> {
  const { default: RedisClient } = await import('ioredis');
  const client = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: backstop(timing),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // A hung server never closes its end: do not wait 2 s for it after giving up.
    disconnectTimeout: 100,
  });
  // ioredis arms a timer on disconnect() that only a later 'close' clears: skip it when closed.
  const disconnect = () => {
    if (client.status !== 'end') client.disconnect();
  };
  // connect() rejects with "Connection is closed."; the reason (ECONNREFUSED, …) comes as an event.
  let reason: Error | undefined;
  client.on('error', (err: Error) => (reason ??= err));
  try {
    await abortable(signal, client.connect(), disconnect).catch((err: unknown) => {
      throw reason ?? err;
    });
    return await work(client, (p) => abortable(signal, p, disconnect));
  } finally {
    disconnect();
  }
}

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

/** Free space on the filesystem holding `path`, from statfs(2); down below either threshold. */
export function diskCheck(
  name: string,
  opts: { path: string; minFreeBytes?: number; minFreeRatio?: number } & Timing,
): HealthCheck {
  return {
    name,
    type: 'disk',
    target: opts.path,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      const s = await abortable(signal, statfs(opts.path), () => undefined);
      // bavail: blocks available to unprivileged users, what an app can actually write (df's "Avail").
      const free = s.bavail * s.bsize;
      const total = s.blocks * s.bsize;
      const details = { freeBytes: free, totalBytes: total, freeRatio: total > 0 ? free / total : 0 };
      if (opts.minFreeBytes !== undefined && free < opts.minFreeBytes)
        throw new HealthCheckFailure(`${free} bytes free, below ${opts.minFreeBytes}`, details);
      if (opts.minFreeRatio !== undefined && details.freeRatio < opts.minFreeRatio)
        throw new HealthCheckFailure(
          `${(details.freeRatio * 100).toFixed(1)}% free, below ${(opts.minFreeRatio * 100).toFixed(1)}%`,
          details,
        );
      return details;
    },
  };
}

/** An HTTP endpoint (another service's health URL) answering 2xx, or `expectStatus`. */
export function httpCheck(name: string, opts: { url: string; expectStatus?: number } & Timing): HealthCheck {
  return {
    name,
    type: 'http',
    target: targetOf(opts.url),
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      const res = await fetch(opts.url, { signal, redirect: 'manual' });
      await res.body?.cancel();
      const ok = opts.expectStatus !== undefined ? res.status === opts.expectStatus : res.ok;
      if (!ok) throw new HealthCheckFailure(`answered HTTP ${res.status}`, { status: res.status });
      return { status: res.status };
    },
  };
}

/** Any check the app can express as a function; throw (or reject) to report it down. */
export function customCheck(
  name: string,
  fn: (signal: AbortSignal) => Promise<HealthDetails | void> | HealthDetails | void,
  opts: Timing & { target?: string } = {},
): HealthCheck {
  return {
    name,
    type: 'custom',
    target: opts.target,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    run: async (signal) => fn(signal),
  };
}
