import { Registry } from 'prom-client';
import { createMetrics } from '../core/metrics';
import { isRecord, type Problem, unknownKeys } from '../problems';

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

/** A custom business metric: declared once with its type, help and label names. */
export interface CustomMetricDefinition {
  name: string;
  type: CustomMetricType;
  help: string;
  labelNames: string[];
  /** Histogram bucket bounds; prom-client's defaults (5 ms … 10 s) when absent. */
  buckets?: number[];
}

export type CustomMetricInput = Omit<CustomMetricDefinition, 'labelNames'> & { labelNames?: string[] };

const DEFINITION_KEYS = ['name', 'type', 'help', 'labelNames', 'buckets'] as const;
const MAX_BUCKETS = 50;

function stringProblem(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'expected a non-empty string';
  return v.length > max ? `expected at most ${max} characters` : undefined;
}

function labelNamesProblems(v: unknown): Problem[] {
  if (!Array.isArray(v)) return [{ path: ['labelNames'], message: 'expected a list of label names' }];
  const problems: Problem[] = [];
  if (v.length > MAX_CUSTOM_LABELS)
    problems.push({ path: ['labelNames'], message: `expected at most ${MAX_CUSTOM_LABELS} label names` });
  v.forEach((l: unknown, i) => {
    if (typeof l !== 'string' || !LABEL_NAME.test(l))
      problems.push({
        path: ['labelNames', i],
        message: 'expected letters, digits and underscores, not starting with a digit',
      });
    else if (l.startsWith('__'))
      problems.push({ path: ['labelNames', i], message: 'label names starting with __ are reserved' });
  });
  if (new Set(v).size !== v.length)
    problems.push({ path: ['labelNames'], message: 'label names must be unique' });
  return problems;
}

function bucketsProblem(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_BUCKETS)
    return `expected a list of 1 to ${MAX_BUCKETS} numbers`;
  if (!v.every((b) => typeof b === 'number' && Number.isFinite(b))) return 'expected finite numbers';
  return v.every((b, i) => i === 0 || b > v[i - 1]) ? undefined : 'buckets must be strictly increasing';
}

/**
 * What is wrong with a custom metric definition: its fields, then the naming rules (nameProblem) and
 * what its type allows. The library's CustomMetrics and the service's `customMetrics:` schema both ask.
 */
export function customMetricProblems(input: unknown): Problem[] {
  if (!isRecord(input)) return [{ path: [], message: 'expected an object' }];
  const problems = unknownKeys(input, DEFINITION_KEYS);
  const name = stringProblem(input.name, 100);
  if (name) problems.push({ path: ['name'], message: name });
  if (!CUSTOM_METRIC_TYPES.includes(input.type as CustomMetricType))
    problems.push({ path: ['type'], message: `expected one of ${CUSTOM_METRIC_TYPES.join(', ')}` });
  const help = stringProblem(input.help, 300);
  if (help) problems.push({ path: ['help'], message: help });
  const labelNames = input.labelNames ?? [];
  problems.push(...labelNamesProblems(labelNames));
  if (input.buckets !== undefined) {
    const buckets = bucketsProblem(input.buckets);
    if (buckets) problems.push({ path: ['buckets'], message: buckets });
  }
  if (problems.length) return problems;
  const type = input.type as CustomMetricType;
  const problem = nameProblem(input.name as string, type);
  if (problem) problems.push({ path: ['name'], message: problem });
  if (type !== 'histogram' && input.buckets)
    problems.push({ path: ['buckets'], message: 'only histograms have buckets' });
  if (type === 'histogram' && (labelNames as string[]).includes('le'))
    problems.push({ path: ['labelNames'], message: '"le" is the bucket label of a histogram' });
  return problems;
}

/** The definition with its defaults; call after customMetricProblems() found nothing. */
export function customMetricDefinition(input: CustomMetricInput): CustomMetricDefinition {
  return {
    name: input.name,
    type: input.type,
    help: input.help,
    labelNames: input.labelNames ?? [],
    ...(input.buckets ? { buckets: input.buckets } : {}),
  };
}

/** Where a list of definitions collides with itself: two whose series overlap. */
export function customMetricListProblems(list: CustomMetricDefinition[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  list.forEach((m, i) => {
    for (const s of seriesNames(m.name, m.type)) {
      const other = seen.get(s);
      if (other !== undefined)
        problems.push({
          path: [i, 'name'],
          message: `collides with customMetrics.${other} (${list[other].name})`,
        });
      else seen.set(s, i);
    }
  });
  return problems;
}
