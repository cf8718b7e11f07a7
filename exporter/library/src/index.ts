/**
 * In-process library for Node apps:
 *
 *   const pw = perfwatch();
 *   app.use(pw.express());
 *   // … routes …
 *   app.use(pw.errorHandler());
 *   app.get('/metrics', pw.metricsHandler());
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { mergeBuckets } from './core/buckets';
import { DEFAULT_BUCKETS } from './core/metrics';
import { DEFAULT_LABEL_CAPS, type LabelCaps, Recorder } from './core/recorder';
import { expressErrorHandler, expressMiddleware } from './instrument/express';
import { instrumentHttpServer } from './instrument/http';
import type { RouteResolver } from './instrument/request-tracker';
import { metricsHandler } from './metrics-endpoint';
import { registerSystemMetrics } from './system';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { instrumentKnex, trackKnexPool } from './instrument/knex';
import type { Job, Queue } from 'bullmq';
import { bullmqProcessor, trackBullmqQueue } from './instrument/bullmq';
import { instrumentJob, type JobInfo } from './instrument/jobs';
import { measure, type MeasureOptions } from './instrument/measure';
import {
  instrumentBusboy,
  instrumentMulterStorage,
  type StorageEngine,
  type UploadOptions,
} from './instrument/uploads';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { instrumentMysql2, trackMysql2Pool } from './instrument/mysql2';
import { instrumentPg, type PgModule, type PgPoolLike, trackPgPool } from './instrument/pg';
import { CustomMetrics } from './custom/metrics';
import { HealthChecks } from './health/registry';
import { SlowQueryCapture, type SampleSink } from './queries/capture';
import { type QueriesConfigInput, resolveQueriesConfig } from './queries/config';

export interface PerfwatchOptions {
  /** Registry to record into; a new one by default. */
  registry?: Registry;
  /** prom-client's process/nodejs metrics (default true). */
  defaultMetrics?: boolean;
  /** node_exporter-compatible node_* metrics: opt-in in the library (default false). */
  systemMetrics?: boolean;
  /** HTTP latency buckets in seconds; SLA targets are merged in so each reads an exact bucket. */
  httpBuckets?: number[];
  /**
   * Extra bucket bounds (seconds): SLA latency targets and their thresholds, so the generated rules read
   * exact buckets. `slaBucketBounds(loadConfig('perfwatch.yml').sla)` from `@perfwatch/exporter` gives
   * them for perfwatch.yml's `sla:` section (or pass `sla` to that package's `perfwatch()`).
   */
  slaBounds?: number[];
  labelCaps?: Partial<LabelCaps>;
  /** Slow-query capture settings (threshold, sampling, N+1 limit, redaction). */
  queries?: QueriesConfigInput;
  /** Defaults for health checks that do not set their own (30 s interval, 5 s timeout). */
  health?: { intervalMs?: number; timeoutMs?: number };
  /**
   * Where slow-query and N+1 samples are written in batches. `@perfwatch/exporter`'s `perfwatch({ store })`
   * provides one writing to the store `perfwatch serve` reads. Without it samples stay in memory
   * (`slowQuerySamples()`).
   */
  sink?: SampleSink;
}

export function perfwatch(options: PerfwatchOptions = {}) {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const recorder = new Recorder(
    registry,
    { ...DEFAULT_LABEL_CAPS, ...options.labelCaps },
    {
      ...DEFAULT_BUCKETS,
      http: mergeBuckets(options.httpBuckets ?? DEFAULT_BUCKETS.http, options.slaBounds ?? []),
    },
  );
  if (options.systemMetrics) registerSystemMetrics(registry);
  const queries = resolveQueriesConfig(options.queries);
  let capture: SlowQueryCapture | undefined;
  const sink = options.sink;
  /** Slow-query capture starts with the first DB hook, so apps without one pay nothing. */
  const slowQueries = () => {
    if (!capture) {
      capture = new SlowQueryCapture(recorder, queries, sink);
      capture.start();
    }
    return capture;
  };
  return {
    registry,
    recorder,
    /** Express middleware; install before routes and routers. */
    express: (opts: { express?: Parameters<typeof expressMiddleware>[0]['express'] } = {}) =>
      expressMiddleware({ recorder, ...opts }),
    /** Express error hook counting unhandled route errors; install after routes. */
    errorHandler: (opts: { countClientErrors?: boolean } = {}) => expressErrorHandler({ recorder, ...opts }),
    /** Hook for a plain node:http server. */
    instrumentHttpServer: (server: Server, route?: RouteResolver) =>
      instrumentHttpServer(server, { recorder, route }),
    /** Express/connect handler that serves the registry (Prometheus text or OpenMetrics). */
    metricsHandler: () => metricsHandler([registry]),
    /** Hooks node-postgres (`require('pg')`): Client and Pool queries. */
    instrumentPg: (pg: PgModule) => {
      slowQueries();
      instrumentPg(pg, { recorder });
    },
    trackPgPool: (pool: PgPoolLike, name?: string) => trackPgPool(pool, { recorder, name }),
    /** Hooks mysql2 (`require('mysql2')`): callback and promise APIs, query and execute. */
    instrumentMysql2: (mysql: Parameters<typeof instrumentMysql2>[0]) => {
      slowQueries();
      instrumentMysql2(mysql, { recorder });
    },
    trackMysql2Pool: (pool: Parameters<typeof trackMysql2Pool>[0], name?: string) =>
      trackMysql2Pool(pool, { recorder, name }),
    /** Hooks a knex instance through its query events (instead of the driver hooks). */
    instrumentKnex: (knex: Knex) => {
      slowQueries();
      instrumentKnex(knex, { recorder });
    },
    /** db_client_connections{state} + _max for a knex instance's pool (tarn), read at scrape time. */
    trackKnexPool: (knex: Knex, name?: string) => trackKnexPool(knex, { recorder, name }),
    /** Wraps a BullMQ processor: job context, wait, duration and outcome. */
    bullmqProcessor: <R>(queueName: string, processor: (job: Job) => Promise<R>) => {
      slowQueries();
      return bullmqProcessor(recorder, queueName, processor);
    },
    /** Reports queue_depth{queue,state} for a BullMQ queue at scrape time. */
    trackBullmqQueue: (queue: Queue, opts?: { cacheMs?: number; timeoutMs?: number }) =>
      trackBullmqQueue(recorder, queue, opts),
    /** Wraps any queue library's handler. */
    instrumentJob: <A extends unknown[], R>(
      queue: string,
      name: string,
      fn: (...args: A) => Promise<R> | R,
      info?: (...args: A) => JobInfo,
    ) => instrumentJob(recorder, queue, name, fn, info),
    /** Times a file operation (bundle, compress, patch, …). */
    measure: <R>(operation: string, fn: () => Promise<R> | R, opts?: MeasureOptions<R>) =>
      measure(recorder, operation, fn, opts),
    /** Wraps a multer storage engine: each file's duration, bytes and outcome (ok, too_large, aborted, error). */
    multerStorage: <Req extends IncomingMessage, File extends { stream: Readable }>(
      storage: StorageEngine<Req, File>,
      opts?: UploadOptions,
    ) => instrumentMulterStorage(recorder, storage, opts),
    /** Records the files a busboy instance parses; pass `request` to see aborted uploads. */
    busboy: <B extends EventEmitter>(busboy: B, opts?: UploadOptions & { request?: IncomingMessage }) =>
      instrumentBusboy(recorder, busboy, opts),
    /**
     * Custom business metrics with declared label names, capped like built-in ones:
     * `const logins = pw.custom.counter('app_logins_total', { help: '…', labelNames: ['outcome'] })`.
     */
    custom: new CustomMetrics(recorder),
    /**
     * Health checks of the app's dependencies, run periodically off the request path:
     * `pw.health.add(postgresCheck('db', { pool })).start()`; `pw.health.results()` for details.
     */
    health: new HealthChecks(recorder, {
      intervalMs: options.health?.intervalMs ?? 30_000,
      timeoutMs: options.health?.timeoutMs ?? 5_000,
    }),
    /** Slow and N+1 samples captured so far and not yet taken (newest last). */
    slowQuerySamples: () => slowQueries().sampler.peek(),
    /** Writes pending samples to the sink (when one is set) and closes it. */
    close: async () => {
      await capture?.stop();
      await sink?.close?.();
    },
  };
}

export type Perfwatch = ReturnType<typeof perfwatch>;

export { Recorder, UNMATCHED_ROUTE, ABORTED_STATUS } from './core/recorder';
export type { QuerySample, JobSample, FileOperationSample, RequestSample } from './core/recorder';
export { currentWork, workContext } from './core/context';
export { CustomMetrics, CustomMetricError } from './custom/metrics';
export { HealthChecks, HealthCheckFailure } from './health/registry';
export type { HealthCheck, HealthResult, HealthDetails } from './health/registry';
export {
  bullmqCheck,
  customCheck,
  diskCheck,
  httpCheck,
  mysqlCheck,
  postgresCheck,
  redisCheck,
} from './health/checks';
export { instrumentJob } from './instrument/jobs';
export { measure } from './instrument/measure';
export type { CustomCounter, CustomGauge, CustomHistogram } from './custom/metrics';
export { fingerprint, redactSql } from './queries/fingerprint';
export type { SampleSink } from './queries/capture';
export type { SlowQuerySample } from './queries/sample';
export type { PendingTally } from './queries/sampler';
export type { Logger } from './logger';
