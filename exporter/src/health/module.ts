import type { ServiceModule } from '../kit/module';
import {
  bullmqCheck,
  diskCheck,
  httpCheck,
  laravelQueueCheck,
  mysqlCheck,
  postgresCheck,
  redisCheck,
  scheduleCheck,
  type HealthCheck,
  HealthChecks,
} from '@perfwatch/node/internal';
import type { HealthChecksBody } from './api-schemas';
import type { HealthCheckConfig } from './config';

/** The URL of a configured check: inline, or read from the environment variable it names. */
function urlOf(c: { name: string; url?: string; urlEnv?: string }, env: NodeJS.ProcessEnv): string | Error {
  if (c.url !== undefined) return c.url;
  const v = env[c.urlEnv!];
  return v ? v : new Error(`environment variable ${c.urlEnv} (health.checks "${c.name}".urlEnv) is not set`);
}

/** What checks fed by ingested events read: the recorder's last successes, and when the service started. */
export interface CheckSources {
  lastScheduledSuccess: (task: string) => number | undefined;
  startedAt: number;
}

/** Builds a configured check; one whose URL is missing reports that as its failure. */
export function checkFromConfig(
  c: HealthCheckConfig,
  env: NodeJS.ProcessEnv = process.env,
  sources: CheckSources = { lastScheduledSuccess: () => undefined, startedAt: Date.now() },
): HealthCheck {
  const timing = { intervalMs: c.intervalMs, timeoutMs: c.timeoutMs };
  switch (c.type) {
    case 'schedule':
      return scheduleCheck(c.name, {
        ...timing,
        task: c.task,
        maxAgeMs: c.maxAgeSeconds * 1000,
        lastSuccess: sources.lastScheduledSuccess,
        startedAt: sources.startedAt,
      });
    case 'disk':
      return diskCheck(c.name, {
        ...timing,
        path: c.path,
        minFreeBytes: c.minFreeBytes,
        minFreeRatio: c.minFreeRatio,
      });
    case 'http':
      return httpCheck(c.name, { ...timing, url: c.url, expectStatus: c.expectStatus });
    default: {
      const url = urlOf(c, env);
      if (url instanceof Error)
        return { name: c.name, type: c.type, ...timing, run: () => Promise.reject(url) };
      if (c.type === 'postgres') return postgresCheck(c.name, { ...timing, url });
      if (c.type === 'mysql') return mysqlCheck(c.name, { ...timing, url });
      if (c.type === 'redis') return redisCheck(c.name, { ...timing, url });
      if (c.type === 'laravel-queue')
        return laravelQueueCheck(c.name, {
          ...timing,
          url,
          queue: c.queue,
          prefix: c.prefix,
          maxWaiting: c.maxWaiting,
        });
      return bullmqCheck(c.name, {
        ...timing,
        url,
        queue: c.queue,
        prefix: c.prefix,
        maxWaiting: c.maxWaiting,
        requireWorkers: c.requireWorkers,
      });
    }
  }
}

/** Periodic checks of the configured dependencies, and GET /api/v1/health/checks with their details. */
export function healthModule(): ServiceModule {
  let health: HealthChecks | undefined;
  return {
    name: 'health',
    start(ctx) {
      const { intervalMs, timeoutMs, checks } = ctx.config.health;
      health = new HealthChecks(ctx.recorder, { intervalMs, timeoutMs }, ctx.logger);
      const sources: CheckSources = {
        lastScheduledSuccess: (task) => ctx.recorder.lastScheduledSuccess(task),
        startedAt: Date.now(),
      };
      for (const c of checks) health.add(checkFromConfig(c, process.env, sources));
      health.start();
    },
    async stop() {
      await health?.stop();
    },
    routes(router, ctx) {
      router.get('/health/checks', ctx.auth.require('read'), (_req, res) => {
        // The last results: a request never waits for a dependency.
        const checks = health?.results() ?? [];
        res.json({
          checks,
          up: checks.filter((c) => c.status === 'up').length,
          down: checks.filter((c) => c.status === 'down').length,
        } satisfies HealthChecksBody);
      });
    },
  };
}
