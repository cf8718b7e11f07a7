/**
 * The recording rules of one SLA: base-window rates, quantiles and SLI ratios, and the long windows summed
 * from them.
 */
import type { ResolvedSla } from './model';
import { SERIES } from './names';
import { clean, quote } from './promql-text';
import { heartbeat, HOUR, raw, secs, sel } from './rule-exprs';
import type { RecordingRule, RuleGroup } from './rule-types';

const QUANTILES = [0.5, 0.95, 0.99];

/** Recording rules at the base window: rates, bucket rates, quantiles, mean, short SLI ratios. */
export function shortGroup(s: ResolvedSla, base: string, windows: string[]): RuleGroup {
  const L = s.labels;
  const rules: RecordingRule[] = [];
  rules.push({
    record: SERIES.requests(base),
    expr: `sum by (route) (rate(${raw(s, 'count')}[${base}]))`,
    labels: L,
  });
  if (s.errors)
    rules.push({
      record: SERIES.errors(base),
      // `or 0 * total`: the error series does not exist until the first error; the ratio must read 0, not nothing.
      expr:
        `sum by (route) (rate(${raw(s, 'count', `,status_code=~${quote(s.errors.statusRegex)}`)}[${base}]))\n` +
        `or\n0 * sum by (route) (rate(${raw(s, 'count')}[${base}]))`,
      labels: L,
    });
  if (s.latency)
    rules.push({
      record: SERIES.withinTarget(base),
      // By value, not by string: `0.3`, `0.30` and Prometheus 3's `2.0` are the same bound.
      expr: `sum by (route) (rate(${raw(s, 'bucket', `,le=~${quote(s.latency.leRegex)}`)}[${base}]))`,
      labels: L,
    });
  rules.push({
    record: SERIES.buckets(base),
    expr: `sum by (route, le) (rate(${raw(s, 'bucket')}[${base}]))`,
    labels: L,
  });
  const quantiles = [...new Set([...QUANTILES, ...(s.latency ? [s.latency.quantile] : [])])].sort(
    (a, b) => a - b,
  );
  for (const qt of quantiles)
    rules.push({
      record: SERIES.quantile(qt, base),
      // `>= 0` drops the NaN histogram_quantile returns when there was no traffic.
      expr: `histogram_quantile(${qt}, ${SERIES.buckets(base)}${sel(s)}) >= 0`,
    });
  rules.push({
    record: SERIES.mean(base),
    expr:
      `sum by (route) (rate(${raw(s, 'sum')}[${base}]))\n/\n` +
      `(sum by (route) (rate(${raw(s, 'count')}[${base}])) > 0)`,
    labels: L,
  });
  if (s.availability) {
    if (s.app) {
      // A pushed app is up while its heartbeat is fresh; before its first batch there is no sample.
      rules.push({
        record: SERIES.up,
        expr: `time() - max(${heartbeat(s)}) < bool ${secs(s.heartbeatTimeout)}`,
        labels: L,
      });
      rules.push({
        record: SERIES.downRatio(base),
        expr: `1 - avg_over_time(${SERIES.up}${sel(s)}[${base}])`,
      });
    } else {
      rules.push({ record: SERIES.up, expr: `avg(up{job=${quote(s.job!)}})`, labels: L });
      // Every scrape in the window, not the instants rules run at: a target down 30 s of every 2 min
      // is down 25 % of the time, whatever the evaluation interval.
      rules.push({
        record: SERIES.downRatio(base),
        expr: `1 - avg(avg_over_time(up{job=${quote(s.job!)}}[${base}]))`,
        labels: L,
      });
    }
  }

  for (const w of windows.filter((w) => secs(w) <= HOUR)) rules.push(...ratioRules(s, base, w));
  const rw = s.escalation.regression.window;
  if (s.escalation.regression.enabled && rw !== base) {
    rules.push({
      record: SERIES.quantile(regressionQuantile(s), rw),
      expr: `histogram_quantile(${regressionQuantile(s)}, avg_over_time(${SERIES.buckets(base)}${sel(s)}[${rw}])) >= 0`,
    });
  }
  return { name: `perfwatch-sla-${s.id}`, rules };
}

export function regressionQuantile(s: ResolvedSla): number {
  return s.latency?.quantile ?? 0.95;
}

/**
 * SLI ratio rules for window `w`: base-window rates summed over `w`. Every rate sample has the same
 * weight, so the ratio is event-weighted (good events / all events), and idle time adds 0 to both sides.
 */
function ratioRules(s: ResolvedSla, base: string, w: string): RecordingRule[] {
  const out: RecordingRule[] = [];
  const over = (rateSeries: string) =>
    w === base ? `${rateSeries}${sel(s)}` : `sum_over_time(${rateSeries}${sel(s)}[${w}])`;
  const denominator = `(${over(SERIES.requests(base))} > 0)`;
  out.push(requestsInRule(s, w));
  if (s.availability && w !== base)
    out.push({
      record: SERIES.downRatio(w),
      expr: `avg_over_time(${SERIES.downRatio(base)}${sel(s)}[${w}])`,
    });
  if (s.errors)
    out.push({ record: SERIES.errorRatio(w), expr: `${over(SERIES.errors(base))}\n/\n${denominator}` });
  if (s.latency)
    out.push({
      record: SERIES.slowRatio(w),
      expr: `1 - (\n  ${over(SERIES.withinTarget(base))}\n  /\n  ${denominator}\n)`,
    });
  return out;
}

/**
 * Requests in window `w`, exact: burn-tier guards compare it with a minimum, so it must not be
 * inflated when the window holds less history than its length (a new SLA, an app that was down),
 * as an average of rates times the window would be. Up to 1 h: increase() of the raw counters.
 * Longer: the hourly increases at whole hours summed by a subquery (one point per hour), which
 * undercounts at most the current partial hour — the safe side for a guard — and never less than
 * the last hour.
 */
function requestsInRule(s: ResolvedSla, w: string): RecordingRule {
  if (secs(w) <= HOUR || secs(w) % HOUR !== 0)
    return {
      record: SERIES.requestsIn(w),
      expr: `sum by (route) (increase(${raw(s, 'count')}[${w}]))`,
      labels: s.labels,
    };
  const lastHour = `${SERIES.requestsIn('1h')}${sel(s)}`;
  // With less than one whole hour of history, the last hour's count is the best lower bound.
  const wholeHours = `sum_over_time(${lastHour}[${w}:1h])`;
  return {
    record: SERIES.requestsIn(w),
    expr: `${wholeHours} >= ${lastHour}\nor\n${lastHour}`,
  };
}

/** Windows over 1 h, the SLA-window compliance and error budgets; evaluated less often. */
export function longGroup(s: ResolvedSla, base: string, windows: string[], interval: string): RuleGroup {
  const rules: RecordingRule[] = [];
  for (const w of windows.filter((w) => secs(w) > HOUR)) rules.push(...ratioRules(s, base, w));

  const period = `${s.windowDays}d`;
  const periodMinutes = s.windowDays * 1440;
  const overP = (series: string) => `sum_over_time(${series}${sel(s)}[${period}])`;
  const total = `(${overP(SERIES.requests(base))} > 0)`;
  const budgetRules = (sli: string, budget: number): RecordingRule[] => [
    // The `sli` label is already on the series; repeating it keeps promtool's duplicate-rule lint exact.
    {
      record: SERIES.budgetRemaining,
      expr: `1 - (1 - ${SERIES.compliance}${sel(s, { sli })}) / ${budget}`,
      labels: { sli },
    },
    {
      record: SERIES.budgetMinutes,
      expr: `${SERIES.budgetRemaining}${sel(s, { sli })} * ${clean(budget * periodMinutes)}`,
      labels: { sli },
    },
  ];
  const meta = (sli: string, objective: number): RecordingRule => ({
    record: SERIES.objective,
    expr: `vector(${objective})`,
    labels: { ...s.labels, sli },
  });
  if (s.latency) {
    rules.push({
      record: SERIES.compliance,
      expr: `${overP(SERIES.withinTarget(base))}\n/\n${total}`,
      labels: { sli: 'latency', window: period },
    });
    rules.push(...budgetRules('latency', s.latency.budget));
    rules.push(meta('latency', s.latency.objective));
    rules.push({
      record: SERIES.latencyTarget,
      expr: `vector(${s.latency.threshold})`,
      labels: { ...s.labels, quantile: String(s.latency.quantile) },
    });
  }
  if (s.errors) {
    rules.push({
      record: SERIES.compliance,
      expr: `1 - (\n  ${overP(SERIES.errors(base))}\n  /\n  ${total}\n)`,
      labels: { sli: 'errors', window: period },
    });
    rules.push(...budgetRules('errors', s.errors.budget));
    rules.push(meta('errors', s.errors.objective));
  }
  if (s.availability) {
    rules.push({
      record: SERIES.compliance,
      expr: `avg_over_time(${SERIES.up}${sel(s)}[${period}])`,
      labels: { sli: 'availability', window: period },
    });
    rules.push(...budgetRules('availability', s.availability.budget));
    rules.push(meta('availability', s.availability.objective));
  }
  return { name: `perfwatch-sla-${s.id}-long`, interval, rules };
}
