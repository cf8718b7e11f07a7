import { api } from '../../api/client';
import type { FingerprintStats, SlowQueryFilter, SlowQuerySort } from '../../api/types';

export const CSV_HEADER = [
  'fingerprint_id',
  'fingerprint',
  'db_system',
  'database',
  'operation',
  'count',
  'total_seconds',
  'share_percent',
  'mean_ms',
  'p95_ms',
  'max_ms',
  'first_seen',
  'last_seen',
  'n_plus_one',
];

export function slowQueryCsvRow(r: FingerprintStats): unknown[] {
  return [
    r.id,
    r.fingerprint,
    r.dbSystem,
    r.database ?? '',
    r.operation,
    r.count,
    r.totalSeconds.toFixed(3),
    (r.share * 100).toFixed(2),
    r.meanMs.toFixed(1),
    r.p95Ms.toFixed(1),
    r.maxMs.toFixed(1),
    r.firstSeen,
    r.lastSeen,
    r.nPlusOne ? 'yes' : 'no',
  ];
}

/** The most rows one CSV export fetches (20 API pages of 500). */
export const EXPORT_MAX_ROWS = 10_000;

/**
 * The matching fingerprints in the table's order, page by page. The API pages at 500 rows; an
 * export stops at EXPORT_MAX_ROWS so one click cannot pull an unbounded table into the browser.
 */
export async function fetchForExport(
  query: SlowQueryFilter & { sort: SlowQuerySort; order: 'asc' | 'desc' },
): Promise<{ rows: FingerprintStats[]; total: number }> {
  const rows: FingerprintStats[] = [];
  let total = 0;
  for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += 500) {
    const chunk = await api.slowQueries({ ...query, limit: 500, offset });
    total = chunk.total;
    rows.push(...chunk.items);
    if (rows.length >= chunk.total || chunk.items.length === 0) {
      break;
    }
  }
  return { rows, total };
}
