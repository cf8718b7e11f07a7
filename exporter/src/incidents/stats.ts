import type { Severity, Source, Status } from './model';
import { SEVERITIES, STATUSES } from './model';

/** What MTTA/MTTR need of one incident (epoch ms). */
export interface StatsRow {
  severity: Severity;
  status: Status;
  source: Source;
  createdAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
}

export interface DurationStats {
  /** Incidents the figure is computed over. */
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface IncidentStats {
  total: number;
  open: number;
  unacknowledged: number;
  bySeverity: Record<Severity, number>;
  byStatus: Record<Status, number>;
  bySource: Record<Source, number>;
  /** Mean time to acknowledge: createdAt → acknowledgedAt, over acknowledged incidents. */
  mtta: DurationStats;
  /** Mean time to resolve: createdAt → resolvedAt, over resolved incidents. */
  mttr: DurationStats;
}

/** Nearest-rank percentile (the value at rank ⌈p·n⌉), so every figure is one of the inputs. */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function durationStats(seconds: number[]): DurationStats {
  if (seconds.length === 0) return { count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };
  const sorted = [...seconds].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    count: sorted.length,
    meanSeconds: mean,
    medianSeconds: nearestRank(sorted, 0.5),
    p90Seconds: nearestRank(sorted, 0.9),
  };
}

/**
 * Counts and MTTA/MTTR over the incidents created in a period. An acknowledgement or resolution
 * recorded before creation (clock skew between replicas) counts as zero, never negative.
 */
export function incidentStats(rows: StatsRow[]): IncidentStats {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const bySource: Record<Source, number> = { alertmanager: 0, manual: 0 };
  const tta: number[] = [];
  const ttr: number[] = [];
  let open = 0;
  let unacknowledged = 0;
  for (const r of rows) {
    bySeverity[r.severity]++;
    byStatus[r.status]++;
    bySource[r.source]++;
    if (r.status !== 'resolved') {
      open++;
      if (r.acknowledgedAt === null) unacknowledged++;
    }
    if (r.acknowledgedAt !== null) tta.push(Math.max(0, r.acknowledgedAt - r.createdAt) / 1000);
    if (r.status === 'resolved' && r.resolvedAt !== null)
      ttr.push(Math.max(0, r.resolvedAt - r.createdAt) / 1000);
  }
  return {
    total: rows.length,
    open,
    unacknowledged,
    bySeverity,
    byStatus,
    bySource,
    mtta: durationStats(tta),
    mttr: durationStats(ttr),
  };
}
