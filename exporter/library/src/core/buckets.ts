/** Default latency buckets (seconds): 5 ms … 10 s, a superset of prom-client's defaults. */
export const DEFAULT_HTTP_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 10,
];

/** Database query latency: queries are faster than requests, so start at 1 ms. */
export const DEFAULT_DB_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Queue jobs run from milliseconds to an hour. */
export const DEFAULT_JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600];

/** File operations (upload, bundle, compress, patch): 10 ms … 10 min. */
export const DEFAULT_FILE_DURATION_BUCKETS = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

/** Byte sizes 1 KiB … 1 GiB in powers of four. */
export const BYTE_BUCKETS = [
  1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824,
];

/** Peak memory of a PHP worker per request: 2 MiB … 2 GiB (memory_limit is 128 MiB by default). */
export const MEMORY_BUCKETS = [
  2097152, 4194304, 8388608, 16777216, 33554432, 67108864, 134217728, 268435456, 536870912, 1073741824,
  2147483648,
];

/** Requests issue 0 … a few hundred queries; N+1 shows up in the tail. */
export const QUERIES_PER_REQUEST_BUCKETS = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200];

/**
 * Merges extra bounds (SLA targets and thresholds) into a bucket list: sorted, de-duplicated,
 * finite and positive, so every target reads an exact `le` bucket.
 */
export function mergeBuckets(base: readonly number[], extra: readonly number[] = []): number[] {
  const all = [...base, ...extra].filter((b) => Number.isFinite(b) && b > 0);
  const rounded = all.map(roundBound);
  return [...new Set(rounded)].sort((a, b) => a - b);
}

/**
 * A bucket bound as the histogram stores it: rounded to microseconds, so 0.2 from config and
 * 0.2 × 1.2 = 0.24000000000000002 from arithmetic land on the same `le` label ("0.24").
 * The SLA rule generator uses the same function, so its `le` matchers always name a real bucket.
 */
export function roundBound(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
