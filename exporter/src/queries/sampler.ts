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

export function rulesOf(config: QueriesConfig): NormalisationRule[] {
  return config.normalisation.map((r) => ({
    pattern: new RegExp(r.pattern, 'g'),
    replacement: r.replacement,
  }));
}

const truncate = (sql: string) =>
  sql.length > MAX_SQL_CHARS ? `${sql.slice(0, MAX_SQL_CHARS)} /* truncated */` : sql;

/**
 * What is derived from one exact statement text. The id and the redacted sample are made on the
 * first kept sample: a statement that keeps being flagged (an N+1 loop in every request) is hashed
 * and redacted once, not once per sample.
 */
interface Derived {
  text: string;
  id: string | undefined;
  redacted: string | undefined;
}

/** Sampled-out slow queries of one fingerprint since its last kept sample. */
interface Tally {
  count: number;
  ms: number;
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
  /**
   * Pending samples are pending[head…]: dropping the oldest moves head instead of shifting the array
   * (a full buffer drops one per kept sample, and an N+1 loop in every request keeps one per request);
   * the dropped slots are cut off once they outnumber the ring (so at most twice the ring is held).
   */
  private pending: SlowQuerySample[] = [];
  private head = 0;
  private windowSecond = 0;
  private keptThisSecond = 0;
  private slowestThisSecond = 0;
  private readonly rules: NormalisationRule[];
  private readonly cache = [
    new LRUCache<string, Derived>({ max: FINGERPRINT_CACHE }),
    new LRUCache<string, Derived>({ max: FINGERPRINT_CACHE }),
  ];
  private readonly tallies = new Map<string, Tally>();
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
      const text = fingerprintText(truncate(q.sql), { rules: this.rules, backslashEscapes });
      d = { text, id: undefined, redacted: undefined };
      cache.set(q.sql, d);
    }
    return d;
  }

  /** The recorder listener: one comparison for fast queries. */
  readonly onQuery = (q: RecordedQuery): void => {
    const ms = q.durationSeconds * 1000;
    if (ms < this.thresholdMs(q)) return;
    const dbSystem = this.recorder.label('db_client_slow_queries_total', 'db_system', q.dbSystem);
    this.recorder.metrics.dbSlowQueries.inc({ db_system: dbSystem, operation: q.operation });
    const now = q.time ?? Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.windowSecond) {
      this.windowSecond = second;
      this.keptThisSecond = 0;
      this.slowestThisSecond = 0;
    }
    const slowest = ms > this.slowestThisSecond;
    if (slowest) this.slowestThisSecond = ms;
    if (this.keptThisSecond >= this.config.maxSamplesPerSecond && !slowest) {
      this.recorder.metrics.slowQueriesSampledOut.inc({ db_system: dbSystem });
      this.last = { query: q, tallied: this.tally(q, ms) };
      return;
    }
    this.keptThisSecond++;
    this.keep(q, false);
  };

  /** Adds a sampled-out query to its fingerprint's tally; returns the fingerprint, if tallied. */
  private tally(q: RecordedQuery, ms: number): string | undefined {
    const fp = this.fingerprintOf(q);
    let t = this.tallies.get(fp);
    if (!t) {
      if (this.tallies.size >= MAX_TALLIED_FINGERPRINTS) {
        this.recorder.drop('slow_queries', 'tally_full');
        return undefined;
      }
      t = { count: 0, ms: 0 };
      this.tallies.set(fp, t);
    }
    t.count++;
    t.ms += ms;
    return fp;
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
    const derived = this.derivedOf(q);
    const text = fingerprint ?? derived.text;
    const tally = this.tallies.get(text);
    if (tally) this.tallies.delete(text);
    const callSite = callSiteOf(q.stack) ?? null;
    // No stack this time: ask for one the next time this statement (or, briefly, any) runs.
    if (callSite === null) this.callSites?.missed(q.sql);
    const sample: SlowQuerySample = {
      fingerprintId: text === derived.text ? (derived.id ??= fingerprintId(text)) : fingerprintId(text),
      fingerprint: text,
      sample: this.config.rawLiterals
        ? truncate(q.sql)
        : (derived.redacted ??= redactSql(truncate(q.sql), {
            backslashEscapes: backslashEscapesIn(q.dbSystem),
          })),
      durationMs: Math.round(q.durationSeconds * 1e6) / 1000,
      dbSystem: q.dbSystem,
      database: q.database ?? null,
      operation: q.operation,
      route: q.route,
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

  /** Adds samples, dropping (and counting) the oldest past the ring size. */
  push(samples: SlowQuerySample[]): void {
    for (const s of samples) this.pending.push(s);
    const excess = this.pending.length - this.head - this.config.ringSize;
    if (excess > 0) {
      this.head += excess;
      if (this.head >= this.config.ringSize) {
        this.pending = this.pending.slice(this.head);
        this.head = 0;
      }
      this.recorder.drop('slow_queries', 'buffer_full', excess);
    }
    this.recorder.metrics.slowQueryPending.set(this.pending.length - this.head);
  }

  /** Takes every pending sample; the caller gives them back when writing fails. */
  take(): SlowQuerySample[] {
    const out = this.head === 0 ? this.pending : this.pending.slice(this.head);
    this.pending = [];
    this.head = 0;
    this.recorder.metrics.slowQueryPending.set(0);
    return out;
  }

  /** Returns samples whose write failed to the front of the buffer (still bounded). */
  giveBack(samples: SlowQuerySample[]): void {
    const merged = [...samples, ...this.pending.slice(this.head)];
    this.pending = [];
    this.head = 0;
    this.push(merged);
  }

  /** Pending samples, newest last (a copy). */
  peek(): SlowQuerySample[] {
    return this.pending.slice(this.head);
  }

  /** Sampled-out queries not yet attached to a kept sample (lost if the process stops now). */
  untallied(): number {
    let n = 0;
    for (const t of this.tallies.values()) n += t.count;
    return n;
  }
}
