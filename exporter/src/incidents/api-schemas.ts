import { z } from 'zod';
import {
  ACTING_USER,
  AUTH_ERRORS,
  ErrorBody,
  type HeaderParameter,
  operation,
  type OperationResponse,
} from '../contract/operation';
import { webhookPayloadSchema } from './alertmanager-payload';
import {
  assignBody,
  bulkBody,
  createBody,
  emptyBody,
  idParam,
  listQuery,
  noteBody,
  resolveBody,
  severityBody,
  silenceBody,
  statsQuery,
  statusBody,
} from './api-requests';
import {
  BulkResult,
  DiagnosticsSnapshot,
  Incident,
  IncidentDetail,
  IncidentList,
  IncidentStats,
  SilenceResult,
  UnsilenceResult,
  WebhookResult,
} from './api-responses';

/** The incident API and the Alertmanager webhook as operations of the contract (openapi.yaml). */

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
