import { z } from 'zod';
import { timeParam } from '../kit/params';
import { OPEN_STATUSES, SEVERITIES, type Status, STATUSES } from './model';

/** What the incident API accepts: its query strings, path parameters and bodies. */

export const MAX_SILENCES_PER_REQUEST = 50;
export const MAX_BULK = 200;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();
/** `a,b` or repeated `?x=a&x=b`. */
const list = <T extends string>(values: readonly T[]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
    .pipe(z.array(z.enum(values as [T, ...T[]])))
    .optional();

export const listQuery = z
  .object({
    status: list([...STATUSES, 'open'] as const).describe(
      'comma-separated or repeated; `open` means investigating, identified and monitoring',
    ),
    severity: list(SEVERITIES).describe('comma-separated or repeated'),
    source: z.enum(['alertmanager', 'manual']).optional(),
    label: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .pipe(
        z
          .array(z.string().regex(/^[^=]+=.*$/, 'expected name=value'))
          .max(10)
          .transform((a) =>
            a.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] as [string, string]),
          ),
      )
      .optional()
      .describe('name=value; repeat for several (all must match), at most 10'),
    from: timeParam.describe(
      'with `to`, incidents active at some moment in [from, to] (ISO 8601 or epoch ms)',
    ),
    to: timeParam,
    q: z.string().max(200).optional().describe('case-insensitive text in the title or a label value'),
    assignee: z.string().max(200).optional(),
    acknowledged: z.enum(['true', 'false']).optional(),
    alertsState: z.enum(['firing', 'resolved', 'none']).optional(),
    sort: z
      .enum(['createdAt', 'updatedAt', 'startedAt', 'resolvedAt', 'severity', 'status'])
      .default('createdAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export const statsQuery = z
  .object({
    from: timeParam.describe('ISO 8601 or epoch ms; default to - 30 days'),
    to: timeParam.describe('ISO 8601 or epoch ms; default now'),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

const labelsBody = z
  .record(z.string().min(1).max(256), z.string().max(1024))
  .refine((o) => Object.keys(o).length <= 64, 'at most 64 labels');

export const createBody = z
  .object({
    title: text(500),
    description: optionalText(10_000),
    severity: z.enum(SEVERITIES).default('medium'),
    status: z
      .enum(OPEN_STATUSES as [Exclude<Status, 'resolved'>, ...Exclude<Status, 'resolved'>[]])
      .optional(),
    labels: labelsBody.optional(),
    assignee: text(200).optional(),
  })
  .strict();
export const assignBody = z.object({ assignee: text(200).nullable() }).strict();
export const statusBody = z.object({ status: z.enum(STATUSES), note: optionalText(10_000) }).strict();
export const severityBody = z.object({ severity: z.enum(SEVERITIES), note: optionalText(10_000) }).strict();
export const noteBody = z.object({ text: text(10_000) }).strict();
export const resolveBody = z.object({ note: optionalText(10_000) }).strict();
export const emptyBody = z.object({}).strict();
export const bulkBody = z
  .object({
    ids: z
      .array(z.number().int().positive())
      .min(1)
      .max(MAX_BULK)
      .refine((ids) => new Set(ids).size === ids.length, 'ids must not repeat'),
    note: optionalText(10_000),
  })
  .strict();
export const silenceBody = z
  .object({
    /** 1 minute to 30 days. */
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60),
    comment: optionalText(1_000),
    /** Silence only these alerts of the incident (by fingerprint); default every firing alert. */
    fingerprints: z.array(z.string().min(1).max(64)).min(1).max(MAX_SILENCES_PER_REQUEST).optional(),
  })
  .strict();

/** Decimal digits only: `0x7`, `7.0`, ` 7` or `1e3` are not incident 7 (or 1000). */
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'expected a positive decimal integer')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'expected a positive decimal integer');
