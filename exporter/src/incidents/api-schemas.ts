import { z } from 'zod';
import {
  ACTING_USER,
  AUTH_ERRORS,
  ErrorBody,
  type HeaderParameter,
  operation,
  type OperationResponse,
} from '../contract/operation';
import { timeParam } from '../contract/params';
import { webhookPayloadSchema } from './alertmanager-payload';
import { EVENT_KINDS, OPEN_STATUSES, SEVERITIES, type Status, STATUSES } from './model';

/** The incident API and the Alertmanager webhook: what they accept and what they answer. */

export const MAX_SILENCES_PER_REQUEST = 50;
export const MAX_BULK = 200;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();
/** `a,b` or repeated `?x=a&x=b`. */
const list = <T extends string>(values: readonly T[]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
    .pipe(z.array(z.enum(values as [T, ...T[]])))
    .optional();

export const listQuery = z
  .object({
    status: list([...STATUSES, 'open'] as const).describe(
      'comma-separated or repeated; `open` means investigating, identified and monitoring',
    ),
    severity: list(SEVERITIES).describe('comma-separated or repeated'),
    source: z.enum(['alertmanager', 'manual']).optional(),
    label: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .pipe(
        z
          .array(z.string().regex(/^[^=]+=.*$/, 'expected name=value'))
          .max(10)
          .transform((a) =>
            a.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] as [string, string]),
          ),
      )
      .optional()
      .describe('name=value; repeat for several (all must match), at most 10'),
    from: timeParam.describe(
      'with `to`, incidents active at some moment in [from, to] (ISO 8601 or epoch ms)',
    ),
    to: timeParam,
    q: z.string().max(200).optional().describe('case-insensitive text in the title or a label value'),
    assignee: z.string().max(200).optional(),
    acknowledged: z.enum(['true', 'false']).optional(),
    alertsState: z.enum(['firing', 'resolved', 'none']).optional(),
    sort: z
      .enum(['createdAt', 'updatedAt', 'startedAt', 'resolvedAt', 'severity', 'status'])
      .default('createdAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export const statsQuery = z
  .object({
    from: timeParam.describe('ISO 8601 or epoch ms; default to - 30 days'),
    to: timeParam.describe('ISO 8601 or epoch ms; default now'),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

const labelsBody = z
  .record(z.string().min(1).max(256), z.string().max(1024))
  .refine((o) => Object.keys(o).length <= 64, 'at most 64 labels');

export const createBody = z
  .object({
    title: text(500),
    description: optionalText(10_000),
    severity: z.enum(SEVERITIES).default('medium'),
    status: z
      .enum(OPEN_STATUSES as [Exclude<Status, 'resolved'>, ...Exclude<Status, 'resolved'>[]])
      .optional(),
    labels: labelsBody.optional(),
    assignee: text(200).optional(),
  })
  .strict();
export const assignBody = z.object({ assignee: text(200).nullable() }).strict();
export const statusBody = z.object({ status: z.enum(STATUSES), note: optionalText(10_000) }).strict();
export const severityBody = z.object({ severity: z.enum(SEVERITIES), note: optionalText(10_000) }).strict();
export const noteBody = z.object({ text: text(10_000) }).strict();
export const resolveBody = z.object({ note: optionalText(10_000) }).strict();
export const emptyBody = z.object({}).strict();
export const bulkBody = z
  .object({
    ids: z
      .array(z.number().int().positive())
      .min(1)
      .max(MAX_BULK)
      .refine((ids) => new Set(ids).size === ids.length, 'ids must not repeat'),
    note: optionalText(10_000),
  })
  .strict();
export const silenceBody = z
  .object({
    /** 1 minute to 30 days. */
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60),
    comment: optionalText(1_000),
    /** Silence only these alerts of the incident (by fingerprint); default every firing alert. */
    fingerprints: z.array(z.string().min(1).max(64)).min(1).max(MAX_SILENCES_PER_REQUEST).optional(),
  })
  .strict();

/** Decimal digits only: `0x7`, `7.0`, ` 7` or `1e3` are not incident 7 (or 1000). */
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'expected a positive decimal integer')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'expected a positive decimal integer');

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

const IF_MATCH: HeaderParameter = {
  name: 'If-Match',
  description:
    'The ETag of the incident as last read (GET /incidents/{id} and every change answer one). The change\n' +
    'applies only if the incident is still at that version; otherwise 409 with code stale_change, so\n' +
    'two people editing one incident never overwrite each other unknowingly. Without it the change\n' +
    'applies to the current version.\n',
  schema: z.string().meta({ example: '"1765000000000"' }),
};

const incidentIdParams = z.object({ id: idParam });
const incidentAnswer: OperationResponse = { description: 'The incident after the change', schema: Incident };
const withIncident = { 400: 'BadRequest', ...AUTH_ERRORS, 404: 'NotFound' } as const;

const lifecycle = (
  name: string,
  operationId: string,
  summary: string,
  body: z.ZodType,
  extra: { description?: string; conflict?: boolean } = {},
) =>
  operation({
    method: 'post',
    path: `/incidents/{id}/${name}`,
    operationId,
    scope: 'write',
    summary,
    description: extra.description,
    params: incidentIdParams,
    headers: [ACTING_USER, IF_MATCH],
    body,
    responses:
      extra.conflict === false
        ? { 200: incidentAnswer, ...withIncident }
        : { 200: incidentAnswer, ...withIncident, 409: 'Conflict' },
  });

const bulk = (what: 'acknowledge' | 'resolve', operationId: string, summary: string, description: string) =>
  operation({
    method: 'post',
    path: `/incidents/bulk/${what}`,
    operationId,
    scope: 'write',
    summary,
    headers: [ACTING_USER],
    body: bulkBody,
    responses: { 200: { description, schema: BulkResult }, 400: 'BadRequest', ...AUTH_ERRORS },
  });

export const incidentOperations = [
  operation({
    method: 'post',
    path: '/alertmanager/webhook',
    operationId: 'alertmanagerWebhook',
    scope: 'alertmanager',
    summary: 'Alertmanager webhook receiver (payload version 4)',
    description:
      'Point a webhook_configs receiver here with `http_config.authorization.credentials` set to a token\n' +
      'of scope alertmanager. Each notification opens or updates one incident per group (incidents.groupBy:\n' +
      "Alertmanager's groupKey, each alert's fingerprint, or the values of incidents.groupLabels), in one\n" +
      'transaction: a 2xx means everything in it is stored. Retries and repeats add nothing; a group that\n' +
      'fires again within incidents.reopenWindowMinutes of resolving reopens its incident; when every\n' +
      'alert of an incident resolved it is resolved (or only marked, incidents.onAlertsResolved).\n' +
      'Unknown fields are ignored. Format and examples: docs/incidents.md.\n',
    body: webhookPayloadSchema,
    responses: {
      200: { description: 'What the notification did to each incident', schema: WebhookResult },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      413: {
        description: 'Body over server.bodyLimitBytes (use max_alerts in the receiver)',
        schema: ErrorBody,
      },
      422: { description: 'A payload version other than 4', schema: ErrorBody },
    },
  }),
  operation({
    method: 'get',
    path: '/incidents',
    operationId: 'listIncidents',
    scope: 'read',
    summary: 'Incidents, filtered, sorted and paginated',
    query: listQuery,
    responses: {
      200: { description: 'One page of incidents', schema: IncidentList },
      400: 'BadRequest',
      ...AUTH_ERRORS,
    },
  }),
  operation({
    method: 'post',
    path: '/incidents',
    operationId: 'createIncident',
    scope: 'write',
    summary: 'Open an incident by hand',
    headers: [ACTING_USER],
    body: createBody,
    responses: {
      201: { description: 'The new incident; Location names it', schema: Incident },
      400: 'BadRequest',
      ...AUTH_ERRORS,
    },
  }),
  operation({
    method: 'get',
    path: '/incidents/stats',
    operationId: 'incidentStats',
    scope: 'read',
    summary: 'Counts and MTTA/MTTR of the incidents created in a period',
    description:
      'MTTA: createdAt → acknowledgedAt over acknowledged incidents; MTTR: createdAt → resolvedAt over\n' +
      'resolved incidents (an incident resolved automatically counts too). Default period: the last 30 days.\n',
    query: statsQuery,
    responses: {
      200: { description: 'Figures over the period', schema: IncidentStats },
      400: 'BadRequest',
      ...AUTH_ERRORS,
    },
  }),
  bulk(
    'acknowledge',
    'bulkAcknowledge',
    'Acknowledge several incidents; each is reported on its own',
    'Per-incident outcome (a refusal carries the status and message a single call would)',
  ),
  bulk(
    'resolve',
    'bulkResolve',
    'Resolve several incidents with one resolution note',
    'Per-incident outcome',
  ),
  operation({
    method: 'get',
    path: '/incidents/{id}',
    operationId: 'getIncident',
    scope: 'read',
    summary: 'One incident with its alerts and timeline',
    params: incidentIdParams,
    responses: { 200: { description: 'The incident', schema: IncidentDetail }, ...withIncident },
  }),
  lifecycle(
    'acknowledge',
    'acknowledgeIncident',
    'Acknowledge (409 when resolved or already acknowledged)',
    emptyBody,
  ),
  lifecycle(
    'unacknowledge',
    'unacknowledgeIncident',
    'Withdraw the acknowledgement (409 when not acknowledged)',
    emptyBody,
  ),
  lifecycle('assign', 'assignIncident', 'Assign to a person, or unassign with null', assignBody),
  lifecycle('status', 'setIncidentStatus', 'Change the status', statusBody, {
    description:
      'Open statuses move freely among themselves; `resolved` resolves; a resolved incident only goes back to `investigating` (reopen). Anything else, or the current status, is a 409.\n',
  }),
  lifecycle(
    'severity',
    'setIncidentSeverity',
    'Change the severity (also on resolved incidents)',
    severityBody,
  ),
  lifecycle('notes', 'addIncidentNote', 'Add a note to the timeline', noteBody, { conflict: false }),
  lifecycle(
    'resolve',
    'resolveIncident',
    'Resolve, with an optional resolution note (409 when already resolved)',
    resolveBody,
  ),
  operation({
    method: 'post',
    path: '/incidents/{id}/silence',
    operationId: 'silenceIncident',
    scope: 'write',
    summary: "Silence the incident's firing alerts in Alertmanager for a duration",
    description:
      'Creates one Alertmanager silence (API v2) per firing alert, matching its labels exactly, created by\n' +
      'the acting user, and records them on the timeline. `fingerprints` limits it to some alerts of the\n' +
      'incident. Needs alertmanager.url. Alertmanager sends no "resolved" for silenced alerts, so unsilence\n' +
      '(or resolve by hand) when the work is done.\n',
    params: incidentIdParams,
    headers: [ACTING_USER],
    body: silenceBody,
    responses: {
      200: { description: 'The silences created', schema: SilenceResult },
      ...withIncident,
      422: {
        description:
          'alertmanager_not_configured, nothing_to_silence (no firing alert), unknown_alert (a fingerprint not\n' +
          'firing in the incident), too_many_alerts (over 50: list fingerprints)\n',
        schema: ErrorBody,
      },
      502: {
        description:
          'Alertmanager unreachable or refused; silences created before the failure are recorded (details.created)',
        schema: ErrorBody,
      },
    },
  }),
  operation({
    method: 'post',
    path: '/incidents/{id}/unsilence',
    operationId: 'unsilenceIncident',
    scope: 'write',
    summary: 'Expire the silences created for the incident through Perfwatch',
    params: incidentIdParams,
    headers: [ACTING_USER],
    body: emptyBody,
    responses: {
      200: { description: 'The silences expired', schema: UnsilenceResult },
      ...withIncident,
      409: 'Conflict',
      422: { description: 'alertmanager.url is not configured', schema: ErrorBody },
      502: { description: 'Alertmanager unreachable or refused', schema: ErrorBody },
    },
  }),
  operation({
    method: 'post',
    path: '/incidents/{id}/diagnostics',
    operationId: 'takeIncidentDiagnostics',
    scope: 'write',
    summary: 'Take a diagnostics snapshot now and add it to the timeline',
    params: incidentIdParams,
    headers: [ACTING_USER],
    body: emptyBody,
    responses: {
      201: {
        description: 'The snapshot (also on the timeline as a diagnostics event)',
        schema: DiagnosticsSnapshot,
      },
      ...withIncident,
    },
  }),
];
