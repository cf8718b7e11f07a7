import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1–64 letters, digits, or _ . : -');
const timing = {
  intervalMs: z.number().int().min(100).optional(),
  timeoutMs: z.number().int().min(10).optional(),
};
/**
 * A connection URL, given inline or (to keep passwords out of the file) as the name of an environment
 * variable that holds it.
 */
const connection = {
  url: z.string().min(1).optional(),
  urlEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
    .optional(),
};
const oneUrl = (c: { url?: string; urlEnv?: string }) => (c.url === undefined) !== (c.urlEnv === undefined);
const oneUrlMessage = { message: 'give either url or urlEnv', path: ['url'] };

const checkSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('postgres'), name, ...connection, ...timing })
    .strict()
    .refine(oneUrl, oneUrlMessage),
  z
    .object({ type: z.literal('mysql'), name, ...connection, ...timing })
    .strict()
    .refine(oneUrl, oneUrlMessage),
  z
    .object({ type: z.literal('redis'), name, ...connection, ...timing })
    .strict()
    .refine(oneUrl, oneUrlMessage),
  z
    .object({
      type: z.literal('bullmq'),
      name,
      ...connection,
      ...timing,
      queue: z.string().min(1),
      prefix: z.string().min(1).optional(),
      maxWaiting: z.number().int().min(0).optional(),
      requireWorkers: z.boolean().optional(),
    })
    .strict()
    .refine(oneUrl, oneUrlMessage),
  z
    .object({
      type: z.literal('laravel-queue'),
      name,
      ...connection,
      ...timing,
      queue: z.string().min(1).default('default'),
      prefix: z.string().optional(),
      maxWaiting: z.number().int().min(0).optional(),
    })
    .strict()
    .refine(oneUrl, oneUrlMessage),
  z
    .object({
      type: z.literal('schedule'),
      name,
      ...timing,
      /** The task name the app sends in its `schedule` events. */
      task: z.string().min(1).max(128),
      /** Down when the task has not succeeded for this long: its interval plus slack. */
      maxAgeSeconds: z.number().int().min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('disk'),
      name,
      ...timing,
      path: z.string().min(1),
      minFreeBytes: z.number().int().min(0).optional(),
      minFreeRatio: z.number().min(0).max(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('http'),
      name,
      ...timing,
      url: z.url({ protocol: /^https?$/ }),
      expectStatus: z.number().int().min(100).max(599).optional(),
    })
    .strict(),
]);

export type HealthCheckConfig = z.infer<typeof checkSchema>;

export const healthConfigSchema = z
  .object({
    /** How often each check runs unless it says otherwise. */
    intervalMs: z.number().int().min(100).default(30_000),
    /** How long a run may take before it is aborted and the check reported down. */
    timeoutMs: z.number().int().min(10).default(5_000),
    checks: z
      .array(checkSchema)
      .max(100)
      .default([])
      .refine((c) => new Set(c.map((x) => x.name)).size === c.length, 'check names must be unique'),
  })
  .strict();

export type HealthConfig = z.infer<typeof healthConfigSchema>;
