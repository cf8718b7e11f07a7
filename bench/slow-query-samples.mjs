// Slow-query samples as ingestion commits them, for the benchmarks that write to the store
// (store-reads.mjs, statement-cache.mjs): one factory, so both measure the same rows.

/**
 * A function that returns `n` fresh samples per call, cycling through `fingerprints` fingerprints
 * spread over `routes` routes; durations run 100..999 ms.
 */
export function sampleFactory({ fingerprints, routes }) {
  let written = 0;
  return (n) =>
    Array.from({ length: n }, () => {
      const f = written++ % fingerprints;
      return {
        fingerprintId: f.toString(16).padStart(16, '0'),
        fingerprint: `select * from t${f} where id = ?`,
        sample: `select * from t${f} where id = ?`,
        durationMs: 100 + (written % 900),
        dbSystem: 'postgresql',
        database: 'shop',
        operation: 'SELECT',
        route: `/r${f % routes}`,
        requestId: null,
        callSite: null,
        error: false,
        nPlusOne: false,
        sampledOut: 0,
        sampledOutMs: 0,
        capturedAt: Date.now(),
      };
    });
}
