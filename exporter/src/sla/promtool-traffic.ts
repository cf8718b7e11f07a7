/**
 * Synthetic histogram traffic for promtool tests: known shares of slow and failed requests, as input series
 * and as the values they must produce.
 */
import { formatDuration, parseDuration } from './duration';
import { HTTP_METRIC, type ResolvedSla } from './model';
import { clean, leLabel } from './promql-text';

/** Requests per minute in the synthetic traffic: large, so shares like 0.1584 are whole requests. */
const N = 1_000_000;

/** Input samples every minute, like a 1 m scrape. */
export const STEP = 60;

/**
 * Rules evaluated every 5 minutes: five times cheaper than every minute, and the recorded 5 m rates then
 * tile time exactly, so sums over them count every request once.
 */
export const EVAL = 300;

/** The first evaluation with two samples in its window, where rates (and so every SLI) first exist. */
const FIRST = EVAL;

/** The first evaluation at which an alert whose condition holds from FIRST on has waited `forSeconds`. */
export function firesFrom(forSeconds: number): number {
  return FIRST + Math.ceil(forSeconds / EVAL) * EVAL;
}

export interface TrafficClass {
  status: string;
  /** Latency of these requests: exactly this bucket bound (so they count as ≤ it). */
  seconds: number;
  perMinute: number;
}

export interface Phase {
  minutes: number;
  classes: TrafficClass[];
}

export interface Expectation {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
}

export interface TestGroup {
  name: string;
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  promql_expr_test: Expectation[];
  alert_rule_test?: AlertTest[];
}

export const minutes = (s: number) => formatDuration(s);

export const secs = (d: string) => parseDuration(d) ?? 0;

export function labelString(name: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(', ');
  return `${name}{${body}}`;
}

/** promtool's expanding notation for a counter that grows by `inc` per minute in each phase. */
export function counterValues(phases: Array<{ minutes: number; inc: number }>): string {
  const parts = ['0'];
  let v = 0;
  for (const p of phases) {
    if (p.minutes <= 0) continue;
    parts.push(`${clean(v + p.inc)}+${clean(p.inc)}x${p.minutes - 1}`);
    v = clean(v + p.inc * p.minutes);
  }
  return parts.join(' ');
}

/** Cumulative per-minute counts by `le` (bucket bounds then +Inf) for a set of classes. */
function cumulative(classes: TrafficClass[], buckets: number[]): number[] {
  return [...buckets, Infinity].map((le) =>
    classes.filter((c) => c.seconds <= le).reduce((a, c) => a + c.perMinute, 0),
  );
}

/**
 * Prometheus 2.42's histogram_quantile on one histogram: linear interpolation inside the bucket the
 * rank falls in; the upper bound of the last finite bucket when it falls in +Inf.
 */
export function histogramQuantile(q: number, buckets: number[], counts: number[]): number {
  const total = counts[counts.length - 1];
  const rank = q * total;
  const b = counts.findIndex((c, i) => i < counts.length - 1 && c >= rank);
  if (b === -1) return buckets[buckets.length - 1];
  const start = b === 0 ? 0 : buckets[b - 1];
  const below = b === 0 ? 0 : counts[b - 1];
  const inBucket = counts[b] - below;
  return start + (buckets[b] - start) * ((rank - below) / inBucket);
}

function errorStatus(s: ResolvedSla): string {
  const first = s.errors?.definition[0] ?? '5xx';
  return first.replace(/xx$/, '00');
}

export function inputSeries(
  s: ResolvedSla,
  buckets: number[],
  phases: Phase[],
  up?: string,
): TestGroup['input_series'] {
  const base: Record<string, string> = {
    job: s.job ?? 'app',
    instance: 'app:3000',
    route: s.route,
    method: s.method ?? 'GET',
  };
  const statuses = [...new Set(phases.flatMap((p) => p.classes.map((c) => c.status)))].sort();
  const out: TestGroup['input_series'] = [];
  for (const status of statuses) {
    const labels = { ...base, status_code: status };
    const per = phases.map((p) => ({
      minutes: p.minutes,
      classes: p.classes.filter((c) => c.status === status),
    }));
    const les = [...buckets.map(leLabel), '+Inf'];
    les.forEach((le, i) =>
      out.push({
        series: labelString(`${HTTP_METRIC}_bucket`, { ...labels, le }),
        values: counterValues(
          per.map((p) => ({ minutes: p.minutes, inc: cumulative(p.classes, buckets)[i] })),
        ),
      }),
    );
    out.push({
      series: labelString(`${HTTP_METRIC}_count`, labels),
      values: counterValues(
        per.map((p) => ({ minutes: p.minutes, inc: p.classes.reduce((a, c) => a + c.perMinute, 0) })),
      ),
    });
    out.push({
      series: labelString(`${HTTP_METRIC}_sum`, labels),
      values: counterValues(
        per.map((p) => ({
          minutes: p.minutes,
          inc: p.classes.reduce((a, c) => a + c.perMinute * c.seconds, 0),
        })),
      ),
    });
  }
  if (s.availability)
    out.push({
      series: labelString('up', { job: s.job!, instance: 'app:3000' }),
      values: up ?? '1+0x100000',
    });
  return out;
}

/** Everything about one steady traffic mix that the rules should compute. */
export interface Mix {
  total: number;
  slow: number;
  errors: number;
  classes: TrafficClass[];
  quantile(q: number): number;
  mean: number;
}

/**
 * A steady mix: `slowShare` of requests at `slowSeconds` (status 200), `errorShare` failing fast, the
 * rest fast (the smallest bucket).
 */
export function mix(
  s: ResolvedSla,
  buckets: number[],
  slowShare: number,
  slowSeconds: number,
  errorShare: number,
): Mix {
  const slow = Math.round(N * slowShare);
  const errors = Math.round(N * errorShare);
  const fast = N - slow - errors;
  const classes: TrafficClass[] = [
    { status: '200', seconds: buckets[0], perMinute: fast },
    ...(slow > 0 ? [{ status: '200', seconds: slowSeconds, perMinute: slow }] : []),
    ...(errors > 0 ? [{ status: errorStatus(s), seconds: buckets[0], perMinute: errors }] : []),
  ];
  const counts = cumulative(classes, buckets);
  return {
    total: N,
    slow: s.latency
      ? classes.filter((c) => c.seconds > s.latency!.threshold).reduce((a, c) => a + c.perMinute, 0)
      : 0,
    errors,
    classes,
    quantile: (q) => histogramQuantile(q, buckets, counts),
    mean: classes.reduce((a, c) => a + c.perMinute * c.seconds, 0) / N,
  };
}

/** The next bucket above `bound` (where requests "just over" it land). */
export function above(buckets: number[], bound: number): number | undefined {
  return buckets.find((b) => b > bound);
}
