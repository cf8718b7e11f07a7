/** Incident tables' rows as the drivers return them, and their mapping to and from the API model. */
import type { GroupIncident, GroupPatch } from './grouping';
import type { LifecycleState } from './lifecycle';
import {
  type AlertsState,
  type EventKind,
  type Incident,
  type IncidentAlert,
  type Labels,
  type Severity,
  severityRank,
  type Source,
  type Status,
  statusRank,
  type TimelineEvent,
} from './model';

/** Counts and bigint columns come back from PostgreSQL as strings. */
export type Num = number | string;

export interface IncidentRow {
  id: Num;
  title: string;
  description: string | null;
  severity: Severity;
  status: Status;
  source: Source;
  alerts_state: AlertsState;
  group_key: string | null;
  labels: string;
  acknowledged_by: string | null;
  acknowledged_at: Num | null;
  assignee: string | null;
  created_at: Num;
  updated_at: Num;
  started_at: Num;
  resolved_at: Num | null;
  resolved_by: string | null;
  resolution_note: string | null;
  silenced_until: Num | null;
  reopen_count: Num;
  notification_count: Num;
  last_notification_at: Num | null;
  runbook_url: string | null;
  generator_url: string | null;
  external_url: string | null;
  receiver: string | null;
}

export interface AlertRow {
  id: Num;
  incident_id: Num;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: string;
  annotations: string;
  starts_at: Num;
  ends_at: Num | null;
  generator_url: string | null;
  runbook_url: string | null;
  first_seen_at: Num;
  last_seen_at: Num;
}

export interface EventRow {
  id: Num;
  incident_id: Num;
  kind: EventKind;
  at: Num;
  author: string;
  token_name: string | null;
  message: string;
  data: string | null;
}

export const n = (v: Num): number => Number(v);
export const nn = (v: Num | null): number | null => (v === null ? null : Number(v));
const iso = (v: Num): string => new Date(Number(v)).toISOString();
const isoOrNull = (v: Num | null): string | null => (v === null ? null : iso(v));
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toIncident(
  r: IncidentRow,
  counts: { firing: number; resolved: number },
  now: number,
): Incident {
  const end = r.resolved_at === null ? now : n(r.resolved_at);
  return {
    id: n(r.id),
    title: r.title,
    description: r.description,
    severity: r.severity,
    status: r.status,
    source: r.source,
    alertsState: r.alerts_state,
    groupKey: r.group_key,
    labels: parseJson<Labels>(r.labels, {}),
    acknowledged: r.acknowledged_by !== null,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    assignee: r.assignee,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: iso(r.started_at),
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    silencedUntil: r.silenced_until !== null && n(r.silenced_until) > now ? iso(r.silenced_until) : null,
    reopenCount: n(r.reopen_count),
    notificationCount: n(r.notification_count),
    lastNotificationAt: isoOrNull(r.last_notification_at),
    alertCounts: counts,
    runbookUrl: r.runbook_url,
    generatorUrl: r.generator_url,
    externalUrl: r.external_url,
    receiver: r.receiver,
    durationSeconds: Math.max(0, Math.round((end - n(r.created_at)) / 1000)),
  };
}

export function toAlert(r: AlertRow): IncidentAlert {
  return {
    fingerprint: r.fingerprint,
    status: r.status,
    severity: r.severity,
    labels: parseJson<Labels>(r.labels, {}),
    annotations: parseJson<Labels>(r.annotations, {}),
    startsAt: iso(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    generatorUrl: r.generator_url,
    runbookUrl: r.runbook_url,
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
  };
}

export function toEvent(r: EventRow): TimelineEvent {
  return {
    id: n(r.id),
    kind: r.kind,
    at: iso(r.at),
    author: r.author,
    tokenName: r.token_name,
    message: r.message,
    data: parseJson<Record<string, unknown> | null>(r.data, null),
  };
}

export function lifecycleState(r: IncidentRow): LifecycleState {
  return {
    id: n(r.id),
    status: r.status,
    severity: r.severity,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: nn(r.acknowledged_at),
    assignee: r.assignee,
    resolvedAt: nn(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    reopenCount: n(r.reopen_count),
  };
}

export function groupIncident(r: IncidentRow): GroupIncident {
  return { ...lifecycleState(r), alertsState: r.alerts_state };
}

/** Lifecycle fields → columns; ranks follow their names. */
export function patchColumns(p: GroupPatch): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (p.alertsState !== undefined) c.alerts_state = p.alertsState;
  if (p.status !== undefined) Object.assign(c, { status: p.status, status_rank: statusRank(p.status) });
  if (p.severity !== undefined)
    Object.assign(c, { severity: p.severity, severity_rank: severityRank(p.severity) });
  if (p.acknowledgedBy !== undefined) c.acknowledged_by = p.acknowledgedBy;
  if (p.acknowledgedAt !== undefined) c.acknowledged_at = p.acknowledgedAt;
  if (p.assignee !== undefined) c.assignee = p.assignee;
  if (p.resolvedAt !== undefined) c.resolved_at = p.resolvedAt;
  if (p.resolvedBy !== undefined) c.resolved_by = p.resolvedBy;
  if (p.resolutionNote !== undefined) c.resolution_note = p.resolutionNote;
  if (p.reopenCount !== undefined) c.reopen_count = p.reopenCount;
  return c;
}
