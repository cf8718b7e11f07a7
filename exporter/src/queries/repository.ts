import type { Knex } from 'knex';
import type { SlowQuerySummary } from './reader';
import type { Store } from '../store/store';
import { escapeLike } from '../store/like';
import { percentile, type Row, toSample } from './sample-rows';

export { percentile, summarise } from './sample-rows';
import { fingerprintId, type SlowQuerySample, type PendingTally } from '@perfwatch/node/internal';

const TABLE = 'slow_query_samples';
/**
 * The service value of samples that name none, in facets, groups and the filter. A service name is
 * letters, digits, _ . and - (queries.service, an ingested batch's app), so it can never be this.
 */
export const NO_SERVICE = '(none)';
/** A tally is added to its fingerprint's latest row when that row is this recent; else it gets its own. */
const TALLY_ATTACH_MS = 60_000;
/** Tallies added to existing rows per batch (one statement each); the rest get rows of their own. */
const MAX_TALLY_UPDATES = 32;
/** Durations read to compute percentiles over a range; beyond it the newest are used. */
const MAX_PERCENTILE_ROWS = 200_000;

/** The columns a sample is shown from (toSample). */
const SAMPLE_COLUMNS = [
  'fingerprint_id',
  'sample',
  'duration_ms',
  'db_system',
  'database',
  'operation',
  'route',
  'service',
  'request_id',
  'call_site',
  'error',
  'n_plus_one',
  'sampled_out',
  'sampled_out_ms',
  'captured_at',
];

export interface SlowQueryFilter {
  from: number;
  to: number;
  database?: string;
  route?: string;
  operation?: string;
  /** The sending app; NO_SERVICE for samples that name none. */
  service?: string;
  /** Case-insensitive substring of the fingerprint. */
  text?: string;
  fingerprintId?: string;
}

export interface FingerprintStats {
  id: string;
  fingerprint: string;
  dbSystem: string;
  database: string | null;
  operation: string;
  /** Slow queries in the range: kept samples plus those sampled out under load. */
  count: number;
  /** Samples kept (at most count). */
  sampleCount: number;
  totalSeconds: number;
  /** Share of the total time of all fingerprints matching the filter, 0…1. */
  share: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  firstSeen: string;
  lastSeen: string;
  nPlusOne: boolean;
}

/**
 * The dimensions the page groups and facets by, as SQL over a sample row. A query with no database
 * name counts under its db system, which the database filter also matches; a sample with no service
 * under NO_SERVICE, which the service filter also takes.
 */
const DIMENSIONS = {
  database: 'coalesce(database, db_system)',
  route: 'route',
  operation: 'operation',
  service: `coalesce(service, '${NO_SERVICE}')`,
} as const;

export type FacetName = keyof typeof DIMENSIONS;
/** What the list can be grouped by besides fingerprints. */
export type GroupBy = Exclude<FacetName, 'operation'>;

/** One value of a grouping dimension (a route, a database, a service) over the filter. */
export interface GroupStats {
  value: string;
  /** Distinct fingerprints among its slow queries. */
  fingerprints: number;
  count: number;
  sampleCount: number;
  totalSeconds: number;
  share: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  firstSeen: string;
  lastSeen: string;
  nPlusOne: boolean;
}

export interface FacetValue {
  value: string;
  count: number;
  totalSeconds: number;
}

export type SortKey = 'totalTime' | 'count' | 'mean' | 'p95' | 'max' | 'lastSeen';

/**
 * PostgreSQL text cannot hold NUL: one in an app's SQL made every later flush fail and retry the whole
 * batch, so nothing was stored until a restart. Both stores keep U+FFFD instead, so they agree.
 */
const noNul = (s: string) => (s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s);

type LoadRow = Record<string, string | number | null>;

/**
 * Adds a group's slow-query load to a grouped read: its kept samples and their time, and the
 * sampled-out queries tallied onto them. loadOf reads it back; BY_LOAD orders by it.
 */
const withLoad = (q: Knex.QueryBuilder): Knex.QueryBuilder =>
  q
    .count({ samples: '*' })
    .sum({ kept_ms: 'duration_ms', sampled_out: 'sampled_out', sampled_out_ms: 'sampled_out_ms' });
const BY_LOAD = 'sum(duration_ms) + sum(sampled_out_ms) desc';
/** A withLoad row's slow queries and their time, sampled-out ones included. */
const loadOf = (r: LoadRow) => ({
  count: Number(r.samples) + Number(r.sampled_out ?? 0),
  totalMs: Number(r.kept_ms) + Number(r.sampled_out_ms ?? 0),
});

type CommonStats = Omit<GroupStats, 'value' | 'fingerprints'>;

/**
 * The stats every aggregate row carries, from statsBy's rows. Sampled-out queries count and add their
 * time; the slowest query of every second is always kept, so the maximum over kept samples is exact.
 * p95 is over kept samples.
 */
function commonStats(
  rows: LoadRow[],
  p95s: Map<string, number[]>,
): { totalMs: number; common: CommonStats[] } {
  const totalMs = rows.reduce((a, g) => a + loadOf(g).totalMs, 0);
  const common = rows.map((g) => {
    const { count, totalMs: total } = loadOf(g);
    return {
      count,
      sampleCount: Number(g.samples),
      totalSeconds: total / 1000,
      share: totalMs > 0 ? total / totalMs : 0,
      meanMs: count > 0 ? total / count : 0,
      p95Ms: p95s.get(String(g.k))?.[0] ?? 0,
      maxMs: Number(g.max_ms),
      firstSeen: new Date(Number(g.first_seen)).toISOString(),
      lastSeen: new Date(Number(g.last_seen)).toISOString(),
      nPlusOne: Number(g.n_plus_one) > 0,
    };
  });
  return { totalMs, common };
}

/** Sorts in place by the API's sort key, ties broken by `id` so pages never overlap. */
function sortStats<T extends CommonStats>(
  items: T[],
  sort: SortKey,
  order: 'asc' | 'desc',
  id: (s: T) => string,
): void {
  const key: Record<SortKey, (s: T) => number> = {
    totalTime: (s) => s.totalSeconds,
    count: (s) => s.count,
    mean: (s) => s.meanMs,
    p95: (s) => s.p95Ms,
    max: (s) => s.maxMs,
    lastSeen: (s) => Date.parse(s.lastSeen),
  };
  const dir = order === 'asc' ? 1 : -1;
  items.sort((a, b) => dir * (key[sort](a) - key[sort](b)) || id(a).localeCompare(id(b)));
}

/** Slow-query samples in the store: batch writes, per-fingerprint aggregates, retention. */
export class SlowQueryRepository {
  constructor(private readonly store: Store) {}

  private get db(): Knex {
    return this.store.db;
  }

  /**
   * Writes samples, and tallies of sampled-out queries, in one transaction: a batch is stored whole or
   * not at all, so a retry never duplicates. A tally is added to its fingerprint's latest row of the
   * same service when that row is recent and at least as slow (so counts, totals and the maximum stay
   * exact); otherwise it becomes a row of its own whose sample is the fingerprint (no literals), whose
   * duration is the tally's slowest and whose sampled_out holds the rest.
   */
  async insert(samples: SlowQuerySample[], tallies: PendingTally[] = []): Promise<void> {
    if (samples.length === 0 && tallies.length === 0) return;
    const rows = samples.map((s) => ({
      fingerprint_id: s.fingerprintId,
      fingerprint: noNul(s.fingerprint),
      sample: noNul(s.sample),
      duration_ms: s.durationMs,
      db_system: noNul(s.dbSystem),
      database: s.database === null ? null : noNul(s.database),
      operation: s.operation,
      route: noNul(s.route),
      service: s.service,
      request_id: s.requestId === null ? null : noNul(s.requestId),
      call_site: s.callSite === null ? null : noNul(s.callSite),
      error: s.error,
      n_plus_one: s.nPlusOne,
      sampled_out: s.sampledOut,
      sampled_out_ms: s.sampledOutMs,
      captured_at: s.capturedAt,
    }));
    await this.db.transaction(async (trx) => {
      const own: typeof rows = [];
      for (const [i, t] of tallies.entries()) {
        const id = fingerprintId(t.fingerprint);
        // One statement per tally, and at most MAX_TALLY_UPDATES of them per batch: past that, tallies
        // get rows of their own so that a batch's round trips stay bounded.
        if (i < MAX_TALLY_UPDATES) {
          // Of the same service: another app's sample of the statement would count these as its own.
          const latest = trx(TABLE)
            .select('id')
            .where('fingerprint_id', id)
            .andWhere((w) => (t.service === null ? w.whereNull('service') : w.where('service', t.service)))
            .andWhere('captured_at', '>=', t.at - TALLY_ATTACH_MS)
            .orderBy('captured_at', 'desc')
            .limit(1);
          const updated = await trx(TABLE)
            .where('id', latest)
            .andWhere('duration_ms', '>=', t.maxMs)
            .update({
              sampled_out: trx.raw('sampled_out + ?', [t.count]),
              sampled_out_ms: trx.raw('sampled_out_ms + ?', [t.ms]),
            });
          if (updated > 0) continue;
        }
        own.push({
          fingerprint_id: id,
          fingerprint: noNul(t.fingerprint),
          sample: noNul(t.fingerprint),
          duration_ms: t.maxMs,
          db_system: noNul(t.dbSystem),
          database: t.database === null ? null : noNul(t.database),
          operation: t.operation,
          route: noNul(t.route),
          service: t.service,
          request_id: null,
          call_site: null,
          error: false,
          n_plus_one: false,
          sampled_out: t.count - 1,
          sampled_out_ms: Math.max(0, t.ms - t.maxMs),
          captured_at: t.at,
        });
      }
      const all = [...rows, ...own];
      if (all.length > 0) await trx.batchInsert(TABLE, all, 200);
    });
  }

  private filtered(f: SlowQueryFilter): Knex.QueryBuilder {
    const q = this.db(TABLE).where('captured_at', '>=', f.from).andWhere('captured_at', '<=', f.to);
    if (f.database) q.andWhere((w) => w.where('database', f.database!).orWhere('db_system', f.database!));
    if (f.route) q.andWhere('route', f.route);
    if (f.operation) q.andWhere('operation', f.operation.toUpperCase());
    if (f.service === NO_SERVICE) q.whereNull('service');
    else if (f.service) q.andWhere('service', f.service);
    if (f.fingerprintId) q.andWhere('fingerprint_id', f.fingerprintId);
    if (f.text)
      q.andWhereRaw(`lower(fingerprint) like ? escape '\\'`, [`%${escapeLike(f.text.toLowerCase())}%`]);
    return q;
  }

  /**
   * The fingerprint's most recent sample's identity (text, database, db_system), optionally for one
   * database label: what EXPLAIN needs to pick a connection.
   */
  async latest(
    fingerprintId: string,
    database?: string,
  ): Promise<{ fingerprint: string; database: string | null; dbSystem: string } | undefined> {
    const q = this.db(TABLE).where('fingerprint_id', fingerprintId);
    if (database) q.andWhere((w) => w.where('database', database).orWhere('db_system', database));
    const rows = await this.store.readRows<Pick<Row, 'fingerprint' | 'database' | 'db_system'>>(
      q.select('fingerprint', 'database', 'db_system').orderBy('captured_at', 'desc').limit(1),
    );
    const r = rows[0];
    return r && { fingerprint: r.fingerprint, database: r.database, dbSystem: r.db_system };
  }

  /**
   * Counts, time, maximum, first and last seen, N+1 and p95 per value of `keySql` over the filter, with
   * `extra` columns; the key comes back as `k`. Shared by the fingerprint list and its group-by views.
   */
  private async statsBy(
    f: SlowQueryFilter,
    keySql: string,
    extra: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<{ rows: LoadRow[]; p95s: Map<string, number[]> }> {
    // Reads go through the store's off-loop reader: on SQLite they run on a worker thread.
    const rows = await this.store.readRows<LoadRow>(
      withLoad(extra(this.filtered(f).select(this.db.raw(`${keySql} as k`))))
        .max({ max_ms: 'duration_ms', last_seen: 'captured_at' })
        .min({ first_seen: 'captured_at' })
        .select(this.db.raw('max(case when n_plus_one then 1 else 0 end) as n_plus_one'))
        .groupByRaw(keySql),
    );
    const p95s = await this.store.readQuantiles(
      this.filtered(f)
        .select(this.db.raw(`${keySql} as k`), 'duration_ms')
        .orderBy('captured_at', 'desc')
        .limit(MAX_PERCENTILE_ROWS),
      [0.95],
    );
    return { rows, p95s };
  }

  /** Per-fingerprint aggregates over the filter, sorted, with the overall total for shares. */
  async aggregate(
    f: SlowQueryFilter,
    sort: SortKey,
    order: 'asc' | 'desc',
  ): Promise<{ items: FingerprintStats[]; totalSeconds: number }> {
    const { rows, p95s } = await this.statsBy(f, 'fingerprint_id', (q) =>
      q.min({
        fingerprint: 'fingerprint',
        db_system: 'db_system',
        database: 'database',
        operation: 'operation',
      }),
    );
    const { totalMs, common } = commonStats(rows, p95s);
    const items: FingerprintStats[] = rows.map((g, i) => ({
      id: String(g.k),
      fingerprint: String(g.fingerprint),
      dbSystem: String(g.db_system),
      database: g.database === null ? null : String(g.database),
      operation: String(g.operation),
      ...common[i],
    }));
    sortStats(items, sort, order, (s) => s.id);
    return { items, totalSeconds: totalMs / 1000 };
  }

  /**
   * Aggregates per route, database or service instead of per fingerprint (PMM's "group by"): each
   * value's slow queries over the filter, with how many fingerprints they span, sorted like the list.
   */
  async groups(
    f: SlowQueryFilter,
    by: GroupBy,
    sort: SortKey,
    order: 'asc' | 'desc',
  ): Promise<{ items: GroupStats[]; totalSeconds: number }> {
    const { rows, p95s } = await this.statsBy(f, DIMENSIONS[by], (q) =>
      q.countDistinct({ fingerprints: 'fingerprint_id' }),
    );
    const { totalMs, common } = commonStats(rows, p95s);
    const items: GroupStats[] = rows.map((g, i) => ({
      value: String(g.k),
      fingerprints: Number(g.fingerprints),
      ...common[i],
    }));
    sortStats(items, sort, order, (s) => s.value);
    return { items, totalSeconds: totalMs / 1000 };
  }

  /**
   * Load of the given fingerprints (or routes, databases, services: `by`) over the filter's range in
   * `buckets` equal buckets: slow queries and their time per bucket, sampled-out ones included (they
   * are tallied onto a kept row, so they land in that row's bucket). One grouped read for one page;
   * per fingerprint it runs over the (fingerprint_id, captured_at) index.
   */
  async series(
    f: SlowQueryFilter,
    ids: string[],
    buckets: number,
    by: GroupBy | 'fingerprint' = 'fingerprint',
  ): Promise<{ bucketMs: number; series: Map<string, { count: number[]; totalMs: number[] }> }> {
    const keySql = by === 'fingerprint' ? 'fingerprint_id' : DIMENSIONS[by];
    const bucketMs = Math.max(1, Math.ceil((f.to - f.from + 1) / buckets));
    const series = new Map<string, { count: number[]; totalMs: number[] }>();
    if (ids.length === 0) return { bucketMs, series };
    for (const id of ids)
      series.set(id, {
        count: new Array<number>(buckets).fill(0),
        totalMs: new Array<number>(buckets).fill(0),
      });
    const rows = await this.store.readRows<LoadRow>(
      withLoad(
        this.filtered(f)
          .whereRaw(`${keySql} in (${ids.map(() => '?').join(', ')})`, ids)
          // captured_at >= from, so truncation is floor; the cast makes SQLite's REAL division an index.
          .select(
            this.db.raw(`${keySql} as k`),
            this.db.raw('cast((captured_at - ?) / ? as integer) as bucket', [f.from, bucketMs]),
          ),
      ).groupByRaw(`${keySql}, bucket`),
    );
    for (const r of rows) {
      const s = series.get(String(r.k));
      const b = Math.min(buckets - 1, Number(r.bucket));
      if (!s) continue;
      const load = loadOf(r);
      s.count[b] += load.count;
      s.totalMs[b] += load.totalMs;
    }
    return { bucketMs, series };
  }

  /**
   * The top values of each facet (database, route, operation, service) by slow-query time, each read
   * with every filter but its own so that the values are the alternatives to the current choice.
   */
  async facets(
    f: SlowQueryFilter,
    top: number,
  ): Promise<Array<{ name: FacetName; values: FacetValue[]; truncated: boolean }>> {
    const out: Array<{ name: FacetName; values: FacetValue[]; truncated: boolean }> = [];
    for (const name of Object.keys(DIMENSIONS) as FacetName[]) {
      const rows = await this.store.readRows<LoadRow>(
        withLoad(
          this.filtered({ ...f, [name]: undefined }).select(this.db.raw(`${DIMENSIONS[name]} as value`)),
        )
          .groupByRaw(DIMENSIONS[name])
          .orderByRaw(`${BY_LOAD}, 1`)
          .limit(top + 1),
      );
      out.push({
        name,
        truncated: rows.length > top,
        values: rows.slice(0, top).map((r) => {
          const { count, totalMs } = loadOf(r);
          return { value: String(r.value), count, totalSeconds: totalMs / 1000 };
        }),
      });
    }
    return out;
  }

  async detail(f: SlowQueryFilter & { fingerprintId: string }, buckets = 60) {
    const [stats] = (await this.aggregate(f, 'totalTime', 'desc')).items;
    if (!stats) return undefined;
    const cols = SAMPLE_COLUMNS;
    const newest = (
      await this.store.readRows<Row>(this.filtered(f).select(cols).orderBy('captured_at', 'desc').limit(10))
    ).map(toSample);
    const slowest = (
      await this.store.readRows<Row>(this.filtered(f).select(cols).orderBy('duration_ms', 'desc').limit(10))
    ).map(toSample);
    const routes = await this.store.readRows<LoadRow>(
      withLoad(this.filtered(f).select('route')).groupBy('route').orderByRaw(BY_LOAD).limit(50),
    );
    const callSites = await this.store.readRows<{ call_site: string; count: number | string }>(
      this.filtered(f)
        .whereNotNull('call_site')
        .select('call_site')
        .count({ count: '*' })
        .groupBy('call_site')
        .orderBy('count', 'desc')
        .limit(50),
    );
    const bucketMs = Math.max(1000, Math.ceil((f.to - f.from) / buckets));
    const points = await this.store.readColumns(
      this.filtered(f).select('captured_at', 'duration_ms').limit(MAX_PERCENTILE_ROWS),
    );
    const at = points.columns.captured_at as Array<number | string>;
    const took = points.columns.duration_ms as Array<number | string>;
    const series = new Map<number, number[]>();
    for (let i = 0; i < points.length; i++) {
      const start = f.from + Math.floor((Number(at[i]) - f.from) / bucketMs) * bucketMs;
      let list = series.get(start);
      if (!list) series.set(start, (list = []));
      list.push(Number(took[i]));
    }
    const timeline = [...series.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, ds]) => {
        const sorted = ds.sort((a, b) => a - b);
        return {
          start: new Date(start).toISOString(),
          count: ds.length,
          meanMs: ds.reduce((a, b) => a + b, 0) / ds.length,
          p95Ms: percentile(sorted, 0.95),
          maxMs: sorted[sorted.length - 1],
        };
      });
    return {
      ...stats,
      newest,
      slowest,
      routes: routes.map((r) => {
        const { count, totalMs } = loadOf(r);
        return { route: String(r.route), count, totalSeconds: totalMs / 1000 };
      }),
      callSites: callSites.map((c) => ({ callSite: c.call_site, count: Number(c.count) })),
      bucketSeconds: bucketMs / 1000,
      timeline,
    };
  }

  /**
   * The samples of one request or job (exact request id), oldest first, at most `limit`, and how many
   * are stored. Served by the (request_id, captured_at) index.
   */
  async byRequest(requestId: string, limit: number): Promise<{ rows: Row[]; total: number }> {
    const rows = await this.store.readRows<Row>(
      this.db(TABLE)
        .where('request_id', requestId)
        .select('fingerprint', ...SAMPLE_COLUMNS)
        .orderBy([
          { column: 'captured_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(limit),
    );
    if (rows.length < limit) return { rows, total: rows.length };
    const [{ n }] = await this.store.readRows<{ n: number | string }>(
      this.db(TABLE).where('request_id', requestId).count({ n: '*' }),
    );
    return { rows, total: Number(n) };
  }

  async top(sinceMs: number, limit: number): Promise<SlowQuerySummary[]> {
    const { items } = await this.aggregate({ from: sinceMs, to: Date.now() }, 'totalTime', 'desc');
    return items.slice(0, limit).map((s) => ({
      fingerprintId: s.id,
      fingerprint: s.fingerprint,
      database: s.database ?? s.dbSystem,
      count: s.count,
      totalSeconds: s.totalSeconds,
      maxSeconds: s.maxMs / 1000,
      p95Seconds: s.p95Ms / 1000,
    }));
  }

  /** Deletes samples older than `before` in chunks, so a large purge never holds a long lock. */
  async purge(before: number, chunk = 5000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.db(TABLE)
        .whereIn('id', this.db(TABLE).select('id').where('captured_at', '<', before).limit(chunk))
        .delete();
      deleted += n;
      if (n < chunk) return deleted;
    }
  }
}
