import { LRUCache } from 'lru-cache';
import type { WorkContext } from '../core/context';
import type { RecordedQuery, Recorder } from '../core/recorder';
import type { SlowQuerySample } from './sample';

/** Distinct fingerprints counted per request or job; beyond it new ones are not counted. */
const MAX_FINGERPRINTS_PER_UNIT = 500;
/** Ingested requests (no async context) tracked at once, and how long one is kept after its last query. */
// Bytes bound the memory (below); the entry cap only bounds the map itself. At 10 000, a steady 170
// request ids per second with the 60 s TTL already evicted requests still in progress (the soak).
export const MAX_EXTERNAL_UNITS = 100_000;
export const EXTERNAL_TTL_MS = 60_000;
/**
 * Estimated bytes all ingested requests' tracking may hold. Counting entries was not enough: each entry
 * kept up to N raw statements of up to 100 KB, so 10 000 entries could hold gigabytes.
 */
export const MAX_EXTERNAL_BYTES = 32 * 1024 * 1024;
/** Estimated bytes one ingested request's tracking may hold; past it the request is no longer tracked. */
export const MAX_UNIT_BYTES = 2 * 1024 * 1024;
/** How often stale ingested requests are purged (the cache only expires them lazily otherwise). */
const PURGE_EVERY_MS = 10_000;
/** Fixed cost of an object, a map entry or an array slot, in the byte estimates. */
const OVERHEAD = 64;

/** Bytes a kept query is charged: its strings at two bytes a character (V8's worst case), plus slots. */
function queryBytes(q: RecordedQuery): number {
  return (
    OVERHEAD * 3 +
    2 * (q.sql.length + q.route.length + (q.requestId?.length ?? 0) + (q.database?.length ?? 0))
  );
}

export interface NPlusOneLimits {
  maxExternalBytes: number;
  maxUnitBytes: number;
  ttlMs: number;
}

const DEFAULT_LIMITS: NPlusOneLimits = {
  maxExternalBytes: MAX_EXTERNAL_BYTES,
  maxUnitBytes: MAX_UNIT_BYTES,
  ttlMs: EXTERNAL_TTL_MS,
};

/** Per request or job: nothing but a counter and a few references until it issues more than N queries. */
interface UnitState {
  queries: number;
  /** The first N queries, fingerprinted only once the unit issues an (N+1)th. */
  early: RecordedQuery[] | undefined;
  counts: Map<string, number> | undefined;
  /** Flagged fingerprints, with their sample while it still lacks a call site. */
  flagged: Map<string, SlowQuerySample | undefined> | undefined;
  full: boolean;
  /** Estimated bytes held (ingested requests only; in-process state goes with its context). */
  bytes: number;
  /** Over its byte cap: no longer tracked (ingested requests only). */
  abandoned: boolean;
}

const newState = (): UnitState => ({
  queries: 0,
  early: undefined,
  counts: undefined,
  flagged: undefined,
  full: false,
  bytes: OVERHEAD * 2,
  abandoned: false,
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
 * state lives in an LRU map bounded by estimated bytes, entries and age (stale ones purged on a timer),
 * and a request pushed out while still active, or abandoned past its own byte cap, is counted as a drop.
 */
export class NPlusOneDetector {
  private readonly inProcess = new WeakMap<WorkContext, UnitState>();
  private readonly external: LRUCache<string, UnitState>;
  private readonly limits: NPlusOneLimits;
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly untrackBytes: () => void;
  /**
   * The ingested request whose queries came last, with its state: its entry in the LRU map is re-sized
   * (delete + set) once when another request's query arrives, not after each of its queries. A batch
   * carries a request's queries one after another, so the map is touched once per request instead of
   * once per query. Until then the map under-counts this one request, by at most maxUnitBytes.
   */
  private current: { id: string; state: UnitState; bytes: number } | undefined;

  constructor(
    private readonly recorder: Recorder,
    private readonly threshold: number,
    private readonly hooks: NPlusOneHooks,
    limits: Partial<NPlusOneLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.external = new LRUCache<string, UnitState>({
      max: MAX_EXTERNAL_UNITS,
      maxSize: this.limits.maxExternalBytes,
      ttl: this.limits.ttlMs,
      updateAgeOnGet: true,
      dispose: (_state, _id, reason) => {
        if (reason === 'evict') recorder.drop('n_plus_one', 'tracking_full');
      },
    });
    this.purgeTimer = setInterval(
      () => this.purgeStale(),
      Math.max(1000, Math.min(PURGE_EVERY_MS, this.limits.ttlMs)),
    );
    this.purgeTimer.unref();
    // Read at scrape time: set on every query, the gauge hashed its label set once per ingested query.
    this.untrackBytes = recorder.trackBoundedBytes('n_plus_one', () => this.trackedBytes);
  }

  /** Forgets ingested requests idle for longer than the TTL; returns whether any were. */
  purgeStale(): boolean {
    this.settle();
    return this.external.purgeStale();
  }

  /** Estimated bytes held for ingested requests. */
  get trackedBytes(): number {
    this.settle();
    return this.external.calculatedSize;
  }

  /** Ingested requests tracked. */
  get trackedUnits(): number {
    this.settle();
    return this.external.size;
  }

  stop(): void {
    clearInterval(this.purgeTimer);
    this.current = undefined;
    this.external.clear();
    this.untrackBytes();
  }

  /** Re-sizes the last ingested request's entry when its estimate changed since it was last sized. */
  private settle(): void {
    const c = this.current;
    if (c === undefined) return;
    this.current = undefined;
    if (c.state.bytes === c.bytes) return;
    // The cache re-sizes an entry only when its value changes: delete and set it again, so it evicts
    // least recently used requests past its budget.
    this.external.delete(c.id);
    this.external.set(c.id, c.state, { size: c.state.bytes });
  }

  readonly onQuery = (q: RecordedQuery): void => {
    // A sample that names its own route (ingested) belongs to its request id, not to the context of
    // whichever request happens to be running the ingestion endpoint.
    const inProcess = q.work !== undefined && q.route === q.work.route;
    const id = inProcess ? undefined : q.requestId || undefined;
    const state = inProcess
      ? this.inProcessState(q.work!)
      : id !== undefined
        ? this.externalState(id)
        : undefined;
    if (!state || state.abandoned) return;
    state.queries++;
    if (state.queries <= this.threshold) {
      (state.early ??= []).push(q);
      if (id !== undefined) state.bytes += queryBytes(q);
    } else {
      if (state.early) {
        const early = state.early;
        state.early = undefined;
        if (id !== undefined) for (const e of early) state.bytes -= queryBytes(e);
        for (const e of early) this.count(state, e, id !== undefined);
      }
      this.count(state, q, id !== undefined);
    }
    if (id === undefined) return;
    if (state.bytes > this.limits.maxUnitBytes) {
      // One request cannot take the whole budget: it stops being tracked (and holding anything).
      state.abandoned = true;
      state.early = undefined;
      state.counts = undefined;
      state.flagged = undefined;
      state.bytes = OVERHEAD * 2;
      this.recorder.drop('n_plus_one', 'unit_bytes');
    }
  };

  private inProcessState(work: WorkContext): UnitState {
    let state = this.inProcess.get(work);
    if (!state) {
      state = newState();
      this.inProcess.set(work, state);
    }
    return state;
  }

  private externalState(id: string): UnitState {
    if (this.current?.id === id) return this.current.state;
    this.settle();
    let state = this.external.get(id);
    if (!state) {
      state = newState();
      this.external.set(id, state, { size: state.bytes });
    }
    // `bytes`: what the map was told; compared when the next request's queries arrive.
    this.current = { id, state, bytes: this.external.has(id) ? state.bytes : -1 };
    return state;
  }

  private count(state: UnitState, q: RecordedQuery, external: boolean): void {
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
    if (external && prev === undefined) state.bytes += OVERHEAD + 2 * fp.length;
    const flagged = (state.flagged ??= new Map());
    if (n > this.threshold) {
      if (!flagged.has(fp)) {
        this.recorder.metrics.dbNPlusOne.inc({
          route: this.recorder.label('db_client_n_plus_one_total', 'route', q.route),
        });
        const sample = this.hooks.flag(q, fp);
        // Ingested queries never carry a stack: holding their sample for a call site would only hold memory.
        flagged.set(fp, sample.callSite === null && !external ? sample : undefined);
        if (external) state.bytes += OVERHEAD;
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
