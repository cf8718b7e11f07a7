import { z } from 'zod';
import type { PlanNode } from './explain-plan';

/** Path parameter of /slow-queries/{id}/explain. */
export const explainIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'expected a 16-hex-digit fingerprint id');

/** Body of POST /slow-queries/{id}/explain (optional). */
export const explainRequestSchema = z
  .object({
    /** Which database's connection to use when the fingerprint was seen on more than one. */
    database: z.string().min(1).max(128).optional(),
  })
  .strict();

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const planNodeSchema: z.ZodType<PlanNode> = z
  .lazy(() =>
    z.object({
      label: z.string(),
      details: z.record(z.string(), scalar),
      children: z.array(planNodeSchema),
    }),
  )
  .meta({ id: 'PlanNode' });

export const explainResponseSchema = z
  .object({
    fingerprintId: z.string(),
    fingerprint: z.string(),
    database: z.string().nullable(),
    dbSystem: z.string(),
    /** The key under queries.explain.connections that was used (never its URL). */
    connection: z.string(),
    client: z.enum(['pg', 'mysql2']),
    /** The statement explained: the fingerprint with numbered or `?` parameters, all bound to NULL. */
    statement: z.string(),
    parameters: z.number().int().min(0),
    /** PostgreSQL: a generic plan (plan_cache_mode = force_generic_plan); MySQL plans for the NULLs. */
    genericPlan: z.boolean(),
    text: z.string(),
    tree: planNodeSchema,
    /** The database's own JSON plan. */
    json: z.unknown(),
    notes: z.array(z.string()),
    explainedAt: z.string(),
    durationMs: z.number(),
  })
  .meta({ id: 'ExplainResult' });

export type ExplainResponse = z.infer<typeof explainResponseSchema>;
