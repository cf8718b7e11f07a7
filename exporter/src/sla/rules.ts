/**
 * Pure functions from resolved SLAs to Prometheus rule groups (recording + alerting), one file per SLA
 * so each can be loaded, tested and reviewed on its own.
 *
 * Maths, chosen after what Sloth and Pyrra get wrong (see shared/research/slo-alerting.md):
 * - Latency SLIs read the exact `le` bucket of the target: "p95 < 200ms" is "≥ 95 % of requests ≤ 0.2 s".
 * - Long windows and the SLA period are ratios of summed base-window *rates* (event-weighted), never
 *   averages of ratios; idle time adds 0 to both sides, so an idle hour neither distorts compliance nor
 *   makes it NaN. Sums run over the recorded rates (one sample per evaluation, a handful of series per
 *   SLA) rather than raw buckets, which keeps a 30 d window affordable (docs/alerting.md, rule cost).
 * - Ratios divide by `(total > 0)`: no traffic gives no sample instead of NaN.
 */
import type { SlaConfig } from './config';
import { formatDuration, humanSeconds, parseDuration } from './duration';
import { clean, HTTP_METRIC, quote, type ResolvedSla } from './model';
import { ALERTS, quantileName, SERIES } from './names';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

/** The SLI windows every SLA gets (SRE workbook pairs), plus whatever the burn tiers name. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

const HOUR = 3600;
const DAY = 86400;
const QUANTILES = [0.5, 0.95, 0.99];

const secs = (d: string) => parseDuration(d) ?? 0;

/** Windows of the SLI ratios for one SLA, shortest first; the base window is always first. */
export function sliWindows(s: ResolvedSla, base: string): string[] {
  const all = new Set([base, ...SLI_WINDOWS]);
  for (const t of s.burnTiers) all.add(t.short).add(t.long);
  return [...all].filter((w) => secs(w) >= secs(base)).sort((a, b) => secs(a) - secs(b));
}

function sel(s: ResolvedSla, extra: Record<string, string> = {}): string {
  const m = [`sla=${quote(s.id)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${quote(v)}`)];
  return `{${m.join(',')}}`;
}

function raw(s: ResolvedSla, suffix: string, extra = ''): string {
  return `${HTTP_METRIC}_${suffix}{${s.selector}${extra}}`;
}

const pctText = (r: number) => `${clean(r * 100)}%`;

/** `{{ with query `…` }}{{ . | first | value | FORMAT }}{{ else }}FALLBACK{{ end }}` */
function q(expr: string, format: string, fallback: string): string {
  return `{{ with query \`${expr}\` }}{{ . | first | value | ${format} }}{{ else }}${fallback}{{ end }}`;
}

export interface Links {
  runbook(alert: string): string;
  /** The HTTP dashboard for one route, or the system dashboard. */
  dashboard(route?: string): string;
  /** The HTTP dashboard for the alert's own `route` label (a template). */
  routeDashboardTemplate: string;
}

export function linksFor(config: SlaConfig): Links {
  const l = config.alerting.links;
  return {
    runbook: (alert) => `${l.runbookUrl}#${alert.toLowerCase()}`,
    dashboard: (route) =>
      route === undefined
        ? `${l.grafanaUrl}${l.systemDashboard}`
        : `${l.grafanaUrl}${l.httpDashboard}?var-route=${encodeURIComponent(route)}`,
    routeDashboardTemplate: `${l.grafanaUrl}${l.httpDashboard}?var-route={{ $labels.route | urlquery }}`,
  };
}

/** Recording rules at the base window: rates, bucket rates, quantiles, mean, short SLI ratios. */
function shortGroup(s: ResolvedSla, base: string, windows: string[]): RuleGroup {
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
      expr: `sum by (route) (rate(${raw(s, 'bucket', `,le=${quote(s.latency.le)}`)}[${base}]))`,
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
  if (s.availability) rules.push({ record: SERIES.up, expr: `avg(up{job=${quote(s.job!)}})`, labels: L });

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

function regressionQuantile(s: ResolvedSla): number {
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
  if (s.errors)
    out.push({ record: SERIES.errorRatio(w), expr: `${over(SERIES.errors(base))}\n/\n${denominator}` });
  if (s.latency)
    out.push({
      record: SERIES.slowRatio(w),
      expr: `1 - (\n  ${over(SERIES.withinTarget(base))}\n  /\n  ${denominator}\n)`,
    });
  return out;
}

/** Windows over 1 h, the SLA-window compliance and error budgets; evaluated less often. */
function longGroup(s: ResolvedSla, base: string, windows: string[], interval: string): RuleGroup {
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

/** `for:` only when there is something to wait for. */
export function forClause(duration: string): { for?: string } {
  return secs(duration) > 0 ? { for: duration } : {};
}

function who(s: ResolvedSla): string {
  const parts = [`SLA ${s.id}`, `priority ${s.priority}`];
  if (s.labels.team) parts.push(`team ${s.labels.team}`);
  if (s.labels.owner) parts.push(`owner ${s.labels.owner}`);
  return parts.join(', ');
}

function budgetText(s: ResolvedSla, sli: string): string {
  return `Error budget left (${s.windowDays}d): ${q(
    `${SERIES.budgetRemaining}${sel(s, { sli })}`,
    'humanizePercentage',
    'not known yet',
  )}.`;
}

function alertRules(s: ResolvedSla, base: string, links: Links): RuleGroup {
  const rules: AlertingRule[] = [];
  const esc = s.escalation;
  const baseSeconds = secs(base);
  const enough =
    esc.minRequests > 0
      ? `\nand\n${SERIES.requests(base)}${sel(s)} * ${baseSeconds} >= ${esc.minRequests}`
      : '';
  const rate = q(`${SERIES.requests(base)}${sel(s)}`, 'printf "%.2f"', '0');
  const common = (alert: string) => ({
    runbook_url: links.runbook(alert),
    dashboard_url: links.dashboard(s.route),
  });

  if (s.latency) {
    const lat = s.latency;
    const qn = quantileName(lat.quantile);
    const target = `${qn} < ${humanSeconds(lat.threshold)}`;
    const slowShare = q(`${SERIES.slowRatio(base)}${sel(s)}`, 'humanizePercentage', 'an unknown share');
    const impact =
      `${slowShare} of requests took longer than ${humanSeconds(lat.threshold)} over the last ${base} ` +
      `(allowed: ${pctText(lat.budget)}), at ${rate} requests/s. ${budgetText(s, 'latency')}`;
    for (const t of lat.thresholds) {
      const how =
        t.step === 'emergency'
          ? `the emergency threshold is ${humanSeconds(t.seconds)}`
          : `the ${t.step} threshold is ${humanSeconds(t.seconds)} (${esc.latency[t.step]} × the ${humanSeconds(lat.threshold)} target)`;
      rules.push({
        alert: ALERTS.latency,
        expr: `${SERIES.quantile(lat.quantile, base)}${sel(s)} > ${t.seconds}${enough}`,
        ...forClause(esc.for[t.step]),
        labels: {
          severity: t.severity,
          sli: 'latency',
          trigger: 'threshold',
          threshold: humanSeconds(t.seconds),
        },
        annotations: {
          summary: `${s.title}: ${qn} is {{ $value | humanizeDuration }}, over ${humanSeconds(t.seconds)} (target ${target})`,
          description:
            `The ${qn} latency of ${s.title} over the last ${base} is {{ $value | humanizeDuration }}; ` +
            `${how}. ${who(s)}.`,
          impact,
          current: `{{ $value | humanizeDuration }}`,
          target,
          ...common(ALERTS.latency),
        },
      });
    }
    for (const t of s.burnTiers) rules.push(burnRule(s, 'latency', t, lat.budget, impact, target, common));
  }

  if (s.errors) {
    const err = s.errors;
    const what = err.definition.join(', ');
    const target = `errors < ${pctText(err.maxRatio)}`;
    const impact =
      `${q(`${SERIES.errors(base)}${sel(s)}`, 'printf "%.2f"', '0')} failed requests/s (${what}) ` +
      `out of ${rate} requests/s over the last ${base} (allowed: ${pctText(err.maxRatio)}). ` +
      budgetText(s, 'errors');
    for (const t of err.thresholds)
      rules.push({
        alert: ALERTS.errors,
        expr: `${SERIES.errorRatio(base)}${sel(s)} > ${t.ratio}${enough}`,
        ...forClause(esc.for[t.step]),
        labels: { severity: t.severity, sli: 'errors', trigger: 'threshold', threshold: pctText(t.ratio) },
        annotations: {
          summary: `${s.title}: {{ $value | humanizePercentage }} errors, over ${pctText(t.ratio)} (target ${target})`,
          description:
            `{{ $value | humanizePercentage }} of the requests to ${s.title} over the last ${base} were ` +
            `errors (${what}); the ${t.step} threshold is ${pctText(t.ratio)}. ${who(s)}.`,
          impact,
          current: `{{ $value | humanizePercentage }}`,
          target,
          ...common(ALERTS.errors),
        },
      });
    for (const t of s.burnTiers) rules.push(burnRule(s, 'errors', t, err.budget, impact, target, common));
  }

  const reg = esc.regression;
  if (reg.enabled) {
    const qt = regressionQuantile(s);
    const series = `${SERIES.quantile(qt, reg.window)}${sel(s)}`;
    rules.push({
      alert: ALERTS.regression,
      expr:
        `${series} > ${reg.factor} * (${series} offset 1w)\n` +
        `and\n${series} - (${series} offset 1w) > ${reg.minIncrease}${enough}`,
      for: reg.for,
      labels: { severity: 'warning', sli: 'latency', trigger: 'regression' },
      annotations: {
        summary: `${s.title}: ${quantileName(qt)} over ${reg.window} is {{ $value | humanizeDuration }}, over ${reg.factor}× a week ago`,
        description:
          `The ${quantileName(qt)} latency of ${s.title} over the last ${reg.window} is {{ $value | humanizeDuration }}; ` +
          `a week ago it was ${q(`${series} offset 1w`, 'humanizeDuration', 'unknown')}. ` +
          `Alerts when it is over ${reg.factor}× and ${humanSeconds(reg.minIncrease)} slower for ${reg.for}. ${who(s)}.`,
        impact: `Requests are slower than last week, at ${rate} requests/s; the SLA may still be met.`,
        current: `{{ $value | humanizeDuration }}`,
        target: `under ${reg.factor}× last week`,
        ...common(ALERTS.regression),
      },
    });
  }
  return { name: `perfwatch-sla-${s.id}-alerts`, rules };
}

function burnRule(
  s: ResolvedSla,
  sli: 'latency' | 'errors',
  t: ResolvedSla['burnTiers'][number],
  budget: number,
  impact: string,
  target: string,
  common: (alert: string) => Record<string, string>,
): AlertingRule {
  const series = sli === 'latency' ? SERIES.slowRatio : SERIES.errorRatio;
  const threshold = clean(t.factor * budget);
  const alert = sli === 'latency' ? ALERTS.latency : ALERTS.errors;
  const bad = sli === 'latency' ? 'slower than the target' : 'errors';
  const exhaustion = formatDuration(Math.round((s.windowDays * DAY) / t.factor / 60) * 60);
  return {
    alert,
    expr: `${series(t.short)}${sel(s)} > ${threshold}\nand\n${series(t.long)}${sel(s)} > ${threshold}`,
    for: t.for,
    labels: {
      severity: t.severity,
      sli,
      trigger: 'burn_rate',
      burn_factor: String(t.factor),
      long_window: t.long,
      short_window: t.short,
    },
    annotations: {
      summary: `${s.title}: ${sli} error budget burning ${t.factor}× too fast (${t.long}/${t.short})`,
      description:
        `{{ $value | humanizePercentage }} of the requests to ${s.title} over the last ${t.short} were ${bad}, ` +
        `and more than ${pctText(threshold)} over the last ${t.long}; the SLA allows ${pctText(budget)}. ` +
        `At this rate the ${s.windowDays}d error budget is gone in ${exhaustion}. ${who(s)}.`,
      impact,
      current: `{{ $value | humanizePercentage }} over ${t.short}`,
      target,
      ...common(alert),
    },
  };
}

/** One rule file per SLA: short recording group, long recording group, alerts. */
export function slaRuleFile(s: ResolvedSla, config: SlaConfig): RuleFile {
  const base = config.window;
  const windows = sliWindows(s, base);
  return {
    groups: [
      shortGroup(s, base, windows),
      longGroup(s, base, windows, config.longRulesInterval),
      alertRules(s, base, linksFor(config)),
    ],
  };
}
