import os from 'node:os';
import { cumulativeBucketCounts, histogramState } from '@perfwatch/node/internal';
import type { Registry } from 'prom-client';
import type { SlowQueryReader } from '../queries/reader';
import type { IncidentsConfig } from './config';
import type { Labels } from './model';
import { type PrometheusClient, promString, type Sample } from '../upstream/prometheus';

type DiagnosticsConfig = IncidentsConfig['diagnostics'];

/** Every part of a snapshot says whether it could be collected; a failure is noted, never thrown. */
export type Part<T> =
  ({ status: 'ok' } & T) | { status: 'unavailable' | 'error' | 'timeout'; message: string };

export interface DiagnosticsSnapshot {
  takenAt: string;
  reason: string;
  durationMs: number;
  /** The route the incident is about (label `route`, `http_route` or `handler`), if any. */
  route: string | null;
  slowQueries: Part<{
    windowMinutes: number;
    items: Array<{
      fingerprintId: string;
      fingerprint: string;
      database: string;
      count: number;
      totalSeconds: number;
      p95Seconds: number;
      maxSeconds: number;
    }>;
  }>;
  http: Part<{
    /** The service's own registry counts since the process started; Prometheus gives recent rates. */
    window: 'since start';
    route: string;
    requests: number;
    errors: number;
    errorRate: number | null;
    p95Seconds: number | null;
  }>;
  dbPools: Part<{
    pools: Array<{
      dbSystem: string;
      pool: string;
      used: number;
      idle: number;
      pending: number;
      max: number | null;
    }>;
  }>;
  process: Part<{
    cpuPercent: number;
    rssBytes: number;
    heapUsedBytes: number;
    heapTotalBytes: number;
    eventLoopLagP99Seconds: number | null;
    eventLoopLagMeanSeconds: number | null;
    loadAverage: number[];
    systemMemoryTotalBytes: number;
    systemMemoryFreeBytes: number;
  }>;
  prometheus: Part<{
    queries: Array<
      { name: string; query: string; series: Sample[] } | { name: string; query: string; error: string }
    >;
  }>;
  /** Set when parts were cut to respect `diagnostics.maxBytes`. */
  truncated?: boolean;
}

export interface DiagnosticsTarget {
  labels: Labels;
  /** Labels of the incident's alerts, searched for a route when the incident's own lack one. */
  alertLabels: Labels[];
  reason: string;
}

export interface DiagnosticsSources {
  registry: Registry;
  slowQueries: () => SlowQueryReader | undefined;
  prometheus?: PrometheusClient;
}

const ROUTE_LABELS = ['route', 'http_route', 'handler'];
const MAX_SERIES = 10;
const CPU_SAMPLE_MS = 100;

class Timeout extends Error {}

function routeOf(t: DiagnosticsTarget): string | null {
  for (const set of [t.labels, ...t.alertLabels]) for (const l of ROUTE_LABELS) if (set[l]) return set[l];
  return null;
}

/** Prometheus' histogram_quantile over cumulative (le, count) pairs, linear within a bucket. */
export function histogramQuantile(q: number, buckets: Array<[number, number]>): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function values(registry: Registry, name: string): Promise<MetricValue[] | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  return (await metric.get()).values as MetricValue[];
}

/**
 * Collects an incident's diagnostics snapshot from the service's own state (slow-query store,
 * registry, process) and, when configured, Prometheus. Bounded in time (one deadline for all parts,
 * each part racing it) and in size (trimmed to `maxBytes` of JSON).
 */
export class DiagnosticsCollector {
  constructor(
    private readonly config: DiagnosticsConfig,
    private readonly sources: DiagnosticsSources,
  ) {}

  async collect(target: DiagnosticsTarget): Promise<DiagnosticsSnapshot> {
    const started = Date.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Timeout()), this.config.timeoutMs);
    const deadline = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () => reject(new Timeout()), { once: true }),
    );
    deadline.catch(() => undefined);
    const route = routeOf(target);
    const guard = async <T>(part: () => Promise<Part<T>>): Promise<Part<T>> => {
      try {
        return await Promise.race([part(), deadline]);
      } catch (err) {
        if (err instanceof Timeout)
          return { status: 'timeout', message: `not collected within ${this.config.timeoutMs} ms` };
        return { status: 'error', message: (err as Error).message.slice(0, 500) };
      }
    };
    try {
      const [slowQueries, http, dbPools, proc, prometheus] = await Promise.all([
        guard(() => this.slowQueries()),
        guard(() => this.http(route)),
        guard(() => this.dbPools()),
        guard(() => this.process()),
        guard(() => this.prometheus(route, target.labels, abort.signal)),
      ]);
      const snapshot: DiagnosticsSnapshot = {
        takenAt: new Date(started).toISOString(),
        reason: target.reason,
        durationMs: Date.now() - started,
        route,
        slowQueries,
        http,
        dbPools,
        process: proc,
        prometheus,
      };
      return this.bound(snapshot);
    } finally {
      clearTimeout(timer);
    }
  }

  private async slowQueries(): Promise<DiagnosticsSnapshot['slowQueries']> {
    const reader = this.sources.slowQueries();
    if (!reader)
      return { status: 'unavailable', message: 'slow-query capture is not running in this service' };
    const windowMinutes = this.config.slowQueryWindowMinutes;
    const items = await reader.top({
      sinceMs: Date.now() - windowMinutes * 60_000,
      limit: this.config.topSlowQueries,
    });
    return {
      status: 'ok',
      windowMinutes,
      items: items.map((s) => ({
        fingerprintId: s.fingerprintId,
        fingerprint: s.fingerprint.slice(0, 2_000),
        database: s.database,
        count: s.count,
        totalSeconds: s.totalSeconds,
        p95Seconds: s.p95Seconds,
        maxSeconds: s.maxSeconds,
      })),
    };
  }

  private async http(route: string | null): Promise<DiagnosticsSnapshot['http']> {
    if (route === null)
      return {
        status: 'unavailable',
        message: 'the incident has no route label (route, http_route, handler)',
      };
    const metric = this.sources.registry.getSingleMetric('http_server_request_duration_seconds');
    if (!metric) return { status: 'unavailable', message: 'no HTTP request histogram in the registry' };
    let requests = 0;
    let errors = 0;
    const buckets = new Map<number, number>();
    // The route's series only, read from the histogram's state: get() would build an object for every
    // line of every route's series first (tens of thousands with many routes), a block of the event
    // loop a fuzz run caught at 100-250 ms.
    const state = histogramState(metric);
    if (!state) return { status: 'unavailable', message: 'the HTTP request histogram has exemplars' };
    for (const s of Object.values(state.hashMap)) {
      if (s.labels.route !== route) continue;
      requests += s.count;
      if (Number(s.labels.status_code) >= 500) errors += s.count;
      const counts = cumulativeBucketCounts(state.upperBounds, s);
      state.upperBounds.forEach((le, b) => buckets.set(le, (buckets.get(le) ?? 0) + counts[b]));
      buckets.set(Infinity, (buckets.get(Infinity) ?? 0) + s.count);
    }
    if (requests === 0)
      return { status: 'unavailable', message: `no requests for route ${route} recorded by this service` };
    return {
      status: 'ok',
      window: 'since start',
      route,
      requests,
      errors,
      errorRate: errors / requests,
      p95Seconds: histogramQuantile(0.95, [...buckets.entries()]),
    };
  }

  private async dbPools(): Promise<DiagnosticsSnapshot['dbPools']> {
    const conns = await values(this.sources.registry, 'db_client_connections');
    const max = (await values(this.sources.registry, 'db_client_connections_max')) ?? [];
    if (!conns || conns.length === 0)
      return { status: 'unavailable', message: 'no instrumented database pool reports to this service' };
    const pools = new Map<
      string,
      { dbSystem: string; pool: string; used: number; idle: number; pending: number; max: number | null }
    >();
    const key = (l: MetricValue['labels']) => `${l.db_system}\u0000${l.pool}`;
    for (const v of conns) {
      const k = key(v.labels);
      const p = pools.get(k) ?? {
        dbSystem: String(v.labels.db_system),
        pool: String(v.labels.pool),
        used: 0,
        idle: 0,
        pending: 0,
        max: null,
      };
      if (v.labels.state === 'used' || v.labels.state === 'idle' || v.labels.state === 'pending')
        p[v.labels.state] = v.value;
      pools.set(k, p);
    }
    for (const v of max) {
      const p = pools.get(key(v.labels));
      if (p) p.max = v.value;
    }
    return { status: 'ok', pools: [...pools.values()].slice(0, MAX_SERIES) };
  }

  private async process(): Promise<DiagnosticsSnapshot['process']> {
    // CPU over a short window: the cumulative counter since start says little about "now".
    const before = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, CPU_SAMPLE_MS));
    const used = process.cpuUsage(before);
    const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
    const mem = process.memoryUsage();
    const lag = async (name: string) => (await values(this.sources.registry, name))?.[0]?.value ?? null;
    return {
      status: 'ok',
      cpuPercent: Math.round(((used.user + used.system) / elapsedUs) * 1000) / 10,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      eventLoopLagP99Seconds: await lag('nodejs_eventloop_lag_p99_seconds'),
      eventLoopLagMeanSeconds: await lag('nodejs_eventloop_lag_mean_seconds'),
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      systemMemoryTotalBytes: os.totalmem(),
      systemMemoryFreeBytes: os.freemem(),
    };
  }

  private async prometheus(
    route: string | null,
    labels: Labels,
    signal: AbortSignal,
  ): Promise<DiagnosticsSnapshot['prometheus']> {
    const prom = this.sources.prometheus;
    if (!prom) return { status: 'unavailable', message: 'prometheus.url is not configured' };
    const scope = ['job', 'instance', 'service']
      .filter((l) => labels[l])
      .map((l) => `${l}=${promString(labels[l])}`);
    const sel = (extra: string[] = []) => `{${[...scope, ...extra].join(',')}}`;
    const r = route === null ? [] : [`route=${promString(route)}`];
    const queries: Array<[string, string]> = [];
    if (route !== null)
      queries.push(
        [
          'errorRate5m',
          `sum(rate(http_server_request_duration_seconds_count${sel([...r, 'status_code=~"5.."'])}[5m])) / sum(rate(http_server_request_duration_seconds_count${sel(r)}[5m]))`,
        ],
        [
          'p95Seconds5m',
          `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket${sel(r)}[5m])))`,
        ],
      );
    queries.push(
      ['processCpuCores5m', `sum by (instance) (rate(process_cpu_seconds_total${sel()}[5m]))`],
      ['residentMemoryBytes', `max by (instance) (process_resident_memory_bytes${sel()})`],
      ['eventLoopLagP99Seconds', `max by (instance) (nodejs_eventloop_lag_p99_seconds${sel()})`],
      ['dbConnections', `sum by (db_system, pool, state) (db_client_connections${sel()})`],
    );
    const results = await Promise.all(
      queries.map(async ([name, query]) => {
        try {
          return { name, query, series: (await prom.query(query, { signal })).slice(0, MAX_SERIES) };
        } catch (err) {
          return { name, query, error: (err as Error).message.slice(0, 300) };
        }
      }),
    );
    if (results.every((q) => 'error' in q))
      return {
        status: 'error',
        message: `every Prometheus query failed: ${(results[0] as { error: string }).error}`,
      };
    return { status: 'ok', queries: results };
  }

  /** Cuts the snapshot to `maxBytes` of JSON: long texts first, then whole parts. */
  private bound(s: DiagnosticsSnapshot): DiagnosticsSnapshot {
    const size = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
    if (size(s) <= this.config.maxBytes) return s;
    const out: DiagnosticsSnapshot = { ...s, truncated: true };
    if (out.slowQueries.status === 'ok')
      out.slowQueries = {
        ...out.slowQueries,
        items: out.slowQueries.items.map((i) => ({ ...i, fingerprint: i.fingerprint.slice(0, 200) })),
      };
    if (out.prometheus.status === 'ok')
      out.prometheus = {
        ...out.prometheus,
        queries: out.prometheus.queries.map((q) =>
          'series' in q ? { ...q, series: q.series.slice(0, 3) } : q,
        ),
      };
    const dropOrder: Array<'prometheus' | 'dbPools' | 'slowQueries' | 'http'> = [
      'prometheus',
      'dbPools',
      'slowQueries',
      'http',
    ];
    for (const part of dropOrder) {
      if (size(out) <= this.config.maxBytes) break;
      out[part] = {
        status: 'error',
        message: `left out: the snapshot exceeded ${this.config.maxBytes} bytes`,
      };
    }
    return out;
  }
}
