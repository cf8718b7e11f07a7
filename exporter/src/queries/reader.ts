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

declare module '../kit/module' {
  interface Capabilities {
    /** Provided by the slow-query module; ingestion commits through it, diagnostics read it. */
    slowQueries: SlowQueryReader;
  }
}
