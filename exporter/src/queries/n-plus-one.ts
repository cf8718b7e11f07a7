import { LRUCache } from 'lru-cache';
import type { WorkContext } from '../core/context';
import type { RecordedQuery, Recorder } from '../core/recorder';
import type { SlowQuerySample } from './sample';

/** Distinct fingerprints counted per request or job; beyond it new ones are not counted. */
const MAX_FINGERPRINTS_PER_UNIT = 500;
/** Ingested requests (no async context) tracked at once, and how long one is kept after its last query. */
export const MAX_EXTERNAL_UNITS = 10_000;
export const EXTERNAL_TTL_MS = 60_000;

/** Per request or job: nothing but a counter and a few references until it issues more than N queries. */
interface UnitState {
  queries: number;
  /** The first N queries, fingerprinted only once the unit issues an (N+1)th. */
  early: RecordedQuery[] | undefined;
  counts: Map<string, number> | undefined;
  /** Flagged fingerprints, with their sample while it still lacks a call site. */
  flagged: Map<string, SlowQuerySample | undefined> | undefined;
  full: boolean;
}

const newState = (): UnitState => ({
  queries: 0,
  early: undefined,
  counts: undefined,
  flagged: undefined,
  full: false,
});

export interface NPlusOneHooks {
  /** The fingerprint text of a query (cached by the caller). */
  fingerprint(q: RecordedQuery): string;
  /** Keeps the sample of a flagged query; returns it. */
  flag(q: RecordedQuery, fingerprint: string): SlowQuerySample;
  /** The call site of a query that carries a stack, if any. */
  callSite(q: RecordedQuery): string | undefined;
}

/**
 * Flags an N+1 pattern: one fingerprint issued more than `threshold` times within one request or job.
 * Nothing is fingerprinted on the fast path: a unit's first N queries are only counted and kept by
 * reference (no fingerprint can repeat more than N times before there are N+1 queries), so the common
 * request with few queries costs a counter. Past N, each query's fingerprint is counted.
 *
 * In-process requests and jobs keep their state beside their async work context (a WeakMap, so it
 * goes when the context does). Ingested events have no async context but carry a request id: their
 * state lives in an LRU map bounded in size and age, and a request pushed out while still active is
 * counted as a drop.
 */
export class NPlusOneDetector {
  private readonly inProcess = new WeakMap<WorkContext, UnitState>();
  private readonly external: LRUCache<string, UnitState>;

  constructor(
    private readonly recorder: Recorder,
    private readonly threshold: number,
    private readonly hooks: NPlusOneHooks,
  ) {
    this.external = new LRUCache<string, UnitState>({
      max: MAX_EXTERNAL_UNITS,
      ttl: EXTERNAL_TTL_MS,
      updateAgeOnGet: true,
      dispose: (_state, _id, reason) => {
        if (reason === 'evict') recorder.drop('n_plus_one', 'tracking_full');
      },
    });
  }

  readonly onQuery = (q: RecordedQuery): void => {
    const state = this.stateOf(q);
    if (!state) return;
    state.queries++;
    if (state.queries <= this.threshold) {
      (state.early ??= []).push(q);
      return;
    }
    if (state.early) {
      const early = state.early;
      state.early = undefined;
      for (const e of early) this.count(state, e);
    }
    this.count(state, q);
  };

  private stateOf(q: RecordedQuery): UnitState | undefined {
    // A sample that names its own route (ingested) belongs to its request id, not to the context of
    // whichever request happens to be running the ingestion endpoint.
    if (q.work && q.route === q.work.route) {
      let state = this.inProcess.get(q.work);
      if (!state) {
        state = newState();
        this.inProcess.set(q.work, state);
      }
      return state;
    }
    if (!q.requestId) return undefined;
    let state = this.external.get(q.requestId);
    if (!state) {
      state = newState();
      this.external.set(q.requestId, state);
    }
    return state;
  }

  private count(state: UnitState, q: RecordedQuery): void {
    const fp = this.hooks.fingerprint(q);
    const counts = (state.counts ??= new Map());
    const prev = counts.get(fp);
    if (prev === undefined && counts.size >= MAX_FINGERPRINTS_PER_UNIT) {
      if (!state.full) this.recorder.drop('n_plus_one', 'fingerprints_per_unit');
      state.full = true;
      return;
    }
    const n = (prev ?? 0) + 1;
    counts.set(fp, n);
    const flagged = (state.flagged ??= new Map());
    if (n > this.threshold) {
      if (!flagged.has(fp)) {
        this.recorder.metrics.dbNPlusOne.inc({
          route: this.recorder.label('db_client_n_plus_one_total', 'route', q.route),
        });
        const sample = this.hooks.flag(q, fp);
        flagged.set(fp, sample.callSite === null ? sample : undefined);
      } else {
        // The loop goes on: the first of its queries that carries a stack names the loop's call site.
        const sample = flagged.get(fp);
        const site = sample && this.hooks.callSite(q);
        if (sample && site) {
          sample.callSite = site;
          flagged.set(fp, undefined);
        }
      }
    }
  }
}
