import type { components } from '../../api/openapi.gen';

export type Totals = Pick<components['schemas']['SlowQueryDetail'], 'count' | 'p95Ms' | 'totalSeconds'>;

export interface ComparisonRow {
  metric: 'Executions' | 'p95' | 'Total time';
  now: number;
  /** null: the fingerprint had no slow query in the previous range. */
  before: number | null;
  /** now / before − 1; null when there is nothing to compare with. */
  change: number | null;
}

/** The range of the same length that ends where this one starts (PMM QAN compares with it too). */
export function previousRange(from: number, to: number): { from: number; to: number } {
  return { from: from - (to - from), to: from };
}

export function comparePeriods(now: Totals, before: Totals | null): ComparisonRow[] {
  const row = (metric: ComparisonRow['metric'], pick: (t: Totals) => number): ComparisonRow => {
    const b = before ? pick(before) : null;
    return { metric, now: pick(now), before: b, change: b ? pick(now) / b - 1 : null };
  };
  return [
    row('Executions', (t) => t.count),
    row('p95', (t) => t.p95Ms),
    row('Total time', (t) => t.totalSeconds),
  ];
}
