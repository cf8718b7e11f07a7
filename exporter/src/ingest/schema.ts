import { z } from 'zod';
import { MAX_SERVICE_NAME, SERVICE_NAME_CHARS } from '@perfwatch/node/internal';

export const ingestConfigSchema = z
  .object({
    /** Events in one batch at most; a longer batch is refused whole with 413. */
    maxBatch: z.number().int().positive().max(100_000).default(1000),
    /** Largest body POST /api/v1/events accepts (after gzip/deflate decoding); over it, 413. */
    bodyLimitBytes: z.number().int().positive().default(1_048_576),
    /**
     * Longest value accepted for a field that becomes a label (route, queue, job name, operation,
     * custom label values, …). Distinct values per label are capped by metrics.labelCaps, as in-process.
     */
    maxLabelLength: z.number().int().min(16).max(1024).default(128),
    /** Longest SQL text accepted in a query event; the slow-query sampler cuts longer ones further. */
    maxSqlLength: z.number().int().positive().default(100_000),
  })
  .strict();

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export const EVENT_KINDS = [
  'request',
  'query',
  'job',
  'file_operation',
  'metric',
  'exception',
  'schedule',
  'queue_depth',
] as const;

/** Longest call site (`app/Http/Controllers/InvoiceController.php:42`) a query event may carry. */
export const MAX_CALL_SITE_LENGTH = 512;

/** The event schema for the configured limits. Durations in milliseconds, like most frameworks log them. */
export function eventSchema(limits: IngestConfig) {
  const label = z.string().min(1).max(limits.maxLabelLength);
  const ms = z.number().finite().min(0).max(86_400_000);
  const count = z.number().int().min(0);
  return z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('request'),
        method: z.string().min(1).max(32),
        /** The framework's route template (`/users/{id}`), never the raw path. */
        route: label,
        status: z.number().int().min(100).max(599),
        durationMs: ms,
        requestBytes: count.optional(),
        responseBytes: count.optional(),
        /** Queries the request issued, for db_client_queries_per_request. */
        queryCount: count.max(1_000_000).optional(),
        /** Peak memory of the process that served the request (PHP's memory_get_peak_usage()). */
        memoryPeakBytes: count.max(2 ** 45).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('query'),
        dbSystem: label,
        sql: z.string().min(1).max(limits.maxSqlLength),
        durationMs: ms,
        database: label.optional(),
        route: label.optional(),
        requestId: z.string().min(1).max(128).optional(),
        error: z.boolean().optional(),
        /** When the query ran (epoch ms); defaults to arrival. */
        time: z.number().int().positive().optional(),
        /** `file:line` of the application frame that issued the query, shown with slow-query samples. */
        callSite: z.string().min(1).max(MAX_CALL_SITE_LENGTH).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('job'),
        queue: label,
        jobName: label,
        status: z.enum(['completed', 'failed', 'retried']),
        durationMs: ms,
        waitMs: ms.optional(),
        /** When the job finished (epoch ms), for queue_last_success_timestamp_seconds; defaults to arrival. */
        time: z.number().int().positive().optional(),
        queryCount: count.max(1_000_000).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('file_operation'),
        operation: label,
        status: z.enum(['ok', 'error', 'aborted', 'too_large']),
        durationMs: ms,
        bytes: count.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('metric'),
        /** A custom metric declared under customMetrics: in the config. */
        name: z.string().min(1).max(100),
        labels: z.record(z.string().max(100), z.string()).optional(),
        /** Counters: the increment (default 1). Gauges: the value, or the change with op "add". */
        value: z.number().finite().optional(),
        op: z.enum(['set', 'add']).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('exception'),
        /** The exception's class (`Illuminate\\Database\\QueryException`); counted per class and route. */
        errorClass: label,
        /** Route template of the request that raised it; absent outside a request. */
        route: label.optional(),
        /** Occurrences this event stands for (a client may aggregate one request's exceptions). */
        count: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('schedule'),
        /** The scheduled task (a command name or a cron job's description). */
        task: label,
        status: z.enum(['success', 'failed', 'skipped']),
        durationMs: ms,
        /** When the run finished (epoch ms); defaults to arrival. */
        time: z.number().int().positive().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('queue_depth'),
        queue: label,
        /** Laravel's Redis queue: the list is `waiting`, `:reserved` is `active`, `:delayed` is `delayed`. */
        state: z.enum(['waiting', 'active', 'delayed', 'failed']),
        depth: count.max(1_000_000_000),
      })
      .strict(),
  ]);
}

export type IngestEvent = z.infer<ReturnType<typeof eventSchema>>;

/**
 * The sending app's name, at the top of a batch (`{"app": "billing", "events": [...]}`). A batch
 * that names its app is its heartbeat, so an idle app sends `{"app": "billing", "events": []}`.
 * Kept to Prometheus-friendly characters: it becomes the `app` label.
 */
export function appNameSchema(limits: IngestConfig) {
  return z
    .string()
    .min(1)
    .max(Math.min(limits.maxLabelLength, MAX_SERVICE_NAME))
    .regex(SERVICE_NAME_CHARS, 'letters, digits, "_", "." and "-" only');
}

/**
 * Events the sending app's client could not deliver before this batch (`"unsent": 12`, beside `app`),
 * added to perfwatch_ingest_unsent_events_total{app}. A bad value is ignored, not a reason to refuse
 * the batch that carries it.
 */
export const unsentSchema = z.number().int().min(0).max(1_000_000_000);
