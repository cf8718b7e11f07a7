/**
 * The `sla:` section of perfwatch.yml: per-endpoint latency, error-rate and availability targets, the
 * escalation ladder, Alertmanager receivers and resource-alert thresholds. This file holds the shape
 * and the friendly syntaxes ("p95 < 200ms", "< 1%", "99.9%"); `model.ts` resolves it into SLAs and
 * checks what can only be checked across fields (buckets, burn tiers that can never fire, routes).
 *
 * Every default of the escalation ladder lives in DEFAULT_ESCALATION below and nowhere else.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration';

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const SEVERITIES = ['warning', 'critical', 'emergency'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A Prometheus duration (`5m`, `1h30m`, `0s`), normalised (`90m` → `1h30m`). */
export const durationSchema = z.string().transform((s, ctx) => {
  const seconds = parseDuration(s.trim());
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration; write e.g. 30s, 5m, 1h30m, 30d` });
    return z.NEVER;
  }
  return formatDuration(seconds);
});

/** Seconds from a number or a string with ms/s (decimals allowed): 0.2, "200ms", "1.5s". */
export function parseSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(value);
  if (m) return Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  const d = parseDuration(value.trim());
  return d !== undefined && d > 0 ? d : undefined;
}

const secondsSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = parseSeconds(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a positive time; write e.g. 200ms, 1.5s or 0.2` });
    return z.NEVER;
  }
  return s;
});

/** A ratio from "1%", "99.9 %" or 0.01; numbers above 1 are refused (99.9 would be ambiguous). */
export function parseRatio(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : undefined;
  const m = /^\s*(?:<\s*)?(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (!m) return undefined;
  const r = Number(m[1]) / 100;
  // Decimal cleanup: 99.9% is 0.999, not 0.9990000000000001.
  return r <= 1 ? Number(r.toPrecision(12)) : undefined;
}

const ratioSchema = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const r = parseRatio(v);
    if (r === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" is not ${what}; write a percentage such as "1%" or a ratio between 0 and 1`,
      });
      return z.NEVER;
    }
    return r;
  });

export interface LatencyTarget {
  /** 0.95 for p95: the share of requests that must finish within the threshold. */
  quantile: number;
  thresholdSeconds: number;
}

const LATENCY_TEXT = /^\s*p(\d{1,2}(?:\.\d+)?)\s*<\s*(\S+)\s*$/i;

const latencySchema = z
  .union([
    z.string(),
    z
      .object({
        quantile: z.number().gt(0).lt(1),
        threshold: z.union([z.number(), z.string()]),
      })
      .strict(),
  ])
  .transform((v, ctx): LatencyTarget => {
    let quantile: number;
    let threshold: number | undefined;
    if (typeof v === 'string') {
      const m = LATENCY_TEXT.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a latency target; write e.g. "p95 < 200ms"` });
        return z.NEVER;
      }
      quantile = Number((Number(m[1]) / 100).toPrecision(12));
      threshold = parseSeconds(m[2]);
    } else {
      quantile = v.quantile;
      threshold = parseSeconds(v.threshold);
    }
    if (!(quantile > 0 && quantile < 1)) {
      ctx.addIssue({ code: 'custom', message: `quantile must be between p1 and p99.9, got ${quantile}` });
      return z.NEVER;
    }
    if (threshold === undefined) {
      ctx.addIssue({ code: 'custom', message: `latency threshold in "${JSON.stringify(v)}" is not a time` });
      return z.NEVER;
    }
    return { quantile, thresholdSeconds: threshold };
  });

/** What counts as an error: status classes (`5xx`, `4xx`) or single codes (`429`, `499`). */
const statusSpec = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim().toLowerCase())
  .refine((v) => /^[1-5]xx$/.test(v) || /^[1-5]\d\d$/.test(v), {
    message: 'expected a status class like 5xx or a status code like 429',
  });

const periodSchema = z
  .string()
  .refine((p) => /^\d+d$/.test(p) || p === 'calendar-month', {
    message: 'expected a rolling window in days (30d, 7d) or calendar-month',
  })
  .refine((p) => p === 'calendar-month' || (Number(p.slice(0, -1)) >= 1 && Number(p.slice(0, -1)) <= 90), {
    message: 'a rolling period must be between 1d and 90d',
  });

const labelValue = z.string().min(1).max(128);

const burnTierSchema = z
  .object({
    /** Burn rate: how many times faster than "exactly on budget" the budget is being spent. */
    factor: z.number().positive(),
    long: durationSchema,
    short: durationSchema,
    for: durationSchema,
    severity: z.enum(SEVERITIES),
  })
  .strict();

const bySeverity = <T extends z.ZodType>(t: T) =>
  z.object({ warning: t, critical: t, emergency: t }).partial().strict();

/** Escalation settings; every field optional here, DEFAULT_ESCALATION fills the gaps. */
export const escalationSchema = z
  .object({
    /** Latency thresholds: warning/critical as multiples of the target, emergency as an absolute time. */
    latency: z
      .object({
        warning: z.number().gt(1),
        critical: z.number().gt(1),
        emergency: secondsSchema,
      })
      .partial()
      .strict(),
    /** Error-rate thresholds, absolute ("2%"). */
    errorRate: bySeverity(ratioSchema('an error rate')),
    /** How long a threshold must be crossed before the alert fires, per severity. */
    for: bySeverity(durationSchema),
    /**
     * Requests in the window below which threshold alerts stay quiet (one slow request is not a p95).
     * Quantile alerts also need 3/(1−q) requests (60 for p95, 300 for p99), whichever is more.
     */
    minRequests: z.number().int().min(0),
    /**
     * Bad requests (errors, or requests slower than the target) the long window of a burn tier must hold
     * before it fires: at 20 requests an hour, two errors are 10 % and burn "14.4×", yet mean nothing.
     */
    minBadEvents: z.number().int().min(0),
    /**
     * How long an SLA alert keeps firing after its condition stops holding (Prometheus keep_firing_for):
     * bursty traffic leaves short windows empty between bursts, which must not resolve a page.
     */
    keepFiringFor: durationSchema,
    /** Priorities whose `critical` burn tiers page (are raised to emergency), e.g. the 6× tier. */
    pageCriticalTiers: z.array(z.enum(PRIORITIES)),
    /** Multi-window multi-burn-rate tiers (Google SRE workbook). */
    burnRates: z.array(burnTierSchema),
    /** The highest severity an endpoint of each priority may raise; higher tiers are capped to it. */
    maxSeverity: z
      .object({
        critical: z.enum(SEVERITIES),
        high: z.enum(SEVERITIES),
        medium: z.enum(SEVERITIES),
        low: z.enum(SEVERITIES),
      })
      .partial()
      .strict(),
    /** Week-over-week p95 regression (warning). */
    regression: z
      .object({
        enabled: z.boolean(),
        /** p95 now above factor × p95 a week ago … */
        factor: z.number().gt(1),
        /** … and at least this much slower, so 2 ms → 4 ms does not page anyone. */
        minIncrease: secondsSchema,
        window: durationSchema,
        for: durationSchema,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type EscalationInput = z.output<typeof escalationSchema>;

export interface BurnTier {
  factor: number;
  long: string;
  short: string;
  for: string;
  severity: Severity;
}

export interface Escalation {
  latency: { warning: number; critical: number; emergency: number };
  errorRate: Record<Severity, number>;
  for: Record<Severity, string>;
  minRequests: number;
  minBadEvents: number;
  keepFiringFor: string;
  pageCriticalTiers: Priority[];
  burnRates: BurnTier[];
  maxSeverity: Record<Priority, Severity>;
  regression: { enabled: boolean; factor: number; minIncrease: number; window: string; for: string };
}

/**
 * The one place escalation defaults live. Burn tiers are the SRE workbook's for a 30-day budget:
 * 2 % of the budget in 1 h (14.4×), 5 % in 6 h (6×), 10 % in 1 d (3×) and 10 % in 3 d (1×).
 */
export const DEFAULT_ESCALATION: Escalation = {
  latency: { warning: 1.2, critical: 1.5, emergency: 1 },
  errorRate: { warning: 0.02, critical: 0.05, emergency: 0.1 },
  // Never 0s: one evaluation over a threshold is not yet a problem worth waking someone for.
  for: { warning: '5m', critical: '2m', emergency: '1m' },
  minRequests: 10,
  minBadEvents: 5,
  keepFiringFor: '10m',
  pageCriticalTiers: ['critical'],
  burnRates: [
    { factor: 14.4, long: '1h', short: '5m', for: '2m', severity: 'emergency' },
    { factor: 6, long: '6h', short: '30m', for: '15m', severity: 'critical' },
    { factor: 3, long: '1d', short: '2h', for: '1h', severity: 'warning' },
    { factor: 1, long: '3d', short: '6h', for: '3h', severity: 'warning' },
  ],
  maxSeverity: { critical: 'emergency', high: 'emergency', medium: 'critical', low: 'warning' },
  regression: { enabled: true, factor: 1.5, minIncrease: 0.05, window: '1h', for: '30m' },
};

/** Deep merge of escalation overrides over a base; arrays (burnRates) replace, objects merge. */
export function mergeEscalation(base: Escalation, over: EscalationInput | undefined): Escalation {
  if (!over) return base;
  return {
    latency: { ...base.latency, ...over.latency },
    errorRate: { ...base.errorRate, ...over.errorRate },
    for: { ...base.for, ...over.for },
    minRequests: over.minRequests ?? base.minRequests,
    minBadEvents: over.minBadEvents ?? base.minBadEvents,
    keepFiringFor: over.keepFiringFor ?? base.keepFiringFor,
    pageCriticalTiers: over.pageCriticalTiers ?? base.pageCriticalTiers,
    burnRates: over.burnRates ?? base.burnRates,
    maxSeverity: { ...base.maxSeverity, ...over.maxSeverity },
    regression: { ...base.regression, ...over.regression },
  };
}

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

/** Alertmanager timers per severity: emergencies notify fast and repeat every 15 minutes. */
export const DEFAULT_TIMERS = {
  groupWait: { warning: '30s', critical: '30s', emergency: '10s' },
  groupInterval: { warning: '5m', critical: '5m', emergency: '1m' },
  repeatInterval: { warning: '1h', critical: '1h', emergency: '15m' },
} as const satisfies Record<string, Record<Severity, string>>;

const timersSchema = (defaults: Record<Severity, string>) =>
  z
    .object({
      warning: durationSchema.default(defaults.warning),
      critical: durationSchema.default(defaults.critical),
      emergency: durationSchema.default(defaults.emergency),
    })
    .strict()
    .prefault({});

/** A webhook that authenticates with a bearer token read from a file by Alertmanager. */
const webhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    /** File holding the bearer token, read by Alertmanager; relative paths are under alerting.secretsDir. */
    credentialsFile: z.string().min(1).optional(),
  })
  .strict();

export const alertingSchema = z
  .object({
    /**
     * Where Alertmanager finds the secret files named below when their paths are relative. Absolute on
     * purpose: Alertmanager 0.25 reads api_url_file and auth_password_file relative to its working
     * directory, not to alertmanager.yml.
     */
    secretsDir: z.string().startsWith('/', 'an absolute directory').default('/etc/alertmanager/secrets'),
    /** The Perfwatch service Alertmanager posts every alert to (incidents, dashboard). */
    perfwatch: z
      .object({
        url: z.url({ protocol: /^https?$/ }).default('http://localhost:9470'),
        /** File with a token of scope `alertmanager` (the same value as PERFWATCH_TOKEN_ALERTMANAGER). */
        credentialsFile: z.string().min(1).default('perfwatch-alertmanager-token'),
      })
      .strict()
      .prefault({}),
    /** Email for critical and emergency alerts; omitted → no email receiver. */
    email: z
      .object({
        smarthost: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        /** Extra recipients for emergencies (on-call), added to `to`. */
        emergencyTo: z.array(z.string().min(3)).default([]),
        authUsername: z.string().min(1).optional(),
        /** File with the SMTP password, read by Alertmanager. */
        authPasswordFile: z.string().min(1).optional(),
        requireTls: z.boolean().default(true),
        hello: z.string().min(1).optional(),
      })
      .strict()
      .refine((e) => !e.authUsername || e.authPasswordFile, {
        message: 'authUsername needs authPasswordFile (the password never goes into the generated file)',
      })
      .optional(),
    /**
     * Slack incoming webhooks, one per channel: a Slack-app webhook posts to the channel it was created
     * for and ignores `channel`, so emergencies need their own URL to land in their own channel.
     */
    slack: z
      .object({
        channel: z.string().min(1),
        /** File holding the channel's incoming-webhook URL (it is a secret). */
        apiUrlFile: z.string().min(1).default('slack-webhook-url'),
        emergencyChannel: z.string().min(1).optional(),
        /** File holding the emergency channel's webhook URL; required with emergencyChannel. */
        emergencyApiUrlFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((s) => !s.emergencyChannel || s.emergencyApiUrlFile, {
        message:
          'emergencyChannel needs emergencyApiUrlFile: a Slack webhook posts only to the channel it was made for',
      })
      .refine((s) => !s.emergencyApiUrlFile || s.emergencyApiUrlFile !== s.apiUrlFile, {
        message: 'emergencyApiUrlFile must differ from apiUrlFile (one webhook URL per channel)',
      })
      .optional(),
    /** On-call paging webhook for emergencies. Alertmanager 0.25 has no url_file: keep secrets in the token. */
    oncall: webhookSchema.optional(),
    /** Dead man's switch for the always-firing Watchdog alert; omitted → it is routed nowhere. */
    watchdog: webhookSchema
      .extend({ repeatInterval: durationSchema.default('5m') })
      .strict()
      .optional(),
    /**
     * Where people reach each tool: every link in an alert or notification is built from these. Give
     * Prometheus and Alertmanager the same values as --web.external-url.
     */
    externalUrls: z
      .object({
        grafana: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
        alertmanager: z.url({ protocol: /^https?$/ }).default('http://localhost:9093'),
        prometheus: z.url({ protocol: /^https?$/ }).default('http://localhost:9090'),
        /** Runbooks page; alerts link to `<runbookBase>#<alert name in lower case>`. Omitted → no runbook link. */
        runbookBase: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .prefault({}),
    links: z
      .object({
        /** Dashboard path (after grafanaUrl) of the HTTP dashboard, filtered by var-route. */
        httpDashboard: z.string().startsWith('/').default('/d/perfwatch-http/perfwatch-http'),
        /** Dashboard path of the system dashboard, for resource alerts. */
        systemDashboard: z.string().startsWith('/').default('/d/perfwatch-system/perfwatch-system'),
      })
      .strict()
      .prefault({}),
    /** Alertmanager timers per severity; repeatInterval is the cooldown between repeats of one problem. */
    groupWait: timersSchema(DEFAULT_TIMERS.groupWait),
    groupInterval: timersSchema(DEFAULT_TIMERS.groupInterval),
    repeatInterval: timersSchema(DEFAULT_TIMERS.repeatInterval),
  })
  .strict();

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
