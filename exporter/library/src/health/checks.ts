/*
 * Health-check factories for common dependencies. Driver modules are loaded when a check first runs,
 * so an app that never checks MySQL never loads mysql2. Checks built from a URL open a connection per
 * run and close it (a real ping, including connecting, and nothing left open by a hung server);
 * checks built from the app's pool or client reuse it.
 */
import { statfs } from 'node:fs/promises';
import { abortable, targetOf, type Timing } from './check-support';
import { type HealthCheck, HealthCheckFailure, type HealthDetails } from './registry';

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

// One entry point for every factory: the library index and the health module import them from here.
export { mysqlCheck, postgresCheck, redisCheck } from './database-checks';
export {
  bullmqCheck,
  type BullmqCheckOptions,
  laravelQueueCheck,
  type LaravelQueueCheckOptions,
  scheduleCheck,
  type ScheduleCheckOptions,
} from './queue-checks';
