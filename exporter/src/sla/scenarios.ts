/**
 * Production situations replayed through the generated rules with promtool (alert-rules/tests/
 * scenarios.test.yml): each scenario is traffic as an app and Prometheus really produce it (whole
 * requests, counters, stale markers, gaps, restarts) and states exactly which alerts fire at chosen
 * moments and, by listing every firing alert, which do not.
 *
 * The scenarios run against rules generated from SCENARIO_CONFIG (scenario-config.ts), not perfwatch.yml:
 * they need a p95 SLA with availability, a p99 SLA and a pushed app, whatever the repository's demo
 * config holds. The same generator writes both, so what is tested is what `rules generate` emits.
 */
import { formatDuration } from './duration';
import { effectiveBuckets, resolveSlas } from './model';
import { leLabel } from './promql-text';
import { ALERTS, HEARTBEAT_METRIC } from './names';
import { resourceRuleFile } from './resource-rules';
import type { RuleFile } from './rule-types';
import { linksFor, slaRuleFile } from './rules';
import {
  burn,
  failed,
  firingCheck,
  histogramSeries,
  type InputSeries,
  ok,
  type Scenario,
  series,
  threshold,
} from './scenario-traffic';
import { SCENARIO_CONFIG } from './scenario-config';

export const SCENARIO_RULES = 'alert-rules/tests/scenarios/rules.yml';
export const SCENARIO_TESTS = 'alert-rules/tests/scenarios.test.yml';

export function scenarioFiles(): { rules: RuleFile; tests: unknown } {
  const config = SCENARIO_CONFIG;
  const slas = resolveSlas(config.sla, config.metrics.httpBuckets);
  const buckets = effectiveBuckets(config.sla, config.metrics.httpBuckets);
  const byId = new Map(slas.map((s) => [s.id, s]));
  const files = slas.map((s) => slaRuleFile(s, config.sla));
  const rules: RuleFile = {
    groups: [...files.flatMap((f) => f.groups), ...resourceRuleFile(config.sla, linksFor(config.sla)).groups],
  };
  const E = ALERTS.errors;
  const L = ALERTS.latency;
  const A = ALERTS.availability;
  const up1 = () => 1;

  const scenarios: Scenario[] = [
    {
      name: 'low traffic: 20 requests an hour with 2 errors within three minutes pages nobody',
      minutes: 180,
      apps: [
        {
          sla: 'checkout',
          requests: (k) => (k % 3 !== 0 ? [] : k === 60 || k === 63 ? [failed(1)] : [ok(1)]),
        },
      ],
      up: up1,
      checks: [62, 66, 70, 90, 120, 179].map((t) => firingCheck(t, ['checkout'], [])),
    },
    {
      name: 'low traffic that really fails (every request from minute 60 on) still pages',
      minutes: 130,
      apps: [{ sla: 'checkout', requests: (k) => (k % 3 !== 0 ? [] : k >= 60 ? [failed(1)] : [ok(1)]) }],
      up: up1,
      checks: [
        firingCheck(59, ['checkout'], []),
        firingCheck(
          120,
          ['checkout'],
          [
            burn(E, 'checkout', 'errors', 'emergency', '14.4'),
            burn(E, 'checkout', 'errors', 'emergency', '6'),
          ],
        ),
      ],
    },
    {
      name: 'one slow request (1.2 s) among 2 a minute does not make a p95 page',
      minutes: 90,
      apps: [{ sla: 'checkout', requests: (k) => (k === 60 ? [ok(1), ok(1, 1.2)] : [ok(2)]) }],
      up: up1,
      checks: [61, 62, 63, 64, 66, 70].map((t) => firingCheck(t, ['checkout'], [])),
    },
    {
      // 1 slow in 95: the 99th percentile falls on it, as the "1 among 99" does.
      name: 'one slow request (1.2 s) among 95 in five minutes does not make a p99 page',
      minutes: 90,
      apps: [{ sla: 'product', requests: (k) => (k === 60 ? [ok(18), ok(1, 1.2)] : [ok(19)]) }],
      checks: [61, 62, 63, 64, 66, 70].map((t) => firingCheck(t, ['product'], [])),
    },
    {
      name: 'bursty traffic (1000 requests every 10 minutes, 15 % failing) keeps the page firing between bursts',
      minutes: 120,
      apps: [{ sla: 'checkout', requests: (k) => (k % 10 === 1 ? [ok(850), failed(150)] : []) }],
      up: up1,
      checks: [97, 98, 99, 100].map((t) =>
        firingCheck(
          t,
          ['checkout'],
          [
            threshold(E, 'checkout', 'errors', 'critical'),
            threshold(E, 'checkout', 'errors', 'emergency'),
            burn(E, 'checkout', 'errors', 'emergency', '14.4'),
            burn(E, 'checkout', 'errors', 'emergency', '6'),
            burn(E, 'checkout', 'errors', 'warning', '3'),
          ],
        ),
      ),
    },
    {
      name: 'an idle night and a slow morning (1 request a minute, 2 of the first 5 failing) page nobody',
      minutes: 600,
      apps: [
        {
          sla: 'checkout',
          requests: (k) =>
            k <= 120
              ? [ok(98), ok(2, 0.5)]
              : k <= 480
                ? []
                : k === 482 || k === 484
                  ? [failed(1)]
                  : k <= 540
                    ? [ok(1)]
                    : [ok(99), failed(1)],
        },
      ],
      up: up1,
      checks: [130, 200, 400, 483, 485, 487, 490, 500, 560, 599].map((t) => firingCheck(t, ['checkout'], [])),
    },
    {
      name: 'the app crashes in the middle of an error breach: the page stays until it is back and healthy',
      minutes: 200,
      apps: [
        {
          sla: 'checkout',
          requests: (k) => (k <= 40 ? [ok(80), failed(20)] : k > 90 ? [ok(100)] : []),
          sample: (k) => (k === 41 ? 'stale' : k > 41 && k < 90 ? 'gap' : 'ok'),
          restartAt: 90,
        },
      ],
      up: (k) => (k > 40 && k < 90 ? 0 : 1),
      checks: [
        firingCheck(
          35,
          ['checkout'],
          [
            threshold(E, 'checkout', 'errors', 'warning'),
            threshold(E, 'checkout', 'errors', 'critical'),
            threshold(E, 'checkout', 'errors', 'emergency'),
            burn(E, 'checkout', 'errors', 'emergency', '14.4'),
            burn(E, 'checkout', 'errors', 'emergency', '6'),
          ],
        ),
        firingCheck(
          70,
          ['checkout'],
          [
            threshold(E, 'checkout', 'errors', 'emergency'),
            burn(E, 'checkout', 'errors', 'emergency', '14.4'),
            burn(E, 'checkout', 'errors', 'emergency', '6'),
            burn(E, 'checkout', 'errors', 'warning', '3'),
            {
              alertname: ALERTS.targetDown,
              sla: 'checkout',
              sli: 'availability',
              severity: 'emergency',
              trigger: 'target_down',
            },
            { alertname: 'TargetDown', severity: 'critical' },
            burn(A, 'checkout', 'availability', 'emergency', '14.4'),
            burn(A, 'checkout', 'availability', 'emergency', '6'),
          ],
        ),
        // Back and healthy: every page resolved (the slower tiers still show the budget spent).
        firingCheck(150, ['checkout'], [], ',severity="emergency"'),
      ],
    },
    {
      name: 'a target down 30 s of every 2 minutes pages on availability, though TargetDown never fires',
      minutes: 75,
      interval: 15,
      apps: [{ sla: 'checkout', requests: () => [ok(25)] }],
      up: (k) => (k % 8 < 2 ? 0 : 1),
      checks: [
        firingCheck(10, ['checkout'], [burn(A, 'checkout', 'availability', 'emergency', '14.4')]),
        firingCheck(
          55,
          ['checkout'],
          [
            burn(A, 'checkout', 'availability', 'emergency', '14.4'),
            burn(A, 'checkout', 'availability', 'emergency', '6'),
          ],
        ),
      ],
    },
    {
      name: 'a 15-minute gap in all data (Prometheus restarting) neither resolves a page nor raises one',
      minutes: 90,
      apps: [
        {
          sla: 'checkout',
          requests: () => [ok(80), failed(20)],
          sample: (k) => (k >= 30 && k < 45 ? 'gap' : 'ok'),
        },
        {
          sla: 'product',
          requests: () => [ok(998), failed(2)],
          sample: (k) => (k >= 30 && k < 45 ? 'gap' : 'ok'),
        },
      ],
      up: (k) => (k >= 30 && k < 45 ? '_' : 1),
      // The pages hold through the gap; the critical and warning thresholds lapse and come back
      // once their `for:` has passed again, which no one is woken for.
      checks: [29, 46, 47, 60].map((t) =>
        firingCheck(
          t,
          ['checkout', 'product'],
          [
            ...(t === 46 || t === 47
              ? []
              : [
                  threshold(E, 'checkout', 'errors', 'warning'),
                  threshold(E, 'checkout', 'errors', 'critical'),
                ]),
            threshold(E, 'checkout', 'errors', 'emergency'),
            burn(E, 'checkout', 'errors', 'emergency', '14.4'),
            burn(E, 'checkout', 'errors', 'emergency', '6'),
          ],
        ),
      ),
    },
    {
      name: 'a pushed app that stops sending pages; a Perfwatch restart (gauge gone for 2 minutes) does not',
      minutes: 90,
      apps: [
        {
          sla: 'billing',
          requests: (k) => (k <= 60 ? [ok(30)] : []),
          sample: (k) => (k === 20 || k === 21 ? 'gap' : 'ok'),
          restartAt: 22,
        },
      ],
      extra: (steps) => [
        series(
          HEARTBEAT_METRIC,
          { app: 'billing', instance: 'perfwatch:9470', job: 'perfwatch' },
          steps,
          (k) => (k === 20 || k === 21 ? '_' : Math.max(0, Math.min(k, 60) * 60 - 5)),
        ),
        series('up', { instance: 'perfwatch:9470', job: 'perfwatch' }, steps, (k) => (k === 20 ? 0 : 1)),
      ],
      checks: [
        ...[22, 24, 26, 28, 30, 64, 68].map((t) => firingCheck(t, ['billing'], [])),
        firingCheck(
          80,
          ['billing'],
          [
            {
              alertname: ALERTS.appSilent,
              sla: 'billing',
              sli: 'availability',
              severity: 'emergency',
              trigger: 'heartbeat',
            },
            burn(A, 'billing', 'availability', 'emergency', '14.4'),
          ],
        ),
      ],
    },
    {
      name: 'buckets spelled le="0.30" (Prometheus 3, Python/Java clients) still feed the latency SLI; a missing bucket is reported',
      minutes: 40,
      apps: [
        {
          sla: 'checkout',
          requests: () => [ok(20), ok(80, 0.5)],
          spell: (b) => (Number.isInteger(b) ? `${b}.0` : `${leLabel(b)}0`),
        },
        { sla: 'product', requests: () => [ok(100)], withoutBounds: [0.25] },
      ],
      up: up1,
      checks: [
        firingCheck(
          30,
          ['checkout', 'product'],
          [
            threshold(L, 'checkout', 'latency', 'warning'),
            threshold(L, 'checkout', 'latency', 'critical'),
            burn(L, 'checkout', 'latency', 'emergency', '14.4'),
            burn(L, 'checkout', 'latency', 'emergency', '6'),
            {
              alertname: ALERTS.sliMissing,
              sla: 'product',
              sli: 'latency',
              severity: 'critical',
              trigger: 'missing',
            },
          ],
        ),
      ],
    },
  ];

  const tests = scenarios.map((sc) => {
    const interval = sc.interval ?? 60;
    const steps = Math.ceil((sc.minutes * 60) / interval) + 1;
    const input: InputSeries[] = [];
    for (const app of sc.apps) {
      const s = byId.get(app.sla);
      if (!s) throw new Error(`scenario "${sc.name}" names an unknown SLA ${app.sla}`);
      input.push(...histogramSeries(s, buckets, app, steps));
    }
    if (sc.up) input.push(series('up', { instance: 'shop:8080', job: 'shop' }, steps, sc.up));
    if (sc.extra) input.push(...sc.extra(steps));
    return {
      name: sc.name,
      interval: formatDuration(interval),
      input_series: input,
      promql_expr_test: sc.checks,
    };
  });
  return {
    rules,
    tests: {
      rule_files: ['scenarios/rules.yml'],
      // Every minute, between the 5 m of the per-SLA tests and Prometheus' 15 s: fine enough that
      // `for:`, keep_firing_for and stale markers play out as they do in production.
      evaluation_interval: '1m',
      group_eval_order: rules.groups.map((g) => g.name),
      tests,
    },
  };
}
