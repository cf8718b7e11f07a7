import { z } from 'zod';
import { EVENT_KINDS, SEVERITIES, STATUSES } from './model';

/** What the incident API and the Alertmanager webhook answer; named shapes become openapi.yaml components. */

const time = z.iso.datetime();

export const SeveritySchema = z.enum(SEVERITIES).meta({
  id: 'Severity',
  description:
    "Incident severity. From Alertmanager's `severity` label: info/low → low, warning/medium → medium,\n" +
    'critical/high → high, emergency → critical (incidents.severityMap adds or overrides pairs).',
});
export const StatusSchema = z.enum(STATUSES).meta({ id: 'Status' });
export const Labels = z.record(z.string(), z.string()).meta({ id: 'Labels' });

export const Incident = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    severity: SeveritySchema,
    status: StatusSchema,
    source: z.enum(['alertmanager', 'manual']),
    alertsState: z
      .enum(['firing', 'resolved', 'none'])
      .describe("whether the incident's alerts fire now; none for an incident without alerts"),
    groupKey: z.string().nullable().describe("Alertmanager's groupKey of the first notification"),
    labels: Labels,
    acknowledged: z.boolean(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: time.nullable(),
    assignee: z.string().nullable(),
    createdAt: time,
    updatedAt: time,
    startedAt: time.describe("first alert's startsAt (else createdAt)"),
    resolvedAt: time.nullable(),
    resolvedBy: z.string().nullable().describe('a person, or "alertmanager" when every alert resolved'),
    resolutionNote: z.string().nullable(),
    silencedUntil: time.nullable().describe('end of the latest silence, while it lasts'),
    reopenCount: z.number().int(),
    notificationCount: z
      .number()
      .int()
      .describe('Alertmanager notifications received for it (repeats included)'),
    lastNotificationAt: time.nullable(),
    alertCounts: z.object({ firing: z.number().int(), resolved: z.number().int() }),
    runbookUrl: z.string().nullable(),
    generatorUrl: z.string().nullable().describe("link to the alert's expression in Prometheus"),
    externalUrl: z.string().nullable().describe('the Alertmanager that sent it'),
    receiver: z.string().nullable(),
    durationSeconds: z.number().int().describe('createdAt to resolvedAt, or to now while open'),
  })
  .meta({ id: 'Incident' });

export const IncidentAlert = z
  .object({
    fingerprint: z.string(),
    status: z.enum(['firing', 'resolved']),
    severity: SeveritySchema,
    labels: Labels,
    annotations: Labels,
    startsAt: time,
    endsAt: time.nullable(),
    generatorUrl: z.string().nullable(),
    runbookUrl: z.string().nullable().describe('annotation runbook_url (or runbook)'),
    firstSeenAt: time,
    lastSeenAt: time,
  })
  .meta({ id: 'IncidentAlert' });

export const TimelineEvent = z
  .object({
    id: z.number().int(),
    kind: z.enum(EVENT_KINDS),
    at: time,
    author: z
      .string()
      .describe(
        'the acting user (X-Grafana-User), else the token name; "alertmanager" or "perfwatch" for automatic events',
      ),
    tokenName: z.string().nullable().describe('API token that carried the action'),
    message: z.string().describe('one line a person can read'),
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'Structured details by kind: statusChanged/severityChanged {from, to, note}; assigned {from, to};\n' +
          'alertFired/alertResolved {fingerprint, alertname, severity, labels, startsAt, endsAt};\n' +
          'silenced {silenceIds, fingerprints, until, comment}; unsilenced {silenceIds};\n' +
          'notified {receiver, status, severity, firing, resolved, repeats, lastAt}: one per Alertmanager\n' +
          'notification that changed any of the first five; a repeat of the same only counts in repeats\n' +
          'and moves lastAt;\n' +
          'diagnostics: a DiagnosticsSnapshot.',
      ),
  })
  .meta({ id: 'TimelineEvent' });

export const IncidentDetail = Incident.extend({
  alerts: z.array(IncidentAlert),
  timeline: z.array(TimelineEvent).describe('oldest first; at most the newest 1000 events'),
  timelineTruncated: z.boolean(),
}).meta({ id: 'IncidentDetail' });

export const IncidentList = z
  .object({
    total: z.number().int().describe('incidents matching (before pagination)'),
    limit: z.number().int(),
    offset: z.number().int(),
    sort: z.string(),
    order: z.enum(['asc', 'desc']),
    items: z.array(Incident),
  })
  .meta({ id: 'IncidentList' });

export const DurationStats = z
  .object({
    count: z.number().int().describe('incidents the figure is computed over'),
    meanSeconds: z.number().nullable(),
    medianSeconds: z.number().nullable().describe('nearest rank'),
    p90Seconds: z.number().nullable().describe('nearest rank'),
  })
  .meta({ id: 'DurationStats' });

const countsOf = <T extends string>(keys: readonly T[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T, z.ZodNumber>);

export const IncidentStats = z
  .object({
    from: time,
    to: time,
    total: z.number().int(),
    open: z.number().int(),
    unacknowledged: z.number().int().describe('open and not acknowledged'),
    bySeverity: countsOf(SEVERITIES),
    byStatus: countsOf(STATUSES),
    bySource: countsOf(['alertmanager', 'manual'] as const),
    mtta: DurationStats.describe(
      'mean time to acknowledge: createdAt → acknowledgedAt over acknowledged incidents',
    ),
    mttr: DurationStats.describe('mean time to resolve: createdAt → resolvedAt over resolved incidents'),
    truncated: z.boolean().describe('more than 200000 incidents; the newest were used'),
  })
  .meta({ id: 'IncidentStats' });

export const BulkResult = z
  .object({
    succeeded: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.union([
        z.object({ id: z.number().int(), ok: z.literal(true), incident: Incident }),
        z.object({
          id: z.number().int(),
          ok: z.literal(false),
          error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }),
        }),
      ]),
    ),
  })
  .meta({ id: 'BulkResult' });

export const SilenceResult = z
  .object({
    incident: Incident.nullable().describe(
      'the incident after the silences (null if it was deleted meanwhile)',
    ),
    silences: z.array(z.object({ id: z.string(), fingerprint: z.string() })),
    until: time,
  })
  .meta({ id: 'SilenceResult' });

export const UnsilenceResult = z.object({ expired: z.array(z.string()) }).meta({ id: 'UnsilenceResult' });

export const WebhookResult = z
  .object({
    status: z.literal('ok'),
    incidents: z.array(
      z.object({
        id: z.number().int(),
        action: z.enum(['opened', 'reopened', 'updated', 'resolved', 'unchanged']),
        severity: SeveritySchema.nullable(),
      }),
    ),
    ignoredGroups: z.number().int().describe('groups with only resolved alerts and no incident to update'),
    events: z.number().int().describe('timeline events added'),
  })
  .meta({ id: 'WebhookResult' });

const failure = z.object({
  status: z.enum(['unavailable', 'error', 'timeout']),
  message: z.string().describe('why the part is missing'),
});
/** Every part of a snapshot says whether it could be collected; a failure is noted, never fatal. */
const part = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.object({ status: z.literal('ok'), ...shape }), failure]);

export const DiagnosticsSnapshot = z
  .object({
    takenAt: time,
    reason: z.string(),
    durationMs: z.number().int(),
    route: z.string().nullable().describe('from the route, http_route or handler label'),
    slowQueries: part({
      windowMinutes: z.number(),
      items: z.array(
        z.object({
          fingerprintId: z.string(),
          fingerprint: z.string(),
          database: z.string(),
          count: z.number().int(),
          totalSeconds: z.number(),
          p95Seconds: z.number(),
          maxSeconds: z.number(),
        }),
      ),
    }),
    http: part({
      window: z.literal('since start'),
      route: z.string(),
      requests: z.number().int(),
      errors: z.number().int().describe('5xx responses'),
      errorRate: z.number().nullable(),
      p95Seconds: z.number().nullable(),
    }),
    dbPools: part({
      pools: z.array(
        z.object({
          dbSystem: z.string(),
          pool: z.string(),
          used: z.number(),
          idle: z.number(),
          pending: z.number(),
          max: z.number().nullable(),
        }),
      ),
    }),
    process: part({
      cpuPercent: z.number().describe('process CPU over a 100 ms sample, % of one core'),
      rssBytes: z.number().int(),
      heapUsedBytes: z.number().int(),
      heapTotalBytes: z.number().int(),
      eventLoopLagP99Seconds: z.number().nullable(),
      eventLoopLagMeanSeconds: z.number().nullable(),
      loadAverage: z.array(z.number()),
      systemMemoryTotalBytes: z.number().int(),
      systemMemoryFreeBytes: z.number().int(),
    }),
    prometheus: part({
      queries: z.array(
        z.union([
          z.object({
            name: z.string(),
            query: z.string(),
            series: z.array(z.object({ labels: Labels, value: z.number() })),
          }),
          z.object({ name: z.string(), query: z.string(), error: z.string() }),
        ]),
      ),
    }),
    truncated: z.boolean().optional().describe('parts were cut to respect incidents.diagnostics.maxBytes'),
  })
  .meta({ id: 'DiagnosticsSnapshot' });

export type IncidentListBody = z.input<typeof IncidentList>;
export type IncidentStatsBody = z.input<typeof IncidentStats>;
export type IncidentBody = z.input<typeof Incident>;
export type IncidentDetailBody = z.input<typeof IncidentDetail>;
export type BulkResultBody = z.input<typeof BulkResult>;
export type SilenceResultBody = z.input<typeof SilenceResult>;
export type UnsilenceResultBody = z.input<typeof UnsilenceResult>;
export type WebhookResultBody = z.input<typeof WebhookResult>;
export type DiagnosticsSnapshotBody = z.input<typeof DiagnosticsSnapshot>;
