/**
 * promtool unit tests for the generated rules, generated per SLA next to them (alert-rules/tests/).
 *
 * Each test feeds Prometheus' own rule engine (promtool 2.42) synthetic histogram series with a known
 * share of slow and failed requests, and checks what Prometheus computes against what that traffic means,
 * worked out here by plain arithmetic (no PromQL):
 * - compliant traffic (half the error budget) fires no SLA alert for three hours;
 * - each burn tier fires at 1.1 × its burn rate once its `for` has passed, and not at 0.9 ×;
 * - each latency and error threshold fires when crossed, with the severity the priority allows;
 * - p50/p95/p99, the mean and the SLI ratios equal the values of a known bucket distribution
 *   (histogram_quantile's linear interpolation, computed here);
 * - two traffic phases around an idle hour give the traffic-weighted compliance and error budget,
 *   during the idle hour and after, never NaN; availability equals the share of minutes `up` was 1.
 * The expected alert sets list every SLA alert, so an alert firing that should not also fails a test.
 */
import type { SlaConfig } from './config';
import { formatDuration, humanSeconds, parseDuration } from './duration';
import { clean, HTTP_METRIC, leLabel, type ResolvedSla } from './model';
import { ALERTS, SERIES } from './names';
import type { AlertingRule, Links, RuleFile } from './rules';

/** Requests per minute in the synthetic traffic: large, so shares like 0.1584 are whole requests. */
const N = 1_000_000;
/** Input samples every minute, like a 1 m scrape. */
const STEP = 60;
/**
 * Rules evaluated every 5 minutes: five times cheaper than every minute, and the recorded 5 m rates then
 * tile time exactly, so sums over them count every request once.
 */
const EVAL = 300;
/** The first evaluation with two samples in its window, where rates (and so every SLI) first exist. */
const FIRST = EVAL;

/** The first evaluation at which an alert whose condition holds from FIRST on has waited `forSeconds`. */
function firesFrom(forSeconds: number): number {
  return FIRST + Math.ceil(forSeconds / EVAL) * EVAL;
}

interface TrafficClass {
  status: string;
  /** Latency of these requests: exactly this bucket bound (so they count as ≤ it). */
  seconds: number;
  perMinute: number;
}

interface Phase {
  minutes: number;
  classes: TrafficClass[];
}

interface Expectation {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
}

interface TestGroup {
  name: string;
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  promql_expr_test: Expectation[];
  alert_rule_test?: AlertTest[];
}

const minutes = (s: number) => formatDuration(s);
const secs = (d: string) => parseDuration(d) ?? 0;

function labelString(name: string, labels: Record<string, string>): string {
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

function inputSeries(
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
interface Mix {
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
function mix(
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
function above(buckets: number[], bound: number): number | undefined {
  return buckets.find((b) => b > bound);
}

interface AlertModel {
  alertname: string;
  labels: Record<string, string>;
  forSeconds: number;
  fires(m: Mix): boolean;
  /** The alert's $value for a mix: the quantile or the ratio its expression compares. */
  value(m: Mix): number;
}

/** The SLA's alerts as conditions on a steady mix (what the generated expressions mean). */
function alertModels(s: ResolvedSla, base: string): AlertModel[] {
  const out: AlertModel[] = [];
  const enough = (m: Mix) => (m.total / STEP) * secs(base) >= s.escalation.minRequests;
  if (s.latency) {
    const lat = s.latency;
    for (const t of lat.thresholds)
      out.push({
        alertname: ALERTS.latency,
        labels: {
          severity: t.severity,
          sli: 'latency',
          trigger: 'threshold',
          threshold: humanSeconds(t.seconds),
        },
        forSeconds: secs(s.escalation.for[t.step]),
        fires: (m) => m.quantile(lat.quantile) > t.seconds && enough(m),
        value: (m) => m.quantile(lat.quantile),
      });
    for (const t of s.burnTiers)
      out.push({
        alertname: ALERTS.latency,
        labels: burnLabels('latency', t),
        forSeconds: secs(t.for),
        fires: (m) => m.slow / m.total > clean(t.factor * lat.budget),
        value: (m) => m.slow / m.total,
      });
  }
  if (s.errors) {
    const err = s.errors;
    for (const t of err.thresholds)
      out.push({
        alertname: ALERTS.errors,
        labels: {
          severity: t.severity,
          sli: 'errors',
          trigger: 'threshold',
          threshold: `${clean(t.ratio * 100)}%`,
        },
        forSeconds: secs(s.escalation.for[t.step]),
        fires: (m) => m.errors / m.total > t.ratio && enough(m),
        value: (m) => m.errors / m.total,
      });
    for (const t of s.burnTiers)
      out.push({
        alertname: ALERTS.errors,
        labels: burnLabels('errors', t),
        forSeconds: secs(t.for),
        fires: (m) => m.errors / m.total > clean(t.factor * err.budget),
        value: (m) => m.errors / m.total,
      });
  }
  return out;
}

function burnLabels(sli: string, t: ResolvedSla['burnTiers'][number]): Record<string, string> {
  return {
    severity: t.severity,
    sli,
    trigger: 'burn_rate',
    burn_factor: String(t.factor),
    long_window: t.long,
    short_window: t.short,
  };
}

/** Go's `%.4g`, which Prometheus' humanize functions use. */
export function goG4(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const [mantissa, e] = v.toExponential(3).split('e');
  const x = Number(e);
  const trim = (t: string) => (t.includes('.') ? t.replace(/(?<!0)0+$/, '').replace(/\.$/, '') : t);
  if (x < -4 || x >= 4)
    return `${trim(mantissa)}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return trim(v.toFixed(Math.max(0, 3 - x)));
}

/** Prometheus' humanizeDuration (seconds). */
export function humanizeDuration(v: number): string {
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const a = Math.abs(v);
    const whole = Math.trunc(a);
    const [d, h, m, sec] = [
      Math.trunc(whole / 86400),
      Math.trunc(whole / 3600) % 24,
      Math.trunc(whole / 60) % 60,
      whole % 60,
    ];
    if (d) return `${sign}${d}d ${h}h ${m}m ${sec}s`;
    if (h) return `${sign}${h}h ${m}m ${sec}s`;
    if (m) return `${sign}${m}m ${sec}s`;
    return `${sign}${goG4(a)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}s`;
}

const FORMATS: Record<string, (v: number) => string> = {
  humanizeDuration,
  humanizePercentage: (v) => `${goG4(v * 100)}%`,
  'printf "%.2f"': (v) => v.toFixed(2),
};

/**
 * Renders the few template constructs the generated annotations use ($value and `with query`), with
 * query results supplied by the caller. Anything else throws, so a new construct cannot slip through
 * untested.
 */
export function renderAnnotation(
  text: string,
  value: number,
  query: (expr: string) => number | undefined,
): string {
  const out = text
    .replace(
      /\{\{ with query `([^`]+)` \}\}\{\{ \. \| first \| value \| ([^}]+?) \}\}\{\{ else \}\}([^{]*)\{\{ end \}\}/g,
      (_all, expr: string, fmt: string, fallback: string) => {
        const v = query(expr);
        return v === undefined ? fallback : FORMATS[fmt](v);
      },
    )
    .replace(/\{\{ \$value \| ([^}]+?) \}\}/g, (_all, fmt: string) => FORMATS[fmt](value));
  if (out.includes('{{'))
    throw new Error(`annotation has a template construct the test generator cannot render: ${out}`);
  return out;
}

/** ALERTS{alertstate="firing"} samples expected at `at` seconds for a mix steady since t=0. */
function firingAt(s: ResolvedSla, models: AlertModel[], m: Mix, at: number): Expectation['exp_samples'] {
  return models
    .filter((a) => a.fires(m) && at >= firesFrom(a.forSeconds))
    .map((a) => ({
      labels: labelString('ALERTS', {
        alertname: a.alertname,
        alertstate: 'firing',
        ...s.labels,
        ...a.labels,
      }),
      value: 1,
    }));
}

/** `abs(series - expected) < bool tolerance` must be 1 with the series' labels. */
function near(
  s: ResolvedSla,
  series: string,
  expected: number,
  at: number,
  extra: Record<string, string> = {},
  tolerance = 1e-9,
): Expectation {
  const sel = Object.entries({ sla: s.id, ...extra })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return {
    // Relative tolerance: 16666.666… req/s and a 0.05 ratio are both checked to ~1e-9 of their size.
    expr: `abs(${series}{${sel}} - ${clean(expected)}) < bool ${tolerance * Math.max(1, Math.abs(expected))}`,
    eval_time: minutes(at),
    exp_samples: [{ labels: labelString('', { ...s.labels, ...extra }), value: 1 }],
  };
}

function alertsExpectation(s: ResolvedSla, models: AlertModel[], m: Mix, at: number): Expectation {
  return {
    expr: `ALERTS{alertstate="firing",sla="${s.id}"}`,
    eval_time: minutes(at),
    exp_samples: firingAt(s, models, m, at),
  };
}

/**
 * The firing alerts of one name with their annotations as Prometheus must render them: the generated
 * templates filled with the mix's values (a check of the text an operator reads in email and Slack).
 */
function annotatedAlerts(
  s: ResolvedSla,
  rules: RuleFile,
  base: string,
  models: AlertModel[],
  m: Mix,
  at: number,
  alertname: string,
): AlertTest {
  const candidates = rules.groups
    .flatMap((g) => g.rules)
    .filter((r): r is AlertingRule => 'alert' in r && r.alert === alertname);
  const sel = (extra = '') => `{sla="${s.id}"${extra}}`;
  const values = new Map<string, number>([[`${SERIES.requests(base)}${sel()}`, m.total / STEP]]);
  if (s.latency) {
    values.set(`${SERIES.slowRatio(base)}${sel()}`, m.slow / m.total);
    values.set(`${SERIES.budgetRemaining}${sel(',sli="latency"')}`, 1 - m.slow / m.total / s.latency.budget);
  }
  if (s.errors) {
    values.set(`${SERIES.errors(base)}${sel()}`, m.errors / STEP);
    values.set(`${SERIES.budgetRemaining}${sel(',sli="errors"')}`, 1 - m.errors / m.total / s.errors.budget);
  }
  const firing = models.filter(
    (a) => a.alertname === alertname && a.fires(m) && at >= firesFrom(a.forSeconds),
  );
  return {
    eval_time: minutes(at),
    alertname,
    exp_alerts: firing.map((a) => {
      const rule = candidates.find((r) => Object.entries(a.labels).every(([k, v]) => r.labels[k] === v));
      if (!rule) throw new Error(`no generated ${alertname} rule with labels ${JSON.stringify(a.labels)}`);
      const annotations = Object.fromEntries(
        Object.entries(rule.annotations).map(([k, t]) => [
          k,
          renderAnnotation(t, a.value(m), (e) => values.get(e)),
        ]),
      );
      return { exp_labels: { ...s.labels, ...a.labels }, exp_annotations: annotations };
    }),
  };
}

function steadyGroup(
  s: ResolvedSla,
  buckets: number[],
  name: string,
  m: Mix,
  at: number[],
  extra: (t: number) => Expectation[],
  models: AlertModel[],
): TestGroup {
  const end = Math.max(...at);
  return {
    name,
    interval: '1m',
    input_series: inputSeries(s, buckets, [{ minutes: end / STEP + 1, classes: m.classes }]),
    promql_expr_test: at.flatMap((t) => [alertsExpectation(s, models, m, t), ...extra(t)]),
  };
}

export function promtoolTests(
  s: ResolvedSla,
  config: SlaConfig,
  buckets: number[],
  rules: RuleFile,
): unknown {
  const base = config.window;
  const models = alertModels(s, base);
  const tests: TestGroup[] = [];
  const lat = s.latency;
  const err = s.errors;
  const slowAt = lat ? above(buckets, lat.threshold)! : buckets[0];
  const maxFor = Math.max(0, ...models.map((a) => a.forSeconds));

  // Compliant: half the budget of every SLI; nothing fires, however long it lasts.
  const compliant = mix(s, buckets, lat ? lat.budget / 2 : 0, slowAt, err ? err.maxRatio / 2 : 0);
  const checkpoints = [...new Set([2 * EVAL, firesFrom(maxFor) + EVAL])].sort((a, b) => a - b);
  tests.push(
    steadyGroup(
      s,
      buckets,
      `${s.id}: compliant traffic (half of each error budget) fires nothing and records the known values`,
      compliant,
      checkpoints,
      (t) => {
        if (t !== checkpoints[0]) return [];
        const out: Expectation[] = [
          near(s, SERIES.requests(base), compliant.total / STEP, t),
          near(s, SERIES.mean(base), compliant.mean, t, {}, 1e-9),
          ...[0.5, 0.95, 0.99].map((qt) =>
            near(s, SERIES.quantile(qt, base), compliant.quantile(qt), t, {}, 1e-9),
          ),
        ];
        if (lat)
          out.push(
            near(s, SERIES.quantile(lat.quantile, base), compliant.quantile(lat.quantile), t),
            near(s, SERIES.slowRatio(base), compliant.slow / compliant.total, t),
            near(s, SERIES.compliance, 1 - compliant.slow / compliant.total, t, {
              sli: 'latency',
              window: `${s.windowDays}d`,
            }),
            near(s, SERIES.budgetRemaining, 0.5, t, { sli: 'latency', window: `${s.windowDays}d` }, 1e-6),
            near(
              s,
              SERIES.budgetMinutes,
              0.5 * lat.budget * s.windowDays * 1440,
              t,
              { sli: 'latency', window: `${s.windowDays}d` },
              1e-3,
            ),
          );
        if (err)
          out.push(
            near(s, SERIES.errorRatio(base), compliant.errors / compliant.total, t),
            near(s, SERIES.compliance, 1 - compliant.errors / compliant.total, t, {
              sli: 'errors',
              window: `${s.windowDays}d`,
            }),
            near(s, SERIES.budgetRemaining, 0.5, t, { sli: 'errors', window: `${s.windowDays}d` }, 1e-6),
          );
        return out;
      },
      models,
    ),
  );

  // Burn tiers: 1.1 × the burn rate fires once `for` has passed; 0.9 × does not.
  const sliCases: Array<{ sli: 'latency' | 'errors'; budget: number }> = [
    ...(lat ? [{ sli: 'latency' as const, budget: lat.budget }] : []),
    ...(err ? [{ sli: 'errors' as const, budget: err.maxRatio }] : []),
  ];
  for (const { sli, budget } of sliCases)
    for (const t of s.burnTiers) {
      const threshold = clean(t.factor * budget);
      const at = firesFrom(secs(t.for)) + EVAL;
      for (const [word, share] of [
        ['1.1 ×', Math.min(threshold * 1.1, (threshold + 1) / 2)],
        ['0.9 ×', threshold * 0.9],
      ] as const) {
        const m = sli === 'latency' ? mix(s, buckets, share, slowAt, 0) : mix(s, buckets, 0, slowAt, share);
        tests.push(
          steadyGroup(
            s,
            buckets,
            `${s.id}: ${sli} burn tier ${t.factor}× (${t.long}/${t.short}, for ${t.for}) at ${word} its rate (${clean(share * 100)}% bad)`,
            m,
            [at],
            () => [],
            models,
          ),
        );
      }
    }

  // Thresholds: requests just over each latency threshold; error shares just over each error threshold.
  if (lat)
    for (const t of lat.thresholds) {
      const landing = above(buckets, t.seconds);
      if (landing === undefined) continue;
      // Twice the tail the quantile allows, so the quantile lands inside (threshold, next bucket].
      const m = mix(s, buckets, Math.min(1, 2 * (1 - lat.quantile)), landing, 0);
      const at = firesFrom(secs(s.escalation.for[t.step])) + EVAL;
      const group = steadyGroup(
        s,
        buckets,
        `${s.id}: latency over the ${t.step} threshold ${humanSeconds(t.seconds)} fires ${t.severity}`,
        m,
        [at],
        (time) => [
          near(s, SERIES.quantile(lat.quantile, base), m.quantile(lat.quantile), time),
          ...(err ? [near(s, SERIES.errorRatio(base), 0, time)] : []),
        ],
        models,
      );
      if (t === lat.thresholds[lat.thresholds.length - 1])
        group.alert_rule_test = [annotatedAlerts(s, rules, base, models, m, at, ALERTS.latency)];
      tests.push(group);
    }
  if (err)
    for (const t of err.thresholds) {
      const m = mix(s, buckets, 0, slowAt, Math.min(1, t.ratio * 1.2));
      const at = firesFrom(secs(s.escalation.for[t.step])) + EVAL;
      const group = steadyGroup(
        s,
        buckets,
        `${s.id}: errors over the ${t.step} threshold ${clean(t.ratio * 100)}% fire ${t.severity}`,
        m,
        [at],
        (time) => [near(s, SERIES.errorRatio(base), m.errors / m.total, time)],
        models,
      );
      if (t === err.thresholds[err.thresholds.length - 1])
        group.alert_rule_test = [annotatedAlerts(s, rules, base, models, m, at, ALERTS.errors)];
      tests.push(group);
    }

  tests.push(idleHour(s, buckets, base, slowAt));
  return {
    rule_files: [`../sla-${s.id}.yml`],
    evaluation_interval: minutes(EVAL),
    // promtool orders groups at random unless told; Prometheus runs them independently. Recording groups
    // first makes "the condition holds from the first evaluation on" exact, and so the `for` checks.
    group_eval_order: rules.groups.map((g) => g.name),
    tests,
  };
}

/**
 * Traffic, an idle hour, traffic at a quarter of the rate with a different mix, then idle: compliance is
 * the traffic-weighted share of good requests (not a mean of ratios), during the idle hour and after.
 * `up` is 0 for 10 of the minutes, so availability is a known share too.
 */
function idleHour(s: ResolvedSla, buckets: number[], base: string, slowAt: number): TestGroup {
  const lat = s.latency;
  const err = s.errors;
  const a = mix(s, buckets, lat ? lat.budget * 0.4 : 0, slowAt, err ? err.maxRatio * 0.4 : 0);
  const bShares = {
    slow: lat ? Math.min(0.5, lat.budget * 2) : 0,
    errors: err ? Math.min(0.4, err.maxRatio * 2) : 0,
  };
  const b = {
    classes: mix(s, buckets, bShares.slow, slowAt, bShares.errors).classes.map((c) => ({
      ...c,
      perMinute: c.perMinute / 4,
    })),
  };
  const phases: Phase[] = [
    { minutes: 60, classes: a.classes },
    { minutes: 60, classes: [] },
    { minutes: 60, classes: b.classes },
    { minutes: 90, classes: [] },
  ];
  const sum = (cs: TrafficClass[], pred: (c: TrafficClass) => boolean) =>
    cs.filter(pred).reduce((x, c) => x + c.perMinute, 0) * 60;
  const isSlow = (c: TrafficClass) => lat !== undefined && c.seconds > lat.threshold;
  const isErr = (c: TrafficClass) => c.status !== '200';
  const totalA = sum(a.classes, () => true);
  const totalB = sum(b.classes, () => true);
  const slowTruth = (sum(a.classes, isSlow) + sum(b.classes, isSlow)) / (totalA + totalB);
  const errTruth = (sum(a.classes, isErr) + sum(b.classes, isErr)) / (totalA + totalB);
  const during = 90 * 60;
  const after = 270 * 60;
  const w = { window: `${s.windowDays}d` };
  const checks: Expectation[] = [];
  const tol = 1e-6;
  for (const [t, slowShare, errShare] of [
    [during, sum(a.classes, isSlow) / totalA, sum(a.classes, isErr) / totalA],
    [after, slowTruth, errTruth],
  ] as const) {
    if (lat) {
      checks.push(near(s, SERIES.compliance, 1 - slowShare, t, { sli: 'latency', ...w }, tol));
      checks.push(
        near(s, SERIES.budgetRemaining, 1 - slowShare / lat.budget, t, { sli: 'latency', ...w }, tol),
      );
    }
    if (err) {
      checks.push(near(s, SERIES.compliance, 1 - errShare, t, { sli: 'errors', ...w }, tol));
      checks.push(
        near(s, SERIES.budgetRemaining, 1 - errShare / err.budget, t, { sli: 'errors', ...w }, tol),
      );
    }
  }
  // up: 1, then 0 for minutes 100–109, then 1. `route:up:ratio` is recorded at every evaluation
  // (0, 5, …, 270 min), so the truth is the share of those instants at which up was 1.
  const up = `1+0x99 0+0x9 1+0x${270 - 110}`;
  if (s.availability) {
    const instants = after / EVAL + 1;
    const down = [...Array(instants).keys()].filter(
      (k) => k * (EVAL / STEP) >= 100 && k * (EVAL / STEP) <= 109,
    ).length;
    const truth = 1 - down / instants;
    checks.push(near(s, SERIES.compliance, truth, after, { sli: 'availability', ...w }, tol));
    checks.push(
      near(
        s,
        SERIES.budgetRemaining,
        1 - (1 - truth) / s.availability.budget,
        after,
        { sli: 'availability', ...w },
        tol,
      ),
    );
  }
  return {
    name: `${s.id}: an idle hour between two traffic mixes keeps compliance and budget traffic-weighted`,
    interval: '1m',
    input_series: inputSeries(s, buckets, phases, up),
    promql_expr_test: checks,
  };
}

/**
 * Routes without an SLA: one with a request over the warning bound each minute, one over the critical
 * bound, one over both that has an SLA (left out), one with errors over the threshold and one under.
 */
function routeThresholdInputs(
  config: SlaConfig,
  add: (name: string, labels: Record<string, string>, values: string) => void,
  perMinute: (inc: number) => string,
  firing: Array<Record<string, string>>,
): void {
  const t = config.routeThresholds;
  if (!t.enabled) return;
  const bounds = [...new Set(Object.values(t.latency).filter((v): v is number => v !== undefined))].sort(
    (a, b) => a - b,
  );
  const top = bounds[bounds.length - 1];
  const route = (name: string, classes: Array<{ status: string; seconds: number; perMinute: number }>) => {
    for (const status of [...new Set(classes.map((c) => c.status))]) {
      const labels = { job: 'demo', instance: 'app:3000', route: name, method: 'GET', status_code: status };
      const mine = classes.filter((c) => c.status === status);
      for (const le of [...bounds, Infinity])
        add(
          `${HTTP_METRIC}_bucket`,
          { ...labels, le: le === Infinity ? '+Inf' : leLabel(le) },
          perMinute(mine.filter((c) => c.seconds <= le).reduce((a, c) => a + c.perMinute, 0)),
        );
      add(`${HTTP_METRIC}_count`, labels, perMinute(mine.reduce((a, c) => a + c.perMinute, 0)));
    }
  };
  const fast = 0.01;
  // Just over each bound in turn: fires every severity whose bound is below it.
  bounds.forEach((b, i) => {
    const name = `/no-sla/slow-${i}`;
    route(name, [
      { status: '200', seconds: fast, perMinute: 20 },
      { status: '200', seconds: b * 1.25, perMinute: 1 },
    ]);
    for (const [severity, seconds] of Object.entries(t.latency))
      if (seconds !== undefined && seconds <= b)
        firing.push({
          alertname: 'RouteLatency',
          severity,
          trigger: 'route_threshold',
          threshold: humanSeconds(seconds),
          job: 'demo',
          route: name,
          method: 'GET',
        });
  });
  const withSla = config.endpoints[0]?.route;
  if (withSla) route(withSla, [{ status: '200', seconds: top * 2, perMinute: 5 }]);
  for (const [severity, ratio] of Object.entries(t.errorRate)) {
    if (ratio === undefined) continue;
    const name = `/no-sla/errors-${severity}`;
    const errors = Math.ceil(ratio * 100 * 1.5);
    route(name, [
      { status: '200', seconds: fast, perMinute: 100 - errors },
      { status: '500', seconds: fast, perMinute: errors },
    ]);
    for (const [other, r] of Object.entries(t.errorRate))
      if (r !== undefined && r * 100 < errors)
        firing.push({
          alertname: 'RouteErrors',
          severity: other,
          trigger: 'route_threshold',
          threshold: `${clean(r * 100)}%`,
          job: 'demo',
          route: name,
          method: 'GET',
        });
  }
  route('/no-sla/fine', [
    { status: '200', seconds: fast, perMinute: 999 },
    { status: '500', seconds: fast, perMinute: 1 },
  ]);
}

/** Resource alerts: one series over each threshold and one under it; Watchdog always fires. */
export function resourceTests(config: SlaConfig, _links: Links): unknown {
  const r = config.resources;
  const at = firesFrom(secs(r.for)) + EVAL;
  const steps = at / STEP + 1;
  const flat = (v: number) => `${clean(v)}+0x${steps}`;
  const perMinute = (inc: number) => `0+${clean(inc)}x${steps}`;
  const host = (instance: string) => ({ job: 'node', instance });
  const disk = (instance: string, fstype: string, mountpoint: string) => ({
    ...host(instance),
    device: `/dev/${instance}`,
    fstype,
    mountpoint,
  });
  const series: TestGroup['input_series'] = [];
  const add = (name: string, labels: Record<string, string>, values: string) =>
    series.push({ series: labelString(name, labels), values });
  const firing: Array<Record<string, string>> = [{ alertname: 'Watchdog', severity: 'none' }];
  if (r.enabled) {
    // CPU: idle seconds per second = 1 − busy share.
    add(
      'node_cpu_seconds_total',
      { ...host('busy'), cpu: '0', mode: 'idle' },
      perMinute((1 - (r.cpu + 0.05)) * 60),
    );
    add(
      'node_cpu_seconds_total',
      { ...host('calm'), cpu: '0', mode: 'idle' },
      perMinute((1 - (r.cpu - 0.05)) * 60),
    );
    firing.push({ alertname: 'NodeCPUHigh', severity: 'warning', instance: 'busy' });
    for (const [instance, used] of [
      ['busy', r.memory + 0.05],
      ['calm', r.memory - 0.05],
    ] as const) {
      add('node_memory_MemTotal_bytes', host(instance), flat(1e9));
      add('node_memory_MemAvailable_bytes', host(instance), flat((1 - used) * 1e9));
    }
    firing.push({ alertname: 'NodeMemoryHigh', severity: 'warning', ...host('busy') });
    const disks: Array<[Record<string, string>, number, boolean]> = [
      [disk('busy', 'ext4', '/'), r.diskFree / 2, true],
      [disk('calm', 'ext4', '/'), Math.min(1, r.diskFree * 2), false],
      // Pseudo file systems are never reported, however full.
      [disk('busy', 'tmpfs', '/run'), 0, false],
    ];
    for (const [labels, free, fires] of disks) {
      add('node_filesystem_size_bytes', labels, flat(1e11));
      add('node_filesystem_avail_bytes', labels, flat(free * 1e11));
      add('node_filesystem_readonly', labels, flat(0));
      if (fires) firing.push({ alertname: 'NodeDiskFreeLow', severity: 'critical', ...labels });
    }
    const win = secs(r.window) / STEP;
    add(
      'queue_jobs_total',
      { queue: 'emails', job_name: 'send', status: 'failed' },
      perMinute((r.failedJobs + 1) / win),
    );
    add(
      'queue_jobs_total',
      { queue: 'exports', job_name: 'csv', status: 'failed' },
      perMinute((r.failedJobs - 1) / win),
    );
    firing.push({ alertname: 'QueueJobsFailing', severity: 'warning', queue: 'emails' });
    // emails: failing, last success at t=0 → stalled once queueStalled has passed; reports: idle, not stalled;
    // exports: a success every minute.
    add('queue_last_success_timestamp_seconds', { queue: 'emails' }, flat(0));
    add('queue_last_success_timestamp_seconds', { queue: 'reports' }, flat(0));
    add('queue_last_success_timestamp_seconds', { queue: 'exports' }, `0+60x${steps}`);
    add('queue_depth', { queue: 'reports', state: 'waiting' }, flat(0));
    add('queue_depth', { queue: 'exports', state: 'waiting' }, flat(4));
    if (at > secs(r.queueStalled))
      firing.push({ alertname: 'QueueStalled', severity: 'critical', queue: 'emails' });
    add(
      'db_client_slow_queries_total',
      { db_system: 'postgresql', operation: 'SELECT' },
      perMinute((r.slowQueries + 5) / win),
    );
    add(
      'db_client_slow_queries_total',
      { db_system: 'mysql', operation: 'SELECT' },
      perMinute((r.slowQueries - 5) / win),
    );
    firing.push({ alertname: 'SlowQueryBurst', severity: 'warning', db_system: 'postgresql' });
    add('db_client_n_plus_one_total', { route: '/api/orders' }, perMinute(1));
    add('db_client_n_plus_one_total', { route: '/api/users' }, flat(3));
    firing.push({ alertname: 'NPlusOneDetected', severity: 'warning', route: '/api/orders' });
    add('perfwatch_health_check_up', { ...host('busy'), check: 'redis' }, flat(0));
    add('perfwatch_health_check_up', { ...host('busy'), check: 'postgres' }, flat(1));
    firing.push({ alertname: 'HealthCheckFailing', severity: 'critical', ...host('busy'), check: 'redis' });
    routeThresholdInputs(config, add, perMinute, firing);
    add('up', { job: 'demo', instance: 'down:3000' }, flat(0));
    add('up', { job: 'demo', instance: 'fine:3000' }, flat(1));
    firing.push({ alertname: 'TargetDown', severity: 'critical', job: 'demo', instance: 'down:3000' });
  }
  return {
    rule_files: ['../resources.yml'],
    evaluation_interval: minutes(EVAL),
    tests: [
      {
        name: 'each resource alert fires over its threshold and not under it; Watchdog always fires',
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          {
            expr: 'ALERTS{alertstate="firing"}',
            eval_time: minutes(at),
            exp_samples: firing.map((l) => ({
              labels: labelString('ALERTS', { alertstate: 'firing', ...l }),
              value: 1,
            })),
          },
        ],
      },
    ],
  };
}
