import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { PerfwatchConfig } from '../config/schema';
import type { Recorder } from '../core/recorder';
import type { CustomMetrics } from '../custom/metrics';
import type { Logger } from '../logger';
import type { Store } from '../store/store';
import type { TokenAuth } from './auth';

/** One row of "top slow queries": what incident diagnostics and reports ask the slow-query store. */
export interface SlowQuerySummary {
  fingerprintId: string;
  fingerprint: string;
  database: string;
  count: number;
  totalSeconds: number;
  maxSeconds: number;
  p95Seconds: number;
}

/** Read side of slow-query capture, provided by the slow-query module when it runs. */
export interface SlowQueryReader {
  top(options: { sinceMs: number; limit: number }): Promise<SlowQuerySummary[]>;
  /** Writes pending samples and counts now (group commit); false while the store cannot be written. */
  commit(): Promise<boolean>;
}

/** Everything an API module may use. Built once by the service. */
export interface ServiceContext {
  config: PerfwatchConfig;
  registry: Registry;
  recorder: Recorder;
  store: Store;
  logger: Logger;
  auth: TokenAuth;
  startedAt: Date;
  /** Set by the slow-query module's start(); absent when that module is not loaded. */
  slowQueries?: SlowQueryReader;
  /** Custom metrics declared in the config (`customMetrics:`), set by the custom-metrics module. */
  customMetrics?: CustomMetrics;
}

/**
 * One feature's slice of the service: its API routes under /api/v1 and, optionally, background work
 * that starts with the service and is flushed on shutdown (slow-query batches, retention, …).
 */
export interface ServiceModule {
  name: string;
  routes?(router: Router, ctx: ServiceContext): void;
  /**
   * JSON body limits for some of this module's paths under /api/v1 (exact paths), when they differ
   * from server.bodyLimitBytes, e.g. the ingestion endpoint's.
   */
  bodyLimits?(ctx: ServiceContext): Record<string, number>;
  start?(ctx: ServiceContext): Promise<void> | void;
  /** Flush buffers; called on SIGTERM before the store closes. */
  stop?(ctx: ServiceContext): Promise<void> | void;
}
