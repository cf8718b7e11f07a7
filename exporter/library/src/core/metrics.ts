/**
 * Every metric family Perfwatch exposes is defined here and nowhere else: name, help, labels, buckets.
 * Names follow Prometheus conventions and the OpenTelemetry semantic-convention names where one exists.
 * System (node_*) families live in src/system because their names and labels are node_exporter's.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  BYTE_BUCKETS,
  DEFAULT_DB_BUCKETS,
  DEFAULT_FILE_DURATION_BUCKETS,
  DEFAULT_HTTP_BUCKETS,
  DEFAULT_JOB_BUCKETS,
  MEMORY_BUCKETS,
  QUERIES_PER_REQUEST_BUCKETS,
} from './buckets';

export interface MetricBuckets {
  http: number[];
  db: number[];
  job: number[];
  fileDuration: number[];
}

export const DEFAULT_BUCKETS: MetricBuckets = {
  http: DEFAULT_HTTP_BUCKETS,
  db: DEFAULT_DB_BUCKETS,
  job: DEFAULT_JOB_BUCKETS,
  fileDuration: DEFAULT_FILE_DURATION_BUCKETS,
};

/** Scrape-time hooks for gauges whose values live elsewhere (pool objects). */
export interface MetricHooks {
  collectPools?: () => void;
  collectActiveRequests?: () => void;
  collectQueues?: () => Promise<void>;
  collectBoundedBytes?: () => void;
}

export function createMetrics(
  registry: Registry,
  buckets: MetricBuckets = DEFAULT_BUCKETS,
  hooks: MetricHooks = {},
) {
  const registers = [registry];
  return {
    // --- HTTP server (OTel: http.server.request.duration, http.server.active_requests) ---
    httpRequestDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by route template. Aborted requests have status_code 499.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: buckets.http,
      registers,
    }),
    httpActiveRequests: new Gauge({
      name: 'http_server_active_requests',
      help: 'HTTP server requests in flight.',
      labelNames: ['method'] as const,
      registers,
      collect: hooks.collectActiveRequests,
    }),
    httpRequestBodySize: new Histogram({
      name: 'http_server_request_body_size_bytes',
      help: 'Size of HTTP request bodies (from Content-Length) in bytes.',
      labelNames: ['method', 'route'] as const,
      buckets: BYTE_BUCKETS,
      registers,
    }),
    httpResponseBodySize: new Histogram({
      name: 'http_server_response_body_size_bytes',
      help: 'Size of HTTP response bodies (from Content-Length) in bytes.',
      labelNames: ['method', 'route'] as const,
      buckets: BYTE_BUCKETS,
      registers,
    }),
    httpRequestMemoryPeak: new Histogram({
      name: 'http_server_request_memory_peak_bytes',
      help: 'Peak memory of the worker process while it served a request (sent by PHP clients), by route.',
      labelNames: ['method', 'route'] as const,
      buckets: MEMORY_BUCKETS,
      registers,
    }),
    httpErrors: new Counter({
      name: 'http_server_errors_total',
      help: 'Unhandled errors raised by route handlers, by route and error class.',
      labelNames: ['route', 'error_class'] as const,
      registers,
    }),

    // --- Database client (OTel: db.client.operation.duration) ---
    dbQueryDuration: new Histogram({
      name: 'db_client_query_duration_seconds',
      help: 'Duration of database queries.',
      labelNames: ['db_system', 'operation'] as const,
      buckets: buckets.db,
      registers,
    }),
    dbQueries: new Counter({
      name: 'db_client_queries_total',
      help: 'Database queries, by outcome (ok or error).',
      labelNames: ['db_system', 'operation', 'status'] as const,
      registers,
    }),
    dbSlowQueries: new Counter({
      name: 'db_client_slow_queries_total',
      help: 'Database queries slower than the slow-query threshold.',
      labelNames: ['db_system', 'operation'] as const,
      registers,
    }),
    dbQueriesPerRequest: new Histogram({
      name: 'db_client_queries_per_request',
      help: 'Database queries issued by one HTTP request or job, by route.',
      labelNames: ['route'] as const,
      buckets: QUERIES_PER_REQUEST_BUCKETS,
      registers,
    }),
    dbNPlusOne: new Counter({
      name: 'db_client_n_plus_one_total',
      help: 'Requests or jobs flagged for an N+1 query pattern (one fingerprint repeated over the limit).',
      labelNames: ['route'] as const,
      registers,
    }),
    dbConnections: new Gauge({
      name: 'db_client_connections',
      help: 'Connections in a database client pool, by state (idle, used, pending = callers waiting).',
      labelNames: ['db_system', 'pool', 'state'] as const,
      registers,
      collect: hooks.collectPools,
    }),
    dbConnectionsMax: new Gauge({
      name: 'db_client_connections_max',
      help: 'Maximum connections a database client pool may open.',
      labelNames: ['db_system', 'pool'] as const,
      registers,
    }),

    // --- Queue jobs ---
    jobDuration: new Histogram({
      name: 'queue_job_duration_seconds',
      help: 'Processing time of queue jobs.',
      labelNames: ['queue', 'job_name', 'status'] as const,
      buckets: buckets.job,
      registers,
    }),
    jobWait: new Histogram({
      name: 'queue_job_wait_seconds',
      help: 'Time queue jobs waited between being enqueued and being started.',
      labelNames: ['queue', 'job_name'] as const,
      buckets: buckets.job,
      registers,
    }),
    jobs: new Counter({
      name: 'queue_jobs_total',
      help: 'Queue jobs by outcome (completed, failed, retried).',
      labelNames: ['queue', 'job_name', 'status'] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'queue_depth',
      help: 'Jobs in a queue by state (waiting, active, delayed, failed), cached briefly at scrape time.',
      labelNames: ['queue', 'state'] as const,
      registers,
      collect: hooks.collectQueues,
    }),
    queueLastSuccess: new Gauge({
      name: 'queue_last_success_timestamp_seconds',
      help: 'Unix time of the last job that completed successfully in a queue.',
      labelNames: ['queue'] as const,
      registers,
    }),

    // --- Scheduled tasks (Laravel's scheduler, cron) ---
    scheduleRuns: new Counter({
      name: 'schedule_task_runs_total',
      help: 'Runs of scheduled tasks by outcome (success, failed, skipped).',
      labelNames: ['task', 'status'] as const,
      registers,
    }),
    scheduleDuration: new Histogram({
      name: 'schedule_task_duration_seconds',
      help: 'Duration of scheduled task runs.',
      labelNames: ['task'] as const,
      buckets: buckets.job,
      registers,
    }),
    scheduleLastSuccess: new Gauge({
      name: 'schedule_task_last_success_timestamp_seconds',
      help: 'Unix time of the last successful run of a scheduled task.',
      labelNames: ['task'] as const,
      registers,
    }),

    // --- File operations (upload, bundle, compress, patch, …) ---
    fileOperationDuration: new Histogram({
      name: 'file_operation_duration_seconds',
      help: 'Duration of file operations (upload, bundle, compress, patch, …) by outcome.',
      labelNames: ['operation', 'status'] as const,
      buckets: buckets.fileDuration,
      registers,
    }),
    fileOperationBytes: new Histogram({
      name: 'file_operation_bytes',
      help: 'Bytes handled by file operations.',
      labelNames: ['operation'] as const,
      buckets: BYTE_BUCKETS,
      registers,
    }),

    // --- Health checks of the app's dependencies ---
    healthCheckUp: new Gauge({
      name: 'perfwatch_health_check_up',
      help: 'Whether a dependency health check passed on its last run (1) or failed (0).',
      labelNames: ['check'] as const,
      registers,
    }),
    healthCheckLastFailure: new Gauge({
      name: 'perfwatch_health_check_last_failure_timestamp_seconds',
      help: 'Unix time of the last failed run of a dependency health check (absent until one fails).',
      labelNames: ['check'] as const,
      registers,
    }),
    healthCheckDuration: new Gauge({
      name: 'perfwatch_health_check_duration_seconds',
      help: 'Duration of the last run of a dependency health check.',
      labelNames: ['check'] as const,
      registers,
    }),

    slowQueriesSampledOut: new Counter({
      name: 'perfwatch_slow_queries_sampled_out_total',
      help: 'Slow queries counted in db_client_slow_queries_total but not kept as samples (load shedding).',
      labelNames: ['db_system'] as const,
      registers,
    }),
    slowQueryFlushes: new Counter({
      name: 'perfwatch_slow_query_flushes_total',
      help: 'Batch writes of slow-query samples to the store, by outcome.',
      labelNames: ['status'] as const,
      registers,
    }),
    slowQueryPending: new Gauge({
      name: 'perfwatch_slow_query_samples_pending',
      help: 'Slow-query samples in memory waiting to be written to the store.',
      registers,
    }),

    ingestEvents: new Counter({
      name: 'perfwatch_ingest_events_total',
      help: 'Events received on POST /api/v1/events, by kind and status (accepted or rejected).',
      labelNames: ['kind', 'status'] as const,
      registers,
    }),

    watchdogLastSeen: new Gauge({
      name: 'perfwatch_alertmanager_watchdog_last_seen_timestamp_seconds',
      help: "When Alertmanager last delivered the always-firing Watchdog alert to Perfwatch's webhook (the dead man's switch); Unix seconds.",
      registers,
    }),
    ingestLastSeen: new Gauge({
      name: 'perfwatch_ingest_last_seen_timestamp_seconds',
      help: "When an app last sent a batch (its heartbeat) to POST /api/v1/events, by the batch's app name; Unix seconds.",
      labelNames: ['app'] as const,
      registers,
    }),
    ingestBatches: new Counter({
      name: 'perfwatch_ingest_batches_total',
      help: 'Batches received on POST /api/v1/events that named their app, empty heartbeat batches included.',
      labelNames: ['app'] as const,
      registers,
    }),
    ingestUnsent: new Counter({
      name: 'perfwatch_ingest_unsent_events_total',
      help: 'Events an app could not deliver (Perfwatch unreachable, timeouts), as its client reported with a later batch, by app.',
      labelNames: ['app'] as const,
      registers,
    }),

    alertmanagerNotifications: new Counter({
      name: 'perfwatch_alertmanager_notifications_total',
      help: 'Alertmanager webhook notifications received, by outcome (processed, invalid, failed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    incidentChanges: new Counter({
      name: 'perfwatch_incident_changes_total',
      help: 'Incidents changed by Alertmanager notifications, by action (opened, reopened, updated, resolved, unchanged, ignored).',
      labelNames: ['action'] as const,
      registers,
    }),
    incidentDiagnostics: new Counter({
      name: 'perfwatch_incident_diagnostics_total',
      help: 'Incident diagnostics snapshots, by outcome (complete, partial, failed, dropped).',
      labelNames: ['outcome'] as const,
      registers,
    }),

    // --- Perfwatch's own bookkeeping: nothing is dropped or folded silently ---
    labelValuesFolded: new Counter({
      name: 'perfwatch_label_values_folded_total',
      help: 'Label values folded into __overflow__ because the label reached its cap of distinct values.',
      labelNames: ['metric', 'label'] as const,
      registers,
    }),
    dropped: new Counter({
      name: 'perfwatch_dropped_total',
      help: 'Samples, events or records Perfwatch dropped, by component and reason.',
      labelNames: ['component', 'reason'] as const,
      registers,
    }),
    boundedBytes: new Gauge({
      name: 'perfwatch_bounded_memory_bytes',
      help: 'Estimated bytes held by a bounded in-memory structure (n_plus_one, slow_query_buffer, fingerprint_cache, tallies); each is capped and what its cap drops counts in perfwatch_dropped_total.',
      labelNames: ['component'] as const,
      registers,
      collect: hooks.collectBoundedBytes,
    }),
    buildInfo: new Gauge({
      name: 'perfwatch_build_info',
      help: 'Perfwatch build information; always 1.',
      labelNames: ['version', 'node_version'] as const,
      registers,
    }),
  };
}

export type PerfwatchMetrics = ReturnType<typeof createMetrics>;
