/** A kept slow (or N+1) query, as held in memory and stored. */
export interface SlowQuerySample {
  fingerprintId: string;
  fingerprint: string;
  /** Redacted SQL (literals as `?`) unless raw literals were explicitly enabled. */
  sample: string;
  durationMs: number;
  dbSystem: string;
  database: string | null;
  operation: string;
  route: string;
  /** The app the query came from: queries.service in-process, the batch's `app` when ingested. */
  service: string | null;
  requestId: string | null;
  callSite: string | null;
  error: boolean;
  nPlusOne: boolean;
  /** Slow queries of this fingerprint sampled out (not kept) since its previous kept sample. */
  sampledOut: number;
  /** Their total duration. */
  sampledOutMs: number;
  capturedAt: number;
}
