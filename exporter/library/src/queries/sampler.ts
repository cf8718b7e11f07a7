import { LRUCache } from 'lru-cache';
import type { RecordedQuery, Recorder } from '../core/recorder';
import { callSiteOf, type CallSitePolicy } from './call-site';
import type { QueriesConfig } from './config';
import {
  backslashEscapesIn,
  fingerprintId,
  fingerprintText,
  type NormalisationRule,
  redactSql,
} from './fingerprint';
import type { SlowQuerySample } from './sample';

/** Longest SQL text fingerprinted or stored; longer statements are cut (and marked) first. */
const MAX_SQL_CHARS = 20_000;
/** Fingerprints remembered per exact statement text, so repeated statements are fingerprinted once. */
const FINGERPRINT_CACHE = 2000;
/** Fingerprints whose sampled-out queries are tallied until their next kept sample. */
const MAX_TALLIED_FINGERPRINTS = 1000;
/**
 * Byte budgets (strings at two bytes a character) of the structures that hold statement text: entry
 * counts alone let 2 000 cached 100 KB statements or 1 000 samples of 20 000 characters hold hundreds
 * of megabytes.
 */
export const MAX_FINGERPRINT_CACHE_BYTES = 16 * 1024 * 1024;
export const MAX_TALLY_BYTES = 4 * 1024 * 1024;
export const MAX_PENDING_BYTES = 32 * 1024 * 1024;
const OVERHEAD = 64;
/** Characters charged for a cached redacted text beyond its statement's length. */
const REDACTED_RESERVE = 32;

/** What is derived from one exact statement text: its fingerprint, and once kept its id and redaction. */
interface Derived {
  text: string;
  id?: string;
  redacted?: string;
}

const lastOf = (q: RecordedQuery): Tally['last'] => ({
  dbSystem: q.dbSystem,
  database: q.database,
  operation: q.operation,
  route: q.route,
  time: q.time,
});

const sampleBytes = (s: SlowQuerySample) =>
  OVERHEAD * 4 +
  2 *
    (s.fingerprint.length +
      s.sample.length +
      s.route.length +
      (s.service?.length ?? 0) +
      (s.requestId?.length ?? 0) +
      (s.callSite?.length ?? 0) +
      (s.database?.length ?? 0));

export function rulesOf(config: QueriesConfig): NormalisationRule[] {
  return config.normalisation.map((r) => ({
    pattern: new RegExp(r.pattern, 'g'),
    replacement: r.replacement,
  }));
}

const truncate = (sql: string) =>
  sql.length > MAX_SQL_CHARS ? `${sql.slice(0, MAX_SQL_CHARS)} /* truncated */` : sql;

/**
 * Where a fingerprint's tally is kept: per service too, so that one app's sampled-out queries are
 * never counted onto another's sample of the same statement (a service name holds no NUL).
 */
const tallyKey = (fingerprint: string, service: string | null) =>
  service === null ? fingerprint : `${service}\u0000${fingerprint}`;
/** What a tally's key and fingerprint cost (one string when the key is the fingerprint). */
const tallyBytesOf = (key: string, fingerprint: string) =>
  OVERHEAD + 2 * key.length + (key === fingerprint ? 0 : 2 * fingerprint.length);

/** Sampled-out slow queries of one fingerprint (and service) since its last kept sample. */
interface Tally {
  fingerprint: string;
  service: string | null;
  count: number;
  ms: number;
  /** The slowest of them, and where the last one came from: what a stored tally row shows. */
  maxMs: number;
  /** Small fields only: the tally must not hold the statement text. */
  last: Pick<RecordedQuery, 'dbSystem' | 'database' | 'operation' | 'route' | 'time'>;
}

/** Sampled-out queries of one fingerprint not yet attached to a kept sample, as the store writes them. */
export interface PendingTally {
  fingerprint: string;
  count: number;
  ms: number;
  maxMs: number;
  dbSystem: string;
  database: string | null;
  operation: string;
  route: string;
  service: string | null;
  at: number;
}

/**
 * Decides which queries are slow, keeps samples of them in a bounded buffer and hands them to a
 * writer in batches. Every slow query is counted (db_client_slow_queries_total); under load only
 * `maxSamplesPerSecond` are kept, plus any that is the slowest so far in its second, and the rest are
 * counted as sampled out (perfwatch_slow_queries_sampled_out_total) and tallied per fingerprint onto
 * that fingerprint's next kept sample — so the API's counts and total times stay honest while memory
 * stays bounded. Slow queries take at least the threshold (100 ms by default), so fingerprinting each
 * one costs a negligible share of its own time; fast queries are never fingerprinted here.
 */
export class SlowQuerySampler {
  private pending: SlowQuerySample[] = [];
  /** Samples the ring has dropped so far: a commit that saw it grow cannot promise its samples. */
  droppedSamples = 0;
  private pendingBytes = 0;
  private tallyBytes = 0;
  private windowSecond = 0;
  private keptThisSecond = 0;
  private slowestThisSecond = 0;
  private readonly rules: NormalisationRule[];
  private readonly cache = [0, 1].map(
    () =>
      new LRUCache<string, Derived>({
        max: FINGERPRINT_CACHE,
        maxSize: MAX_FINGERPRINT_CACHE_BYTES / 2,
        // A statement too large for the budget is fingerprinted each time instead of cached.
        maxEntrySize: MAX_FINGERPRINT_CACHE_BYTES / 32,
        // The redacted text, filled in when a sample is kept, is charged up front.
        sizeCalculation: (d, sql) => OVERHEAD * 2 + 2 * (d.text.length + REDACTED_RESERVE + 2 * sql.length),
      }),
  );
  private readonly tallies = new Map<string, Tally>();
  /**
   * The sampler's clock. The per-second window follows arrival, never an event's own `time`: a sender's
   * skewed (or chosen) clock reset the window with every event and bypassed the budget.
   */
  clock: () => number = Date.now;
  /** The last query this sampler saw over the threshold, and what became of it. */
  private last: { query: RecordedQuery; sample?: SlowQuerySample; tallied?: string } | undefined;

  constructor(
    private readonly recorder: Recorder,
    private readonly config: QueriesConfig,
    private readonly callSites?: CallSitePolicy,
  ) {
    this.rules = rulesOf(config);
  }

  thresholdMs(q: { dbSystem: string; database?: string }): number {
    return (
      (q.database !== undefined ? this.config.thresholds[q.database] : undefined) ??
      this.config.thresholds[q.dbSystem] ??
      this.config.slowThresholdMs
    );
  }

  /** The fingerprint text of a query, cached by its exact text (and quoting rule). */
  fingerprintOf(q: { sql: string; dbSystem: string }): string {
    return this.derivedOf(q).text;
  }

  private derivedOf(q: { sql: string; dbSystem: string }): Derived {
    const backslashEscapes = backslashEscapesIn(q.dbSystem);
    const cache = this.cache[backslashEscapes ? 1 : 0];
    let d = cache.get(q.sql);
    if (d === undefined) {
      d = { text: fingerprintText(truncate(q.sql), { rules: this.rules, backslashEscapes }) };
      cache.set(q.sql, d);
      this.recorder.metrics.boundedBytes.set(
        { component: 'fingerprint_cache' },
        this.cache[0].calculatedSize + this.cache[1].calculatedSize,
      );
    }
    return d;
  }

  /** The recorder listener: one comparison for fast queries. */
  readonly onQuery = (q: RecordedQuery): void => {
    const ms = q.durationSeconds * 1000;
    if (ms < this.thresholdMs(q)) return;
    const dbSystem = this.recorder.label('db_client_slow_queries_total', 'db_system', q.dbSystem);
    this.recorder.metrics.dbSlowQueries.inc({ db_system: dbSystem, operation: q.operation });
    const second = Math.floor(this.clock() / 1000);
    if (second !== this.windowSecond) {
      this.windowSecond = second;
      this.keptThisSecond = 0;
      this.slowestThisSecond = 0;
    }
    // The slowest-so-far exception is bounded too (at most the budget again): a rising sequence of
    // durations would otherwise keep every query.
    const slowest = ms > this.slowestThisSecond && this.keptThisSecond < 2 * this.config.maxSamplesPerSecond;
    if (ms > this.slowestThisSecond) this.slowestThisSecond = ms;
    if (this.keptThisSecond >= this.config.maxSamplesPerSecond && !slowest) {
      this.recorder.metrics.slowQueriesSampledOut.inc({ db_system: dbSystem });
      this.last = { query: q, tallied: this.tally(q, ms) };
      return;
    }
    this.keptThisSecond++;
    this.keep(q, false);
  };

  /** The service a query's sample is stored under: its own (ingested), else queries.service. */
  private serviceOf(q: RecordedQuery): string | null {
    return q.service ?? this.config.service;
  }

  /** Adds a sampled-out query to its fingerprint's tally; returns the tally's key, if tallied. */
  private tally(q: RecordedQuery, ms: number): string | undefined {
    const fp = this.fingerprintOf(q);
    const service = this.serviceOf(q);
    const key = tallyKey(fp, service);
    let t = this.tallies.get(key);
    if (!t) {
      const bytes = tallyBytesOf(key, fp);
      if (this.tallies.size >= MAX_TALLIED_FINGERPRINTS || this.tallyBytes + bytes > MAX_TALLY_BYTES) {
        this.recorder.drop('slow_queries', 'tally_full');
        return undefined;
      }
      t = { fingerprint: fp, service, count: 0, ms: 0, maxMs: 0, last: lastOf(q) };
      this.tallies.set(key, t);
      this.tallyBytes += bytes;
      this.recorder.metrics.boundedBytes.set({ component: 'tallies' }, this.tallyBytes);
    }
    t.count++;
    t.ms += ms;
    if (ms > t.maxMs) t.maxMs = ms;
    t.last = lastOf(q);
    return key;
  }

  /**
   * Keeps the sample of a query that tipped a request into N+1. When that query was also slow, its
   * slow sample is the same query: mark it rather than keeping a second one.
   */
  keepNPlusOne(q: RecordedQuery, fingerprint?: string): SlowQuerySample {
    const last = this.last;
    if (last?.query === q && last.sample) {
      last.sample.nPlusOne = true;
      return last.sample;
    }
    if (last?.query === q && last.tallied !== undefined) {
      // It was sampled out as a slow query: keep it after all, and take it back off the tally.
      const t = this.tallies.get(last.tallied);
      if (t) {
        t.count--;
        t.ms -= q.durationSeconds * 1000;
      }
    }
    return this.keep(q, true, fingerprint);
  }

  /** Keeps a sample of a query. */
  keep(q: RecordedQuery, nPlusOne: boolean, fingerprint?: string): SlowQuerySample {
    // A statement kept once is usually kept again (an N+1 loop is flagged in every request that runs
    // it): its id and redacted text are cached beside its fingerprint, not hashed and redacted again.
    const d = this.derivedOf(q);
    const text = fingerprint ?? d.text;
    const service = this.serviceOf(q);
    const key = tallyKey(text, service);
    const tally = this.tallies.get(key);
    if (tally) {
      this.tallies.delete(key);
      this.tallyBytes -= tallyBytesOf(key, tally.fingerprint);
      this.recorder.metrics.boundedBytes.set({ component: 'tallies' }, this.tallyBytes);
    }
    const callSite = q.callSite ?? callSiteOf(q.stack) ?? null;
    // No stack this time: ask for one the next time this statement (or, briefly, any) runs.
    if (callSite === null) this.callSites?.missed(q.sql, nPlusOne);
    const sample: SlowQuerySample = {
      fingerprintId: text === d.text ? (d.id ??= fingerprintId(text)) : fingerprintId(text),
      fingerprint: text,
      sample: this.config.rawLiterals ? truncate(q.sql) : this.redactedOf(q, d),
      durationMs: Math.round(q.durationSeconds * 1e6) / 1000,
      dbSystem: q.dbSystem,
      database: q.database ?? null,
      operation: q.operation,
      route: q.route,
      service,
      requestId: q.requestId ?? q.work?.id ?? null,
      callSite,
      error: q.error ?? false,
      nPlusOne,
      sampledOut: tally?.count ?? 0,
      sampledOutMs: tally ? Math.round(tally.ms * 1000) / 1000 : 0,
      capturedAt: q.time ?? Date.now(),
    };
    this.last = { query: q, sample };
    this.push([sample]);
    return sample;
  }

  private redactedOf(q: RecordedQuery, d: Derived): string {
    if (d.redacted !== undefined) return d.redacted;
    const redacted = redactSql(truncate(q.sql), { backslashEscapes: backslashEscapesIn(q.dbSystem) });
    // Only within what the cache charged for it (redaction does not lengthen a statement in practice).
    if (redacted.length <= q.sql.length + REDACTED_RESERVE) d.redacted = redacted;
    return redacted;
  }

  /** Adds samples, dropping (and counting) the oldest past the ring size or byte budget. */
  push(samples: SlowQuerySample[]): void {
    for (const s of samples) {
      this.pending.push(s);
      this.pendingBytes += sampleBytes(s);
    }
    let excess = Math.max(0, this.pending.length - this.config.ringSize);
    let bytes = this.pendingBytes;
    for (let i = 0; i < excess; i++) bytes -= sampleBytes(this.pending[i]);
    while (bytes > MAX_PENDING_BYTES && excess < this.pending.length - 1)
      bytes -= sampleBytes(this.pending[excess++]);
    if (excess > 0) {
      this.pending.splice(0, excess);
      this.pendingBytes = bytes;
      this.droppedSamples += excess;
      this.recorder.drop('slow_queries', 'buffer_full', excess);
    }
    this.recorder.metrics.slowQueryPending.set(this.pending.length);
    this.recorder.metrics.boundedBytes.set({ component: 'slow_query_buffer' }, this.pendingBytes);
  }

  /** Takes every pending sample; the caller gives them back when writing fails. */
  take(): SlowQuerySample[] {
    const out = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.recorder.metrics.slowQueryPending.set(0);
    this.recorder.metrics.boundedBytes.set({ component: 'slow_query_buffer' }, 0);
    return out;
  }

  /** Returns samples whose write failed to the front of the buffer (still bounded). */
  giveBack(samples: SlowQuerySample[]): void {
    const merged = [...samples, ...this.pending];
    this.pending = [];
    this.pendingBytes = 0;
    this.push(merged);
  }

  /** Pending samples, newest last (a copy). */
  peek(): SlowQuerySample[] {
    return [...this.pending];
  }

  /** Whether anything waits to be written: samples or tallies. */
  get hasPending(): boolean {
    return this.pending.length > 0 || this.tallies.size > 0;
  }

  /**
   * Takes every tally, so the store can count them now rather than with the fingerprint's next kept
   * sample (which a crash would lose). The caller gives them back when writing fails.
   */
  takeTallies(): PendingTally[] {
    const out: PendingTally[] = [];
    for (const t of this.tallies.values())
      if (t.count > 0)
        out.push({
          fingerprint: t.fingerprint,
          count: t.count,
          ms: Math.round(t.ms * 1000) / 1000,
          maxMs: Math.round(t.maxMs * 1000) / 1000,
          dbSystem: t.last.dbSystem,
          database: t.last.database ?? null,
          operation: t.last.operation,
          route: t.last.route,
          service: t.service,
          at: t.last.time ?? this.clock(),
        });
    this.tallies.clear();
    this.tallyBytes = 0;
    this.recorder.metrics.boundedBytes.set({ component: 'tallies' }, 0);
    return out;
  }

  /** Returns tallies whose write failed; they merge with any counted since. */
  giveBackTallies(tallies: PendingTally[]): void {
    for (const p of tallies) {
      const key = tallyKey(p.fingerprint, p.service);
      const t = this.tallies.get(key);
      if (t) {
        t.count += p.count;
        t.ms += p.ms;
        t.maxMs = Math.max(t.maxMs, p.maxMs);
        continue;
      }
      const bytes = tallyBytesOf(key, p.fingerprint);
      if (this.tallies.size >= MAX_TALLIED_FINGERPRINTS || this.tallyBytes + bytes > MAX_TALLY_BYTES) {
        this.recorder.drop('slow_queries', 'tally_full', p.count);
        continue;
      }
      this.tallyBytes += bytes;
      this.tallies.set(key, {
        fingerprint: p.fingerprint,
        service: p.service,
        count: p.count,
        ms: p.ms,
        maxMs: p.maxMs,
        last: {
          dbSystem: p.dbSystem,
          database: p.database ?? undefined,
          operation: p.operation,
          route: p.route,
          time: p.at,
        },
      });
    }
    this.recorder.metrics.boundedBytes.set({ component: 'tallies' }, this.tallyBytes);
  }

  /** Sampled-out queries not yet attached to a kept sample (lost if the process stops now). */
  untallied(): number {
    let n = 0;
    for (const t of this.tallies.values()) n += t.count;
    return n;
  }
}
