import { Registry } from 'prom-client';
import { z } from 'zod';
import { createMetrics } from '../core/metrics';

/** Prometheus metric names without `:` (reserved for recording rules). */
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Families other parts of Perfwatch (and prom-client's default metrics) own, present or not. */
const RESERVED_PREFIXES = ['perfwatch_', 'node_', 'process_', 'nodejs_', '__'];
/** Labels per custom metric at most: each multiplies the series a metric may grow to. */
export const MAX_CUSTOM_LABELS = 8;

export const CUSTOM_METRIC_TYPES = ['counter', 'gauge', 'histogram'] as const;
export type CustomMetricType = (typeof CUSTOM_METRIC_TYPES)[number];

/** The series names a family produces in the text format, which must not overlap another family's. */
export function seriesNames(name: string, type: string): string[] {
  return type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

let builtIn: Map<string, string> | undefined;
/** Series name → family, for every family defined in core/metrics.ts. */
function builtInSeries(): Map<string, string> {
  if (!builtIn) {
    builtIn = new Map();
    const registry = new Registry();
    createMetrics(registry);
    for (const m of registry.getMetricsAsArray()) {
      const { name, type } = m as unknown as { name: string; type: string };
      for (const s of seriesNames(name, type)) builtIn.set(s, name);
    }
  }
  return builtIn;
}

/**
 * Why a custom metric name is not acceptable for its type, or undefined. Checks the Prometheus naming
 * conventions Perfwatch enforces and collisions with built-in families, including their _bucket,
 * _sum and _count series.
 */
export function nameProblem(name: string, type: CustomMetricType): string | undefined {
  if (!METRIC_NAME.test(name)) return 'expected letters, digits and underscores, not starting with a digit';
  const reserved = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (reserved) return `names starting with "${reserved}" are reserved for Perfwatch's own families`;
  if (type === 'counter' && !name.endsWith('_total')) return 'a counter name must end in _total';
  if (type !== 'counter' && name.endsWith('_total')) return `only counters end in _total; this is a ${type}`;
  if (type === 'histogram' && /_(bucket|sum|count)$/.test(name))
    return 'a histogram name must not end in _bucket, _sum or _count (its series get those suffixes)';
  for (const s of seriesNames(name, type)) {
    const family = builtInSeries().get(s);
    if (family) return `collides with the built-in family ${family}`;
  }
  return undefined;
}

const bucketsSchema = z
  .array(z.number().finite())
  .min(1)
  .max(50)
  .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), 'buckets must be strictly increasing');

/** A custom business metric: declared once with its type, help and label names. */
export const customMetricSchema = z
  .object({
    name: z.string().min(1).max(100),
    type: z.enum(CUSTOM_METRIC_TYPES),
    help: z.string().min(1).max(300),
    labelNames: z
      .array(
        z
          .string()
          .regex(LABEL_NAME, 'expected letters, digits and underscores, not starting with a digit')
          .refine((l) => !l.startsWith('__'), 'label names starting with __ are reserved'),
      )
      .max(MAX_CUSTOM_LABELS)
      .default([])
      .refine((l) => new Set(l).size === l.length, 'label names must be unique'),
    /** Histogram bucket bounds; prom-client's defaults (5 ms … 10 s) when absent. */
    buckets: bucketsSchema.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const problem = nameProblem(m.name, m.type);
    if (problem) ctx.addIssue({ code: 'custom', path: ['name'], message: problem });
    if (m.type !== 'histogram' && m.buckets)
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'only histograms have buckets' });
    if (m.type === 'histogram' && m.labelNames.includes('le'))
      ctx.addIssue({
        code: 'custom',
        path: ['labelNames'],
        message: '"le" is the bucket label of a histogram',
      });
  });

export type CustomMetricDefinition = z.output<typeof customMetricSchema>;
export type CustomMetricInput = z.input<typeof customMetricSchema>;

/**
 * `customMetrics:` in the service config: the only custom metrics POST /api/v1/events accepts.
 * Declaring them in the config (rather than on first use by a sender) keeps the set of families
 * reviewable and bounded, gives each its type, help and buckets once, and stops two senders from
 * disagreeing about what a name means.
 */
export const customMetricsConfigSchema = z
  .array(customMetricSchema)
  .max(500)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((m, i) => {
      for (const s of seriesNames(m.name, m.type)) {
        const other = seen.get(s);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `collides with customMetrics.${other} (${list[other].name})`,
          });
        else seen.set(s, i);
      }
    });
  });
