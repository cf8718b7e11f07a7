import type { Registry } from 'prom-client';
import { currentWork, type WorkContext } from './context';
import { LabelGuard } from './label-guard';
import { createMetrics, DEFAULT_BUCKETS, type MetricBuckets, type PerfwatchMetrics } from './metrics';

/** The route value every request that matched no route template collapses to. */
export const UNMATCHED_ROUTE = '__unmatched__';

/** HTTP status_code label for requests the client aborted before the response finished (nginx's convention). */
export const ABORTED_STATUS = 499;

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** Methods outside RFC 9110 + PATCH fold into one value, as OpenTelemetry's http.request.method does. */
export function normaliseMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER';
  return KNOWN_METHODS.has(method)
    ? method
    : KNOWN_METHODS.has(method.toUpperCase())
      ? method.toUpperCase()
      : '_OTHER';
}

export interface LabelCaps {
  /** Distinct route templates per metric. */
  routes: number;
  /** Distinct values of any other free-form label (queue, job_name, operation, error_class, …). */
  values: number;
}

export const DEFAULT_LABEL_CAPS: LabelCaps = { routes: 500, values: 200 };

export interface RequestSample {
  method: string;
  route: string;
  statusCode: number;
  durationSeconds: number;
  requestBytes?: number;
  responseBytes?: number;
  /** Peak memory of the process while it served the request (PHP clients send it). */
  memoryPeakBytes?: number;
}

/**
 * An HTTP route template as Perfwatch labels it: with a leading slash, so SLA routes (`/invoices/{id}`)
 * match what Laravel's `$route->uri()` gives (`invoices/{id}`, and `/` for the root). Placeholders
 * stay as the framework wrote them; the unmatched value is left alone.
 */
export function normaliseRoute(route: string): string {
  return route.startsWith('/') || route === UNMATCHED_ROUTE ? route : `/${route}`;
}

/**
 * The route a query event names, which is an HTTP route template or the name of another unit of
 * work: a job (`mail:SendInvoice`), a named route (`orders.index`), a controller action
 * (`CartController@show`). Only the first kind gets its slash: a single segment holding `:`, `@` or
 * `.` is taken for a name.
 */
export function normaliseQueryRoute(route: string): string {
  // A name (`mail:Job`, `orders.index`, `Cart@show`): one segment holding one of : @ . (no regex: two
  // `[^/]*` around the class would backtrack polynomially on long input).
  return !route.includes('/') && /[:@.]/.test(route) ? route : normaliseRoute(route);
}

/** What adapters pass to recordQuery. A new field must also be copied into the sample recordQuery builds. */
export interface QuerySample {
  dbSystem: string;
  /** SQL as the driver received it. Only listeners for slow or repeated queries look at the text. */
  sql: string;
  durationSeconds: number;
  /** SELECT, INSERT, …; derived from the SQL when absent. */
  operation?: string;
  error?: boolean;
  database?: string;
  /** Overrides the route/job taken from the current work context (ingested events carry their own). */
  route?: string;
  requestId?: string;
  /** Where the query was issued; formatted into file:line only for samples that are kept. */
  stack?: { stack?: string };
  /** An already formatted `file:line` (sent by clients in other languages); wins over `stack`. */
  callSite?: string;
  /** The request or job the query belongs to, captured by the adapter when the query started. */
  work?: WorkContext;
  time?: number;
}

export type RecordedQuery = QuerySample & { operation: string; route: string };

/** Decides, when a query starts, whether its adapter takes the stack (for the call site). */
export interface StackAdvisor {
  wants(sql: string): boolean;
}
export type QueryListener = (sample: RecordedQuery) => void;

/** A connection pool whose state is read at scrape time. */
export interface PoolState {
  idle: number;
  used: number;
  pending: number;
  max: number;
}

export interface JobSample {
  queue: string;
  jobName: string;
  status: 'completed' | 'failed' | 'retried';
  durationSeconds: number;
  waitSeconds?: number;
  /** Unix seconds the job finished; defaults to now. */
  finishedAt?: number;
}

export interface ScheduledTaskSample {
  task: string;
  status: 'success' | 'failed' | 'skipped';
  durationSeconds: number;
  /** Unix seconds the run finished; defaults to now. */
  finishedAt?: number;
}

export interface FileOperationSample {
  operation: string;
  status: string;
  durationSeconds: number;
  bytes?: number;
}

const KNOWN_OPERATIONS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'MERGE',
  'WITH',
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'SET',
  'SHOW',
  'EXPLAIN',
  'CALL',
  'COPY',
  'GRANT',
  'REVOKE',
  'LOCK',
  'VACUUM',
  'ANALYZE',
  'DO',
]);

/**
 * Characters of a statement scanned for its first keyword. Leading comments longer than this make the
 * operation OTHER: the label is a hint, and an unbounded scan would let a sender choose our CPU time.
 */
export const MAX_OPERATION_SCAN = 4096;
/** Longest keyword in KNOWN_OPERATIONS; a longer run of letters cannot be one. */
const MAX_KEYWORD = 9;

/** The characters JavaScript's `\s` matches (what the scanner replaced), without a regex per character. */
function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 65279
  );
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * The first keyword of a statement after leading whitespace, block and line comments and one optional
 * `(`, with the number of characters the scan looked at. Written by hand rather than as a regex: the
 * regex this replaces (`^\s*(?:\/\*[\s\S]*?\*\/\s*|--[^\n]*\n\s*)*\(?\s*([A-Za-z]+)`) backtracked
 * exponentially on repeated comments (28 empty block comments blocked the event loop for seconds). This scan
 * visits each character of the bounded prefix at most once, so `steps` never exceeds MAX_OPERATION_SCAN.
 */
export function scanSqlOperation(sql: string): { keyword: string | undefined; steps: number } {
  const end = Math.min(sql.length, MAX_OPERATION_SCAN);
  // indexOf on the prefix only: a comment left open must not send it through the whole statement.
  const head = end < sql.length ? sql.slice(0, end) : sql;
  let i = 0;
  for (;;) {
    while (i < end && isSpace(sql.charCodeAt(i))) i++;
    if (i + 1 < end && sql.charCodeAt(i) === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const close = head.indexOf('*/', i + 2);
      if (close < 0) return { keyword: undefined, steps: end };
      i = close + 2;
      continue;
    }
    if (i + 1 < end && sql.charCodeAt(i) === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const nl = head.indexOf('\n', i + 2);
      if (nl < 0) return { keyword: undefined, steps: end };
      i = nl + 1;
      continue;
    }
    break;
  }
  if (i < end && sql.charCodeAt(i) === 40 /* ( */) {
    i++;
    while (i < end && isSpace(sql.charCodeAt(i))) i++;
  }
  const start = i;
  while (i < end && isLetter(sql.charCodeAt(i))) i++;
  const steps = i;
  // A run of letters cut by the scan bound might continue past it: not a keyword we can name.
  if (i === start || (i === end && end < sql.length)) return { keyword: undefined, steps };
  return { keyword: sql.slice(start, i), steps };
}

/** First keyword of a statement, upper-cased; anything unknown is OTHER so the label stays bounded. */
export function sqlOperation(sql: string): string {
  const { keyword } = scanSqlOperation(sql);
  if (keyword === undefined || keyword.length > MAX_KEYWORD) return 'OTHER';
  const op = keyword.toUpperCase();
  return KNOWN_OPERATIONS.has(op) ? op : 'OTHER';
}

interface Observer {
  observe(v: number): void;
}

interface Incrementer {
  inc(v?: number): void;
}

interface RequestChildren {
  duration: Observer;
  requestSize: Observer;
  responseSize: Observer;
  memoryPeak: Observer;
}

/**
 * The one funnel every adapter (Express, pg, mysql2, knex, BullMQ, uploads, ingestion) records through.
 * It owns label capping and the prom-client children cache; adapters only measure and call it.
 */
export class Recorder {
  readonly metrics: PerfwatchMetrics;
  private readonly guards = new Map<string, LabelGuard>();
  private readonly requestChildren = new Map<string, RequestChildren>();
  private readonly activeChildren = new Map<string, { inc(): void; dec(): void }>();
  private contextConsumers = 0;
  private readonly queues = new Map<string, () => Promise<Record<string, number>>>();
  private readonly pools = new Map<string, { dbSystem: string; pool: string; read: () => PoolState }>();
  private readonly queryListeners: QueryListener[] = [];
  private stackAdvisor: StackAdvisor | undefined;
  private readonly queryChildren = new Map<
    string,
    { duration: Observer; ok: Incrementer; error: Incrementer }
  >();
  private readonly queriesPerUnitChildren = new Map<string, Observer>();
  /** Last success per scheduled task (Unix seconds), bounded like the task label. */
  private readonly scheduleSuccess = new Map<string, number>();

  constructor(
    readonly registry: Registry,
    readonly caps: LabelCaps = DEFAULT_LABEL_CAPS,
    buckets: MetricBuckets = DEFAULT_BUCKETS,
  ) {
    this.metrics = createMetrics(registry, buckets, {
      collectPools: () => this.collectPools(),
      collectQueues: () => this.collectQueues(),
    });
  }

  /** Label value after capping; `metric` and `label` name the family the cap belongs to. */
  label(metric: string, label: string, value: string): string {
    const key = `${metric}\u0000${label}`;
    let guard = this.guards.get(key);
    if (!guard) {
      const cap = label === 'route' ? this.caps.routes : this.caps.values;
      guard = new LabelGuard(metric, label, cap, this.metrics.labelValuesFolded);
      this.guards.set(key, guard);
    }
    return guard.value(value);
  }

  /**
   * Whether something consumes the per-request work context (DB, queue or file hooks). Until one
   * does, the HTTP middleware does not open an AsyncLocalStorage context: that costs a few per cent of
   * a hello-world server's throughput for nothing.
   */
  get contextWanted(): boolean {
    return this.contextConsumers > 0;
  }

  /** Called by adapters that attribute their work to the current request or job. */
  useContext(): void {
    this.contextConsumers++;
  }

  requestStarted(method: string): void {
    this.activeChild(method).inc();
  }

  requestEnded(method: string): void {
    this.activeChild(method).dec();
  }

  private activeChild(method: string) {
    let child = this.activeChildren.get(method);
    if (!child) {
      child = this.metrics.httpActiveRequests.labels(method);
      this.activeChildren.set(method, child);
    }
    return child;
  }

  recordRequest(s: RequestSample): void {
    // One Map lookup per request on the hot path: prom-client children are cached by their exact
    // label values, so no label object is hashed per request.
    const key = `${s.method} ${s.statusCode} ${s.route}`;
    let children = this.requestChildren.get(key);
    if (!children) {
      const route = this.label('http_server_request_duration_seconds', 'route', s.route);
      children = {
        duration: this.metrics.httpRequestDuration.labels(s.method, route, String(s.statusCode)),
        requestSize: this.metrics.httpRequestBodySize.labels(s.method, route),
        responseSize: this.metrics.httpResponseBodySize.labels(s.method, route),
        memoryPeak: this.metrics.httpRequestMemoryPeak.labels(s.method, route),
      };
      // A folded route must not grow the cache: only routes within the cap are cached.
      if (route === s.route) this.requestChildren.set(key, children);
    }
    children.duration.observe(s.durationSeconds);
    if (s.requestBytes !== undefined) children.requestSize.observe(s.requestBytes);
    if (s.responseBytes !== undefined) children.responseSize.observe(s.responseBytes);
    if (s.memoryPeakBytes !== undefined) children.memoryPeak.observe(s.memoryPeakBytes);
  }

  recordError(route: string, errorClass: string, count = 1): void {
    this.metrics.httpErrors.inc(
      {
        route: this.label('http_server_errors_total', 'route', route),
        error_class: this.label('http_server_errors_total', 'error_class', errorClass),
      },
      count,
    );
  }

  /** A run of a scheduled task (Laravel's scheduler, a cron job). */
  recordScheduledTask(s: ScheduledTaskSample): void {
    const task = this.label('schedule_task_runs_total', 'task', s.task);
    this.metrics.scheduleRuns.inc({ task, status: s.status });
    if (s.status !== 'skipped') this.metrics.scheduleDuration.observe({ task }, s.durationSeconds);
    if (s.status === 'success') {
      const at = s.finishedAt ?? Date.now() / 1000;
      this.metrics.scheduleLastSuccess.set({ task }, at);
      const known = this.scheduleSuccess.get(s.task);
      if (this.scheduleSuccess.has(s.task) || this.scheduleSuccess.size < this.caps.values)
        this.scheduleSuccess.set(s.task, Math.max(known ?? 0, at));
    }
  }

  /** Unix seconds of a scheduled task's last successful run recorded here, for the schedule health check. */
  lastScheduledSuccess(task: string): number | undefined {
    return this.scheduleSuccess.get(task);
  }

  /** A queue's depth reported by the app itself (a PHP worker reading its Redis queue). */
  setQueueDepth(queue: string, state: string, depth: number): void {
    this.metrics.queueDepth.set({ queue: this.label('queue_depth', 'queue', queue), state }, depth);
  }

  /** Registers a consumer of every recorded query (slow-query sampler, N+1 detector). */
  onQuery(listener: QueryListener): () => void {
    this.queryListeners.push(listener);
    return () => {
      const i = this.queryListeners.indexOf(listener);
      if (i >= 0) this.queryListeners.splice(i, 1);
    };
  }

  /** Installed by slow-query capture: which queries get their stack taken at start. */
  setStackAdvisor(advisor: StackAdvisor | undefined): void {
    this.stackAdvisor = advisor;
  }

  /** Asked by adapters when a query starts; false (no stack) unless slow-query capture wants one. */
  wantsStack(sql: string): boolean {
    return this.stackAdvisor !== undefined && this.stackAdvisor.wants(sql);
  }

  recordQuery(s: QuerySample): void {
    const operation = s.operation ?? sqlOperation(s.sql);
    // Children cached by label values, as for requests: no label object hashed per query.
    const key = `${s.dbSystem}\u0000${operation}`;
    let c = this.queryChildren.get(key);
    if (!c) {
      const dbSystem = this.label('db_client_query_duration_seconds', 'db_system', s.dbSystem);
      c = {
        duration: this.metrics.dbQueryDuration.labels(dbSystem, operation),
        ok: this.metrics.dbQueries.labels(dbSystem, operation, 'ok'),
        error: this.metrics.dbQueries.labels(dbSystem, operation, 'error'),
      };
      if (dbSystem === s.dbSystem) this.queryChildren.set(key, c);
    }
    c.duration.observe(s.durationSeconds);
    (s.error ? c.error : c.ok).inc();
    // Adapters pass the context captured when the query started; the completion callback may run
    // in another one (a pool's connect callback).
    const work = s.work ?? currentWork();
    if (work && s.route === undefined) work.queryCount++;
    if (this.queryListeners.length === 0) return;
    // Built field by field: one fixed shape for every sample keeps the listeners' property reads fast
    // (spreading the adapter's object cost several microseconds per query).
    const sample: RecordedQuery = {
      dbSystem: s.dbSystem,
      sql: s.sql,
      durationSeconds: s.durationSeconds,
      operation,
      error: s.error,
      database: s.database,
      route: s.route ?? work?.route ?? UNMATCHED_ROUTE,
      requestId: s.requestId,
      stack: s.stack,
      callSite: s.callSite,
      work,
      time: s.time,
    };
    for (const l of this.queryListeners) l(sample);
  }

  /** Called when a request or job ends, with the number of queries it issued. */
  recordQueriesPerUnit(route: string, count: number): void {
    let child = this.queriesPerUnitChildren.get(route);
    if (!child) {
      const capped = this.label('db_client_queries_per_request', 'route', route);
      child = this.metrics.dbQueriesPerRequest.labels(capped);
      if (capped === route) this.queriesPerUnitChildren.set(route, child);
    }
    child.observe(count);
  }

  recordJob(s: JobSample): void {
    const queue = this.label('queue_jobs_total', 'queue', s.queue);
    const jobName = this.label('queue_jobs_total', 'job_name', s.jobName);
    this.metrics.jobs.inc({ queue, job_name: jobName, status: s.status });
    if (s.status !== 'retried')
      this.metrics.jobDuration.observe({ queue, job_name: jobName, status: s.status }, s.durationSeconds);
    else this.metrics.jobDuration.observe({ queue, job_name: jobName, status: 'failed' }, s.durationSeconds);
    if (s.waitSeconds !== undefined)
      this.metrics.jobWait.observe({ queue, job_name: jobName }, s.waitSeconds);
    if (s.status === 'completed')
      this.metrics.queueLastSuccess.set({ queue }, s.finishedAt ?? Date.now() / 1000);
  }

  /**
   * A pushing app said it is alive (any batch that names its app, an empty one included). Scraped
   * apps have `up`; pushed ones have only this, so an "app stopped sending" alert can page.
   */
  recordHeartbeat(app: string, atMs: number): void {
    const value = this.label('perfwatch_ingest_last_seen_timestamp_seconds', 'app', app);
    this.metrics.ingestLastSeen.set({ app: value }, atMs / 1000);
    this.metrics.ingestBatches.inc({ app: value });
  }

  /** Events an app's client reports it could not deliver earlier. */
  recordUnsent(app: string, n: number): void {
    this.metrics.ingestUnsent.inc(
      { app: this.label('perfwatch_ingest_last_seen_timestamp_seconds', 'app', app) },
      n,
    );
  }

  recordFileOperation(s: FileOperationSample): void {
    const operation = this.label('file_operation_duration_seconds', 'operation', s.operation);
    const status = this.label('file_operation_duration_seconds', 'status', s.status);
    this.metrics.fileOperationDuration.observe({ operation, status }, s.durationSeconds);
    if (s.bytes !== undefined && Number.isFinite(s.bytes) && s.bytes >= 0)
      this.metrics.fileOperationBytes.observe({ operation }, s.bytes);
  }

  /** Registers a pool whose idle/used/pending/max are read on every scrape. */
  trackPool(dbSystem: string, pool: string, read: () => PoolState): void {
    this.pools.set(`${dbSystem}\u0000${pool}`, { dbSystem, pool, read });
  }

  /** Sets the pool gauges from every tracked pool; called by the gauges' collect() at scrape time. */
  collectPools(): void {
    for (const { dbSystem, pool, read } of this.pools.values()) {
      let s: PoolState;
      try {
        s = read();
      } catch {
        this.drop('pool_gauges', 'read_failed');
        continue;
      }
      const labels = { db_system: dbSystem, pool };
      this.metrics.dbConnections.set({ ...labels, state: 'idle' }, s.idle);
      this.metrics.dbConnections.set({ ...labels, state: 'used' }, s.used);
      this.metrics.dbConnections.set({ ...labels, state: 'pending' }, s.pending);
      this.metrics.dbConnectionsMax.set(labels, s.max);
    }
  }

  /** Registers a queue whose depth per state is read (and may be cached) at scrape time. */
  trackQueueDepth(queue: string, read: () => Promise<Record<string, number>>): void {
    this.queues.set(queue, read);
  }

  /** Sets queue_depth from every tracked queue; called by the gauge's collect() at scrape time. */
  async collectQueues(): Promise<void> {
    await Promise.all(
      [...this.queues].map(async ([name, read]) => {
        let depth: Record<string, number>;
        try {
          depth = await read();
        } catch {
          // One failing queue must not fail the whole scrape.
          this.drop('queue_depth', 'read_failed');
          return;
        }
        const queue = this.label('queue_depth', 'queue', name);
        for (const [state, n] of Object.entries(depth)) this.metrics.queueDepth.set({ queue, state }, n);
      }),
    );
  }

  /** Counts something Perfwatch had to drop, so losses are visible in /metrics. */
  drop(component: string, reason: string, n = 1): void {
    this.metrics.dropped.inc({ component, reason }, n);
  }
}
