import { z } from 'zod';

/**
 * A read-only connection EXPLAIN may use for one database. The URL is given inline or, to keep the
 * password out of the file, as the name of an environment variable; it is never logged nor returned.
 */
const explainConnectionSchema = z
  .object({
    client: z.enum(['pg', 'mysql2']),
    url: z.string().min(1).optional(),
    urlEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
      .optional(),
    /** Overrides explain.statementTimeoutMs for this database. */
    statementTimeoutMs: z.number().int().min(10).max(60_000).optional(),
  })
  .strict()
  .refine((c) => (c.url === undefined) !== (c.urlEnv === undefined), {
    message: 'give either url or urlEnv',
    path: ['url'],
  });

export const explainConfigSchema = z
  .object({
    /**
     * Connections by database label: a slow-query sample's `database`, or its db_system (postgresql,
     * mysql) for samples without one — the same keys as queries.thresholds.
     */
    connections: z.record(z.string().min(1).max(128), explainConnectionSchema).default({}),
    /** The longest one EXPLAIN may take on the server; the transaction is rolled back after it. */
    statementTimeoutMs: z.number().int().min(10).max(60_000).default(5_000),
  })
  .strict();

export type ExplainConnectionConfig = z.infer<typeof explainConnectionSchema>;
export type ExplainConfig = z.infer<typeof explainConfigSchema>;
