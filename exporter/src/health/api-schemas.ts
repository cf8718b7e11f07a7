import { z } from 'zod';
import { AUTH_ERRORS, operation } from '../contract/operation';

/** GET /api/v1/health/checks. */

const time = z.iso.datetime();

export const HealthCheckResult = z
  .object({
    name: z.string(),
    type: z
      .string()
      .describe(
        "postgres, mysql, redis, bullmq, laravel-queue, schedule, disk, http, or a custom check's type",
      ),
    target: z
      .string()
      .nullable()
      .describe('what is checked (scheme://host:port/db, a path, a queue), never credentials'),
    status: z.enum(['up', 'down', 'pending']),
    error: z.string().nullable(),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))

      .describe('what the check saw, e.g. {"paused": false, "waiting": 3, "stalled": 0, "workers": 2}'),
    durationMs: z.number().nullable(),
    lastRunAt: time.nullable(),
    lastSuccessAt: time.nullable(),
    lastFailureAt: time.nullable().describe('the last failing run, kept after the check recovers'),
    lastFailureError: z.string().nullable().describe("that run's error"),
    consecutiveFailures: z.number().int(),
    intervalMs: z.number().int(),
    timeoutMs: z.number().int(),
  })
  .meta({ id: 'HealthCheckResult' });

export const HealthChecksList = z
  .object({ up: z.number().int(), down: z.number().int(), checks: z.array(HealthCheckResult) })
  .meta({ id: 'HealthChecks' });

export type HealthChecksBody = z.input<typeof HealthChecksList>;

export const healthOperations = [
  operation({
    method: 'get',
    path: '/health/checks',
    operationId: 'listHealthChecks',
    scope: 'read',
    summary: 'Last results of the dependency health checks',
    description:
      'Checks configured under `health.checks` (PostgreSQL, MySQL/MariaDB, Redis, BullMQ liveness,\n' +
      'free disk space, HTTP) run periodically with a timeout each; this endpoint returns their last\n' +
      'results and never waits for a dependency. The same results are exported as\n' +
      'perfwatch_health_check_up{check} and perfwatch_health_check_duration_seconds{check}.\n',
    responses: {
      200: { description: 'Every configured check, in config order', schema: HealthChecksList },
      ...AUTH_ERRORS,
    },
  }),
];
