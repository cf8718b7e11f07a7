/**
 * Production situations replayed through the generated rules with promtool (alert-rules/tests/
 * scenarios.test.yml): each scenario is traffic as an app and Prometheus really produce it (whole
 * requests, counters, stale markers, gaps, restarts) and states exactly which alerts fire at chosen
 * moments and, by listing every firing alert, which do not.
 *
 * The scenarios run against rules generated from SCENARIO_CONFIG below rather than perfwatch.yml:
 * they need a p95 SLA with availability, a p99 SLA and a pushed app, whatever the repository's demo
 * config holds. The same generator writes both, so what is tested is what `rules generate` emits.
 */
import { parseConfig } from '../config/load';
import type { PerfwatchConfig } from '../config/schema';
import { formatDuration } from './duration';
import { clean, effectiveBuckets, HTTP_METRIC, leLabel, type ResolvedSla, resolveSlas } from './model';
import { ALERTS, HEARTBEAT_METRIC } from './names';
import { resourceRuleFile } from './resource-rules';
import type { RuleFile } from './rule-types';
import { linksFor, slaRuleFile } from './rules';

export const SCENARIO_RULES = 'alert-rules/tests/scenarios/rules.yml';
export const SCENARIO_TESTS = 'alert-rules/tests/scenarios.test.yml';

export const SCENARIO_CONFIG: PerfwatchConfig = parseConfig(
  {
    sla: {
      job: 'shop',
      endpoints: [
        {
          name: 'checkout',
          route: '/api/checkout',
          method: 'POST',
          latency: 'p95 < 300ms',
          errorRate: '< 0.5%',
          availability: '99.9%',
          priority: 'critical',
        },
        {
          name: 'product',
          route: '/api/products/:id',
          method: 'GET',
          latency: 'p99 < 250ms',
          errorRate: '< 1%',
          priority: 'high',
        },
        {
          name: 'billing',
          route: '/invoices/{id}',
          method: 'GET',
          app: 'billing',
          errorRate: '< 1%',
          availability: '99.5%',
          priority: 'critical',
        },
      ],
    },
  },
  'the scenario SLA config',
);

/** Requests arriving between two samples. */
interface Requests {
  status: string;
  seconds: number;
  n: number;
}

type Sample = 'ok' | 'stale' | 'gap';

interface AppTraffic {
  sla: string;
  /** Requests that arrive during step k (between sample k−1 and sample k). */
  requests(step: number): Requests[];
  /** What Prometheus has at step k: a sample, the stale marker a failed scrape writes, or nothing. */
  sample?(step: number): Sample;
  /** The process restarted before this step: its counters start again from 0. */
  restartAt?: number;
  /** How the app spells a bucket bound (`0.3`, or `0.30` like hand-written expositions). */
  spell?(bound: number): string;
  /** Bounds the app's histogram does not have. */
  withoutBounds?: number[];
}

type Token = number | '_' | 'stale';

/** promtool's expanding notation, with runs of a constant step folded (`0+5x120`). */
export function compress(tokens: Token[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (typeof t !== 'number') {
      out.push(t);
      i++;
      continue;
    }
    let j = i + 1;
    const next = tokens[j];
    if (typeof next === 'number') {
      const d = clean(next - t);
      while (
        j + 1 < tokens.length &&
        typeof tokens[j + 1] === 'number' &&
        clean((tokens[j + 1] as number) - (tokens[j] as number)) === d
      )
        j++;
      const n = j - i;
      if (n >= 2) {
        out.push(`${clean(t)}${d < 0 ? '-' : '+'}${Math.abs(d)}x${n}`);
        i = j + 1;
        continue;
      }
    }
    out.push(String(clean(t)));
    i++;
  }
  return out.join(' ');
}

function labelString(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

interface InputSeries {
  series: string;
  values: string;
}

/** Histogram series (bucket, count, sum per status) of one endpoint over `steps` samples. */
function histogramSeries(s: ResolvedSla, buckets: number[], app: AppTraffic, steps: number): InputSeries[] {
  const bounds = buckets.filter((b) => !(app.withoutBounds ?? []).includes(b));
  const statuses = new Set<string>();
  for (let k = 1; k < steps; k++) for (const r of app.requests(k)) statuses.add(r.status);
  const base = {
    job: s.job!,
    instance: s.app ? 'perfwatch:9470' : 'shop:8080',
    route: s.route,
    method: s.method ?? 'GET',
  };
  const out: InputSeries[] = [];
  for (const status of [...statuses].sort()) {
    const tracks: Array<{ labels: Record<string, string>; name: string; of: (r: Requests) => number }> = [
      ...[...bounds, Infinity].map((b) => ({
        name: `${HTTP_METRIC}_bucket`,
        labels: { le: b === Infinity ? '+Inf' : (app.spell ?? leLabel)(b) },
        of: (r: Requests) => (r.seconds <= b ? r.n : 0),
      })),
      { name: `${HTTP_METRIC}_count`, labels: {}, of: (r: Requests) => r.n },
      { name: `${HTTP_METRIC}_sum`, labels: {}, of: (r: Requests) => r.n * r.seconds },
    ];
    for (const track of tracks) {
      const tokens: Token[] = [];
      let v = 0;
      for (let k = 0; k < steps; k++) {
        if (k === app.restartAt) v = 0;
        if (k > 0)
          v = clean(
            v +
              app
                .requests(k)
                .filter((r) => r.status === status)
                .reduce((a, r) => a + track.of(r), 0),
          );
        const state = app.sample?.(k) ?? 'ok';
        tokens.push(state === 'ok' ? v : state === 'stale' ? 'stale' : '_');
      }
      out.push({
        series: labelString(track.name, { ...base, status_code: status, ...track.labels }),
        values: compress(tokens),
      });
    }
  }
  return out;
}

function series(
  name: string,
  labels: Record<string, string>,
  steps: number,
  at: (k: number) => Token,
): InputSeries {
  return { series: labelString(name, labels), values: compress([...Array(steps).keys()].map(at)) };
}

/** One expected firing alert, as `count by (…) (ALERTS)` shows it. */
interface Firing {
  alertname: string;
  sla?: string;
  sli?: string;
  severity: string;
  trigger?: string;
  burn_factor?: string;
}

const BY = ['alertname', 'sla', 'sli', 'severity', 'trigger', 'burn_factor'];

function firingCheck(at: number, slas: string[], firing: Firing[], extra = ''): unknown {
  return {
    expr: `count by (${BY.join(', ')}) (ALERTS{alertstate="firing",alertname!="Watchdog",sla=~"${slas.join('|')}|"${extra}})`,
    eval_time: formatDuration(at * 60),
    exp_samples: firing.map((f) => ({
      labels: `{${BY.filter((k) => f[k as keyof Firing] !== undefined)
        .map((k) => `${k}="${f[k as keyof Firing]}"`)
        .join(', ')}}`,
      value: 1,
    })),
  };
}

const ok = (n: number, seconds = 0.05): Requests => ({ status: '200', seconds, n });
const failed = (n: number): Requests => ({ status: '500', seconds: 0.05, n });

const burn = (alertname: string, sla: string, sli: string, severity: string, factor: string): Firing => ({
  alertname,
  sla,
  sli,
  severity,
  trigger: 'burn_rate',
  burn_factor: factor,
});
const threshold = (alertname: string, sla: string, sli: string, severity: string): Firing => ({
  alertname,
  sla,
  sli,
  severity,
  trigger: 'threshold',
});

interface Scenario {
  name: string;
  /** Minutes of input (1-minute samples unless `interval` says otherwise). */
  minutes: number;
  interval?: number;
  apps: AppTraffic[];
  /** `up` of the scraped job(s), by step. */
  up?: (k: number) => Token;
  /** Extra input series (heartbeats, Perfwatch's own up). */
  extra?: (steps: number) => InputSeries[];
  checks: unknown[];
}

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
      // 1 slow in 95: the 99th percentile falls on it, as the issue's "1 among 99" does.
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
