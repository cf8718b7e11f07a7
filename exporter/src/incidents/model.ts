/** Incident vocabulary shared by the store, the state machine, the webhook mapping and the API. */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];
export const OPEN_STATUSES: readonly Status[] = ['investigating', 'identified', 'monitoring'];

export type Source = 'alertmanager' | 'manual';
/** Whether the incident's alerts fire now; `none` for an incident without alerts (manual). */
export type AlertsState = 'firing' | 'resolved' | 'none';

export const EVENT_KINDS = [
  'opened',
  'reopened',
  'alertFired',
  'alertResolved',
  'alertsResolved',
  'statusChanged',
  'severityChanged',
  'acknowledged',
  'unacknowledged',
  'assigned',
  'note',
  'resolved',
  'silenced',
  'unsilenced',
  'diagnostics',
  'notified',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Sort ranks stored beside the names, so ORDER BY works the same on SQLite and PostgreSQL. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
export const statusRank = (s: Status): number => STATUSES.indexOf(s);
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  severityRank(a) >= severityRank(b) ? a : b;
export const TOP_SEVERITY: Severity = 'critical';

/** Author recorded on events the webhook causes. */
export const ALERTMANAGER_AUTHOR = 'alertmanager';
/** Author recorded on events Perfwatch itself adds (diagnostics, retention). */
export const SYSTEM_AUTHOR = 'perfwatch';

export type Labels = Record<string, string>;

/** Who performs an action: the person's name and the API token that carried the request. */
export interface Actor {
  name: string;
  tokenName: string | null;
}

export interface Incident {
  id: number;
  title: string;
  description: string | null;
  severity: Severity;
  status: Status;
  source: Source;
  alertsState: AlertsState;
  groupKey: string | null;
  labels: Labels;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the first alert started firing (Alertmanager's startsAt), else createdAt. */
  startedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  silencedUntil: string | null;
  reopenCount: number;
  notificationCount: number;
  lastNotificationAt: string | null;
  alertCounts: { firing: number; resolved: number };
  runbookUrl: string | null;
  generatorUrl: string | null;
  externalUrl: string | null;
  receiver: string | null;
  /** Seconds from createdAt to resolvedAt, or to now while open. */
  durationSeconds: number;
}

export interface IncidentAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string | null;
  generatorUrl: string | null;
  runbookUrl: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface TimelineEvent {
  id: number;
  kind: EventKind;
  at: string;
  author: string;
  /** Name of the API token that carried the action; null for events Perfwatch or Alertmanager caused. */
  tokenName: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface IncidentDetail extends Incident {
  alerts: IncidentAlert[];
  timeline: TimelineEvent[];
  timelineTruncated: boolean;
}
