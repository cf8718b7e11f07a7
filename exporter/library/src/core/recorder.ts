import type { Registry } from 'prom-client';
import { currentWork, type WorkContext } from './context';
import { LabelGuard } from './label-guard';
import { histogramChild, type Observer } from './fast-children';
import { createMetrics, DEFAULT_BUCKETS, type MetricBuckets, type PerfwatchMetrics } from './metrics';
import {
  DEFAULT_LABEL_CAPS,
  type FileOperationSample,
  type JobSample,
  type LabelCaps,
  type PoolState,
  type QueryListener,
  type QuerySample,
  type RecordedQuery,
  type RequestSample,
  type ScheduledTaskSample,
  type StackAdvisor,
  UNMATCHED_ROUTE,
} from './samples';
import { SqlOperationCache } from './sql-operation';

// Adapters, features and the public API import these from here.
export * from './samples';
export * from './sql-operation';

interface Incrementer {
  inc(v?: number): void;
}

/** A query family's children for one db_system and operation, with counts held back during a batch. */
interface QueryChildren {
  duration: Observer;
  ok: Incrementer;
  error: Incrementer;
  pendingOk: number;
  pendingError: number;
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
  /** By route, method and status: nested maps, so the hot path builds no key string. */
  private readonly requestChildren = new Map<string, Map<string, Map<number, RequestChildren>>>();
  /**
   * Requests in flight by method, copied into http_server_active_requests when it is collected: a
   * gauge child's inc()/dec() validates, hashes and allocates a new series value on every call
   * (prom-client lib/gauge.js set()), twice per request.
   */
  private readonly active = new Map<string, number>();
  private contextConsumers = 0;
  private readonly queues = new Map<string, () => Promise<Record<string, number>>>();
  private readonly boundedBytes = new Map<string, () => number>();
  private readonly pools = new Map<string, { dbSystem: string; pool: string; read: () => PoolState }>();
  private readonly queryListeners: QueryListener[] = [];
  private stackAdvisor: StackAdvisor | undefined;
  /** By db_system, then operation. */
  private readonly queryChildren = new Map<string, Map<string, QueryChildren>>();
  private readonly operations = new SqlOperationCache();
  /** Query children with counts held back while a batch is recorded (see recordBatch). */
  private batched: QueryChildren[] | undefined;
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
      collectActiveRequests: () => {
        for (const [method, n] of this.active) this.metrics.httpActiveRequests.set({ method }, n);
      },
      collectQueues: () => this.collectQueues(),
      collectBoundedBytes: () => this.collectBoundedBytes(),
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
    this.active.set(method, (this.active.get(method) ?? 0) + 1);
  }

  requestEnded(method: string): void {
    this.active.set(method, (this.active.get(method) ?? 1) - 1);
  }

  recordRequest(s: RequestSample): void {
    // A few Map lookups per request on the hot path: prom-client children are cached by their exact
    // label values, so no label object is hashed per request.
    let byMethod = this.requestChildren.get(s.route);
    let byStatus = byMethod?.get(s.method);
    let children = byStatus?.get(s.statusCode);
    if (!children) {
      const route = this.label('http_server_request_duration_seconds', 'route', s.route);
      children = {
        duration: histogramChild(this.metrics.httpRequestDuration, [s.method, route, String(s.statusCode)]),
        requestSize: histogramChild(this.metrics.httpRequestBodySize, [s.method, route]),
        responseSize: histogramChild(this.metrics.httpResponseBodySize, [s.method, route]),
        memoryPeak: histogramChild(this.metrics.httpRequestMemoryPeak, [s.method, route]),
      };
      // A folded route must not grow the cache: only routes within the cap are cached.
      if (route === s.route) {
        if (!byMethod) this.requestChildren.set(s.route, (byMethod = new Map()));
        if (!byStatus) byMethod.set(s.method, (byStatus = new Map()));
        byStatus.set(s.statusCode, children);
      }
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
  wantsStack(sql: string, work?: WorkContext): boolean {
    return this.stackAdvisor !== undefined && this.stackAdvisor.wants(sql, work);
  }

  /**
   * Records a query. The sample becomes the RecordedQuery listeners see (its operation and route are
   * filled in): no second object per query. Callers pass a fresh object and do not reuse it.
   */
  recordQuery(s: QuerySample): void {
    const operation = (s.operation ??= this.operations.of(s.sql));
    const c = this.queryChildrenOf(s.dbSystem, operation);
    c.duration.observe(s.durationSeconds);
    if (this.batched === undefined) (s.error ? c.error : c.ok).inc();
    else {
      if (c.pendingOk === 0 && c.pendingError === 0) this.batched.push(c);
      if (s.error) c.pendingError++;
      else c.pendingOk++;
    }
    // Adapters pass the context captured when the query started; the completion callback may run
    // in another one (a pool's connect callback).
    const work = s.work ?? currentWork();
    if (work && s.route === undefined) work.queryCount++;
    const listeners = this.queryListeners;
    if (listeners.length === 0) return;
    s.route ??= work?.route ?? UNMATCHED_ROUTE;
    s.work = work;
    const recorded = s as RecordedQuery;
    for (let i = 0; i < listeners.length; i++) listeners[i](recorded);
  }

  private queryChildrenOf(dbSystemValue: string, operation: string): QueryChildren {
    let byOperation = this.queryChildren.get(dbSystemValue);
    let c = byOperation?.get(operation);
    if (c) return c;
    const dbSystem = this.label('db_client_query_duration_seconds', 'db_system', dbSystemValue);
    c = {
      duration: histogramChild(this.metrics.dbQueryDuration, [dbSystem, operation]),
      ok: this.metrics.dbQueries.labels(dbSystem, operation, 'ok'),
      error: this.metrics.dbQueries.labels(dbSystem, operation, 'error'),
      pendingOk: 0,
      pendingError: 0,
    };
    // A folded db_system must not grow the cache.
    if (dbSystem === dbSystemValue) {
      if (!byOperation) this.queryChildren.set(dbSystemValue, (byOperation = new Map()));
      byOperation.set(operation, c);
    }
    return c;
  }

  /**
   * Records a batch (an ingested one): query counts are summed per label set and added to prom-client
   * once each at the end, not once per query (every inc() hashes its label set).
   */
  recordBatch<T>(record: () => T): T {
    if (this.batched !== undefined) return record();
    const batched: QueryChildren[] = (this.batched = []);
    try {
      return record();
    } finally {
      this.batched = undefined;
      for (const c of batched) {
        if (c.pendingOk > 0) c.ok.inc(c.pendingOk);
        if (c.pendingError > 0) c.error.inc(c.pendingError);
        c.pendingOk = c.pendingError = 0;
      }
    }
  }

  /** Called when a request or job ends, with the number of queries it issued. */
  recordQueriesPerUnit(route: string, count: number): void {
    let child = this.queriesPerUnitChildren.get(route);
    if (!child) {
      const capped = this.label('db_client_queries_per_request', 'route', route);
      child = histogramChild(this.metrics.dbQueriesPerRequest, [capped]);
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

  /**
   * Registers a bounded structure whose estimated bytes are read at scrape time, for structures that
   * change on every event (setting the gauge there hashed its label set once per ingested query).
   * Returns the unregistration, which sets the gauge to 0.
   */
  trackBoundedBytes(component: string, read: () => number): () => void {
    this.boundedBytes.set(component, read);
    return () => {
      if (this.boundedBytes.get(component) !== read) return;
      this.boundedBytes.delete(component);
      this.metrics.boundedBytes.set({ component }, 0);
    };
  }

  /** Sets perfwatch_bounded_memory_bytes of every tracked structure; called by the gauge's collect(). */
  collectBoundedBytes(): void {
    for (const [component, read] of this.boundedBytes) this.metrics.boundedBytes.set({ component }, read());
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
