import { z } from 'zod';
import { explainConfigSchema } from '../../../src/queries/explain-config';

export const queriesConfigSchema = z
  .object({
    /** A query at least this slow is a slow query. */
    slowThresholdMs: z.number().positive().default(100),
    /** Per-database overrides, keyed by db_system (postgresql, mysql) or database name. */
    thresholds: z.record(z.string(), z.number().positive()).default({}),
    /** Samples kept per second at most; past it only a new slowest-in-the-second is kept. */
    maxSamplesPerSecond: z.number().int().positive().default(50),
    /** Samples held in memory until written to the store; past it the oldest are dropped and counted. */
    ringSize: z.number().int().positive().default(1000),
    /**
     * How often buffered samples are written (in-process capture; ingestion writes before it answers).
     * A second's budget is at most twice maxSamplesPerSecond (the slowest-so-far exception), so the
     * ring must hold that many for one interval: 2 × 50/s × 5 s = 500 ≤ 1 000.
     */
    flushIntervalMs: z.number().int().positive().default(5_000),
    retentionDays: z.number().positive().default(7),
    /** The same fingerprint more often than this in one request or job is an N+1 suspicion. */
    nPlusOneThreshold: z.number().int().positive().default(5),
    /**
     * When adapters take the stack for a sample's call site: `adaptive` (default) only for statements
     * that were slow or N+1 before, and briefly for all after such a sample; `always` for every query
     * (every sample has a call site, every query pays a few microseconds); `off` never.
     */
    callSites: z.enum(['adaptive', 'always', 'off']).default('adaptive'),
    /** Most stacks taken per second in adaptive mode. */
    callSiteStacksPerSecond: z.number().int().positive().default(100),
    /** Keep raw SQL with literals in samples. Off by default: literals may be personal data or secrets. */
    rawLiterals: z.boolean().default(false),
    /** Extra normalisation applied to fingerprints, e.g. `tbl_\d+` → `tbl_N`. */
    normalisation: z
      .array(z.object({ pattern: z.string().min(1), replacement: z.string() }).strict())
      .default([])
      .refine(
        (rules) =>
          rules.every((r) => {
            try {
              new RegExp(r.pattern, 'g');
              return true;
            } catch {
              return false;
            }
          }),
        'every pattern must be a valid regular expression',
      ),
    /** EXPLAIN on demand (POST /api/v1/slow-queries/{id}/explain): read-only connections per database. */
    explain: explainConfigSchema.default({ connections: {}, statementTimeoutMs: 5_000 }),
  })
  .strict();

/** Why a config would drop samples under steady load (the ring cannot hold one interval), if it would. */
export function ringTooSmall(c: QueriesConfig): string | undefined {
  const perInterval = 2 * c.maxSamplesPerSecond * (c.flushIntervalMs / 1000);
  if (perInterval <= c.ringSize) return undefined;
  return `queries.ringSize (${c.ringSize}) holds less than one flush interval at the full rate (2 × maxSamplesPerSecond × flushIntervalMs/1000 = ${perInterval}): samples will be dropped under steady load; raise ringSize or lower flushIntervalMs`;
}

export type QueriesConfig = z.infer<typeof queriesConfigSchema>;
export const DEFAULT_QUERIES_CONFIG: QueriesConfig = queriesConfigSchema.parse({});
