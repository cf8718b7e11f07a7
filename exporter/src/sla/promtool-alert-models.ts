/**
 * The SLA's alerts as conditions on a steady traffic mix, and the expectations (ALERTS samples, rendered
 * annotations) they give promtool.
 */
import { humanSeconds } from './duration';
import type { ResolvedSla } from './model';
import { clean } from './promql-text';
import { ALERTS, SERIES } from './names';
import type { AlertingRule, RuleFile } from './rule-types';
import { renderAnnotation } from './prometheus-templates';
import { burnLabels } from './rule-exprs';
import {
  STEP,
  firesFrom,
  type Expectation,
  type AlertTest,
  type TestGroup,
  minutes,
  secs,
  labelString,
  inputSeries,
  type Mix,
} from './promtool-traffic';

interface AlertModel {
  alertname: string;
  labels: Record<string, string>;
  forSeconds: number;
  fires(m: Mix): boolean;
  /** The alert's $value for a mix: the quantile or the ratio its expression compares. */
  value(m: Mix): number;
}

/** The SLA's alerts as conditions on a steady mix (what the generated expressions mean). */
export function alertModels(s: ResolvedSla, base: string): AlertModel[] {
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
export function near(
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
export function annotatedAlerts(
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

export function steadyGroup(
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
