/*
 * Shapes of the exporter's JSON API (exporter/openapi.yaml is the reference). Only the fields the
 * pages use are typed; the exporter may send more.
 */

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface WhoAmI {
  name: string;
  scopes: string[];
  /** The header the exporter reads the acting user from (exporters before 0.2 do not say). */
  userHeader?: string;
  /** The acting user that header carried on this request, or null when Grafana sent none. */
  user?: string | null;
}

export interface ServiceStatus {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  store: { kind: string; schemaVersion: number };
}

// ---- Slow queries -------------------------------------------------------------------------------

export type SlowQuerySort = 'totalTime' | 'count' | 'mean' | 'p95' | 'max' | 'lastSeen';

export interface FingerprintStats {
  id: string;
  fingerprint: string;
  dbSystem: string;
  database: string | null;
  operation: string;
  count: number;
  totalSeconds: number;
  /** Share of the total time of all matching fingerprints, 0…1. */
  share: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  firstSeen: string;
  lastSeen: string;
  nPlusOne: boolean;
}

export interface SlowQueryList {
  from: string;
  to: string;
  total: number;
  totalSeconds: number;
  sort: SlowQuerySort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  items: FingerprintStats[];
}

export interface SlowQuerySample {
  fingerprintId: string;
  sample: string;
  durationMs: number;
  dbSystem: string;
  database: string | null;
  operation: string;
  route: string;
  requestId: string | null;
  callSite: string | null;
  error: boolean;
  nPlusOne: boolean;
  capturedAt: string;
}

export interface SlowQueryDetail extends FingerprintStats {
  from: string;
  to: string;
  newest: SlowQuerySample[];
  slowest: SlowQuerySample[];
  routes: Array<{ route: string; count: number; totalSeconds: number }>;
  callSites: Array<{ callSite: string; count: number }>;
  bucketSeconds: number;
  timeline: Array<{ start: string; count: number; meanMs: number; p95Ms: number; maxMs: number }>;
}

export interface SlowQueryFilter {
  from?: number;
  to?: number;
  database?: string;
  route?: string;
  operation?: string;
  q?: string;
}

// ---- Incidents ----------------------------------------------------------------------------------

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export const INCIDENT_STATUSES: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

export type IncidentSeverity = 'low' | 'medium' | 'high' | 'critical';
export const INCIDENT_SEVERITIES: IncidentSeverity[] = ['critical', 'high', 'medium', 'low'];

export interface Incident {
  id: number;
  title: string;
  description: string | null;
  status: IncidentStatus;
  severity: IncidentSeverity;
  source: 'alertmanager' | 'manual';
  /** Whether the incident's alerts fire now; `none` for an incident opened by hand. */
  alertsState: 'firing' | 'resolved' | 'none';
  labels: Record<string, string>;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the first alert started firing, else createdAt. */
  startedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  silencedUntil: string | null;
  reopenCount: number;
  alertCounts: { firing: number; resolved: number };
  runbookUrl: string | null;
  generatorUrl: string | null;
  /** createdAt to resolvedAt, or to now while open. */
  durationSeconds: number;
}

export interface IncidentAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: IncidentSeverity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorUrl: string | null;
  runbookUrl: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface TimelineEvent {
  id: number;
  kind: string;
  at: string;
  author: string;
  tokenName: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface IncidentDetail extends Incident {
  alerts: IncidentAlert[];
  timeline: TimelineEvent[];
  timelineTruncated: boolean;
}

export interface IncidentList {
  total: number;
  limit: number;
  offset: number;
  items: Incident[];
}

export interface IncidentFilter {
  /** Statuses, or `open` for the three that are not resolved. */
  status?: string[];
  severity?: string[];
  /** `name=value` label matchers. */
  label?: string[];
  assignee?: string;
  q?: string;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

export interface DurationStats {
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface IncidentStats {
  from: string;
  to: string;
  total: number;
  open: number;
  unacknowledged: number;
  bySeverity: Record<IncidentSeverity, number>;
  byStatus: Record<IncidentStatus, number>;
  /** Mean time to acknowledge (creation → acknowledgement) over the acknowledged incidents. */
  mtta: DurationStats;
  /** Mean time to resolve (creation → resolution) over the resolved incidents. */
  mttr: DurationStats;
  truncated?: boolean;
}

export interface BulkResult {
  succeeded: number;
  failed: number;
  results: Array<{ id: number; ok: boolean; error?: { status: number; code: string; message: string } }>;
}

export interface SilenceResult {
  incident: Incident;
  silences: Array<{ id: string; fingerprint: string }>;
  until: string;
}

// ---- SLA reports --------------------------------------------------------------------------------

export type SlaStatus = 'meeting' | 'at_risk' | 'breaching' | 'no_data';
export type SlaPriority = 'critical' | 'high' | 'medium' | 'low';

export interface SlaEndpointReport {
  name: string;
  route: string;
  method: string | null;
  priority: SlaPriority;
  owner?: string | null;
  team?: string | null;
  /** null where the SLA sets no objective of that kind. */
  target: {
    latencyQuantile: number | null;
    latencyThresholdMs: number | null;
    errorRate: number | null;
    availability: number | null;
  };
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  latencyCompliance: number | null;
  errorRate: number | null;
  availability: number | null;
  budgetRemaining: number | null;
  budgetRemainingMinutes: number | null;
  status: SlaStatus;
  requests?: number | null;
  /** The PromQL behind each number, keyed like the numbers. */
  promql: Record<string, string>;
}

export interface SlaReport {
  period: { id: string; label: string; from: string; to: string };
  generatedAt: string;
  endpoints: SlaEndpointReport[];
}
