import { z } from 'zod';
import { DEFAULT_HTTP_BUCKETS } from '@perfwatch/node/internal';
import { customMetricsConfigSchema } from '../custom/schema';
import { healthConfigSchema } from '../health/config';
import { alertmanagerConfigSchema, incidentsConfigSchema } from '../incidents/config';
import { ingestConfigSchema } from '../ingest/schema';
import { queriesConfigSchema } from '../queries/config';
import { slaSchema } from '../sla/config';
import { prometheusConfigSchema } from './prometheus';

export const SCOPES = ['read', 'write', 'ingest', 'alertmanager'] as const;
export type Scope = (typeof SCOPES)[number];

const tokenSchema = z
  .object({
    name: z.string().min(1).describe('who or what uses the token; logged instead of the token'),
    token: z.string().min(16, 'a token must be at least 16 characters'),
    scopes: z.array(z.enum(SCOPES)).min(1),
  })
  .strict();

const bucketsSchema = z
  .array(z.number().positive().finite())
  .min(1)
  .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), 'buckets must be strictly increasing');

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(9470),
        host: z.string().default('0.0.0.0'),
        /** Largest JSON body the API accepts. */
        bodyLimitBytes: z.number().int().positive().default(1_048_576),
        /** Serve node_* system metrics on /metrics and /metrics/node. */
        systemMetrics: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** `sqlite:<path>` (embedded default) or `postgres://…`. */
        url: z
          .string()
          .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'expected sqlite:<path> or postgres://user@host:port/db')
          .default('sqlite:./data/perfwatch.db'),
      })
      .strict()
      .prefault({}),
    tokens: z.array(tokenSchema).default([]),
    metrics: z
      .object({
        httpBuckets: bucketsSchema.default(DEFAULT_HTTP_BUCKETS),
        labelCaps: z
          .object({
            routes: z.number().int().positive().default(500),
            values: z.number().int().positive().default(200),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    queries: queriesConfigSchema.prefault({}),
    ingest: ingestConfigSchema.prefault({}),
    customMetrics: customMetricsConfigSchema,
    health: healthConfigSchema.prefault({}),
    incidents: incidentsConfigSchema.prefault({}),
    alertmanager: alertmanagerConfigSchema.prefault({}),
    sla: slaSchema.prefault({}),
    prometheus: prometheusConfigSchema.prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type PerfwatchConfig = z.infer<typeof configSchema>;
export type PerfwatchConfigInput = z.input<typeof configSchema>;
