/**
 * The `sla:` section of perfwatch.yml: per-endpoint latency, error-rate and availability targets, the
 * escalation ladder, Alertmanager receivers and resource-alert thresholds. This file holds the shape;
 * the friendly syntaxes ("p95 < 200ms", "< 1%", "99.9%") are in config-values.ts, the escalation
 * ladder in escalation-config.ts (DEFAULT_ESCALATION, the one place its defaults live), receivers and
 * timers in alerting-config.ts. `model.ts` resolves it into SLAs and checks what can only be checked
 * across fields (buckets, burn tiers that can never fire, routes).
 */
import { z } from 'zod';
import { alertingSchema } from './alerting-config';
import {
  durationSchema,
  HTTP_METHODS,
  labelValue,
  latencySchema,
  periodSchema,
  PRIORITIES,
  ratioSchema,
  secondsSchema,
  statusSpec,
} from './config-values';
import { parseDuration } from './duration';
import { bySeverity, escalationSchema } from './escalation-config';

export const endpointSchema = z
  .object({
    /** SLA id (the `sla` label); derived from method and route when absent: `post-api-checkout`. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes')
      .optional(),
    /** The route template as the router names it (`/api/products/:id`), never a raw path. */
    route: z.string().startsWith('/', 'a route template starts with /').max(512),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS))
      .optional(),
    /** "p95 < 200ms": at least 95 % of requests finish within 200 ms. */
    latency: latencySchema.optional(),
    /** "< 1%": at most 1 % of requests are errors. */
    errorRate: ratioSchema('an error rate').optional(),
    /** What counts as an error; 5xx by default. */
    errors: z.array(statusSpec).min(1).optional(),
    /** "99.9%": share of the period the app was up (scraped successfully). */
    availability: ratioSchema('an availability').optional(),
    priority: z.enum(PRIORITIES).default('medium'),
    period: periodSchema.optional(),
    team: labelValue.optional(),
    owner: labelValue.optional(),
    /** Prometheus job of the app serving this endpoint, when not sla.job. */
    job: z.string().min(1).optional(),
    /**
     * The app sends its requests to Perfwatch's ingestion API under this name (`{"app": "billing"}`)
     * instead of being scraped: its availability is its heartbeat, and `job` is Perfwatch's own job.
     */
    app: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'the app name the client sends (1-64 letters, digits, _ . -)')
      .optional(),
    escalation: escalationSchema.optional(),
  })
  .strict()
  .refine((e) => e.latency || e.errorRate !== undefined || e.availability !== undefined, {
    message: 'an SLA needs at least one target: latency, errorRate or availability',
  });

export type EndpointConfig = z.output<typeof endpointSchema>;

export const resourcesSchema = z
  .object({
    enabled: z.boolean().default(true),
    cpu: ratioSchema('a CPU share').default(0.85),
    memory: ratioSchema('a memory share').default(0.8),
    diskFree: ratioSchema('a free-disk share').default(0.1),
    /** Failed jobs in one queue within `window` that count as a burst. */
    failedJobs: z.number().int().positive().default(5),
    /** A queue with waiting or failing jobs and no success for this long is stalled. */
    queueStalled: durationSchema.default('15m'),
    /** Slow queries per database system within `window` that count as a burst. */
    slowQueries: z.number().int().positive().default(20),
    /** Window of the burst alerts. */
    window: durationSchema.default('5m'),
    /** How long CPU/memory/disk/health/target conditions must hold. */
    for: durationSchema.default('10m'),
    targetDownFor: durationSchema.default('1m'),
  })
  .strict();

/**
 * Thresholds for every route that has no SLA of its own (the seeds' "any request over 1 s / 2 s" and
 * "error rate over 5 %"), so an endpoint nobody wrote an SLA for is not invisible.
 */
export const routeThresholdsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Any request slower than this within the window alerts, per severity. */
    latency: bySeverity(secondsSchema).default({ warning: 1, critical: 2 }),
    /** Error rate (5xx) over the window, per severity. */
    errorRate: bySeverity(ratioSchema('an error rate')).default({ critical: 0.05 }),
    /** How long the condition must hold. */
    for: durationSchema.default('1m'),
  })
  .strict();

export const slaSchema = z
  .object({
    /** Prometheus job of the instrumented app (its scrape job); used in every SLI selector and for `up`. */
    job: z.string().min(1).optional(),
    /** Added as a `service` label to every SLA series and alert. */
    service: labelValue.optional(),
    /** Default SLA period: a rolling window (30d) or calendar-month. */
    period: periodSchema.default('30d'),
    /** Route templates the app serves; when given, an SLA for any other route is rejected. */
    knownRoutes: z.array(z.string().startsWith('/')).optional(),
    /**
     * Buckets of the app's histogram when it is NOT instrumented by Perfwatch (then nothing merges the
     * SLA bounds in, and the generator refuses targets without a bucket). Perfwatch-instrumented apps
     * and `perfwatch serve` merge the bounds automatically; leave this out for them.
     */
    histogramBuckets: z.array(z.number().positive()).min(1).optional(),
    /**
     * Short window of the recording rules (rates, p50/p95/p99, SLI ratios) and of the threshold alerts.
     * Keep it at least 4 × the scrape interval.
     */
    window: durationSchema.default('5m'),
    /**
     * Evaluation interval of the long-window rule groups (2h–3d ratios, period compliance). At most
     * 2m30s: alerts read these series with a margin of 3 intervals, and Prometheus' 5m lookback must
     * still see the previous value when one evaluation is late.
     */
    longRulesInterval: durationSchema
      .default('2m30s')
      .refine((d) => (parseDuration(d) ?? 0) > 0 && (parseDuration(d) ?? 0) <= 150, {
        message: 'must be between 1s and 2m30s, so one late evaluation does not make the long series vanish',
      }),
    /** Prometheus job that scrapes Perfwatch itself (pushed apps' heartbeats are its metrics). */
    perfwatchJob: z.string().min(1).default('perfwatch'),
    /** A pushed app that has sent nothing for this long has stopped sending. */
    heartbeatTimeout: durationSchema.default('5m'),
    escalation: escalationSchema.optional(),
    alerting: alertingSchema.prefault({}),
    resources: resourcesSchema.prefault({}),
    routeThresholds: routeThresholdsSchema.prefault({}),
    report: z
      .object({
        /** An SLI with less error budget left than this is "at risk". */
        atRiskBudget: ratioSchema('a budget share').default(0.25),
        /** The browser that prints the PDF report (playwright-core drives it; Debian's chromium). */
        chromiumPath: z.string().min(1).default('/usr/bin/chromium'),
        /**
         * Mail last month's report on `day` at `at` (UTC) through sla.alerting.email, the SMTP settings
         * Alertmanager uses; omitted → no scheduled report.
         */
        email: z
          .object({
            to: z.array(z.string().min(3)).min(1),
            day: z.number().int().min(1).max(28).default(1),
            at: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (UTC)')
              .default('06:00'),
            /** Attach the PDF (needs the browser at chromiumPath); the markdown report is the body. */
            pdf: z.boolean().default(true),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    endpoints: z.array(endpointSchema).default([]),
  })
  .strict()
  .refine((s) => !s.report.email || s.alerting.email, {
    message:
      'the SLA report is mailed through sla.alerting.email (smarthost, from: the SMTP settings Alertmanager uses): set it',
    path: ['report', 'email'],
  });

export type SlaConfig = z.output<typeof slaSchema>;
export type SlaConfigInput = z.input<typeof slaSchema>;
export type AlertingConfig = SlaConfig['alerting'];
