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
import { humanSeconds } from './duration';
import type { ResolvedSla } from './model';
import { clean } from './promql-text';
import { ALERTS, SERIES } from './names';
import type { RuleFile } from './rule-types';
import {
  STEP,
  EVAL,
  firesFrom,
  type TrafficClass,
  type Phase,
  type Expectation,
  type TestGroup,
  minutes,
  secs,
  inputSeries,
  mix,
  above,
} from './promtool-traffic';
import { alertModels, annotatedAlerts, near, steadyGroup } from './promtool-alert-models';

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
