/** Rows of slow_query_samples as the API shows them, and the in-memory summary diagnostics fall back on. */
import type { SlowQuerySample } from '@perfwatch/node/internal';
import type { SlowQuerySummary } from './reader';

export interface Row {
  fingerprint_id: string;
  fingerprint: string;
  db_system: string;
  database: string | null;
  operation: string;
  sample: string;
  duration_ms: number | string;
  route: string;
  service: string | null;
  request_id: string | null;
  call_site: string | null;
  error: boolean | number;
  n_plus_one: boolean | number;
  sampled_out: number | string;
  sampled_out_ms: number | string;
  captured_at: number | string;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function toSample(r: Row) {
  return {
    fingerprintId: r.fingerprint_id,
    sample: r.sample,
    durationMs: Number(r.duration_ms),
    dbSystem: r.db_system,
    database: r.database,
    operation: r.operation,
    route: r.route,
    service: r.service,
    requestId: r.request_id,
    callSite: r.call_site,
    error: Boolean(r.error),
    nPlusOne: Boolean(r.n_plus_one),
    sampledOut: Number(r.sampled_out),
    capturedAt: new Date(Number(r.captured_at)).toISOString(),
  };
}

/**
 * Top fingerprints by total time from samples in memory: what diagnostics get while the store is
 * unreachable (an incident is a likely time for that).
 */
export function summarise(samples: SlowQuerySample[], sinceMs: number, limit: number): SlowQuerySummary[] {
  const groups = new Map<string, SlowQuerySample[]>();
  for (const s of samples) {
    if (s.capturedAt < sinceMs) continue;
    const list = groups.get(s.fingerprintId);
    if (list) list.push(s);
    else groups.set(s.fingerprintId, [s]);
  }
  return [...groups.values()]
    .map((list) => {
      const durations = list.map((s) => s.durationMs).sort((a, b) => a - b);
      const first = list[0];
      return {
        fingerprintId: first.fingerprintId,
        fingerprint: first.fingerprint,
        database: first.database ?? first.dbSystem,
        count: list.reduce((a, s) => a + 1 + s.sampledOut, 0),
        totalSeconds: list.reduce((a, s) => a + s.durationMs + s.sampledOutMs, 0) / 1000,
        maxSeconds: durations[durations.length - 1] / 1000,
        p95Seconds: percentile(durations, 0.95) / 1000,
      };
    })
    .sort((a, b) => b.totalSeconds - a.totalSeconds || a.fingerprintId.localeCompare(b.fingerprintId))
    .slice(0, limit);
}
