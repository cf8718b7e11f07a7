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
import { capSeverity, clean, HTTP_METRIC, quote, type ResolvedSla } from './model';
import { ALERTS, HEARTBEAT_METRIC, quantileName, SERIES } from './names';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
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
  /** `{ runbook_url }` when a runbook base is configured, else nothing (better than a dead link). */
  runbook(alert: string): Record<string, string>;
  /** The HTTP dashboard for one route, or the system dashboard. */
  dashboard(route?: string): string;
  /** The HTTP dashboard for the alert's own `route` label (a template). */
  routeDashboardTemplate: string;
}

export function linksFor(config: SlaConfig): Links {
  const l = config.alerting.links;
  const u = config.alerting.externalUrls;
  const grafana = u.grafana.replace(/(?<!\/)\/+$/, '');
  return {
    runbook: (alert): Record<string, string> =>
      u.runbookBase ? { runbook_url: `${u.runbookBase}#${alert.toLowerCase()}` } : {},
    dashboard: (route) =>
      route === undefined
        ? `${grafana}${l.systemDashboard}`
        : `${grafana}${l.httpDashboard}?var-route=${encodeURIComponent(route)}`,
    routeDashboardTemplate: `${grafana}${l.httpDashboard}?var-route={{ $labels.route | urlquery }}`,
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

/** The pushed app's heartbeat gauge. */
function heartbeat(s: ResolvedSla): string {
  return `${HEARTBEAT_METRIC}{app=${quote(s.app!)}}`;
}

/**
 * True (a sample without labels) while the app cannot be measured because it is down: every scrape
 * target of its job down or gone, or, for a pushed app, no batch within the heartbeat timeout.
 */
function appDown(s: ResolvedSla): string | undefined {
  if (s.app) return `time() - (max(${heartbeat(s)}) or vector(0)) > ${secs(s.heartbeatTimeout)}`;
  if (s.job) return `(max(up{job=${quote(s.job)}}) or vector(0)) == 0`;
  return undefined;
}

/** Requests a quantile needs before it means something: 3 / (1 − q), and at least minRequests. */
export function quantileMinRequests(s: ResolvedSla, q: number): number {
  return Math.max(s.escalation.minRequests, Math.ceil(clean(3 / clean(1 - q))));
}

interface AlertContext {
  s: ResolvedSla;
  base: string;
  longInterval: string;
  links: Links;
}

/**
 * A recorded SLI series as alerts read it. Series of the long group are written every longRulesInterval:
 * reading the last value within three intervals means one late or missed evaluation does not make the
 * series vanish (and reset every `for:`) under Prometheus' 5 m lookback.
 */
function read(c: AlertContext, series: string, w: string): string {
  const selector = `${series}${sel(c.s)}`;
  return secs(w) > HOUR
    ? `last_over_time(${selector}[${formatDuration(3 * secs(c.longInterval))}])`
    : selector;
}

/**
 * A page must not resolve because the app died: while the app is down, an alert at the SLA's paging
 * severity that was firing keeps firing (ALERTS is its own state), until the app is back and measured.
 */
function holdWhileDown(c: AlertContext, alert: string, labels: Record<string, string>): string {
  const down = appDown(c.s);
  if (!down || labels.severity !== c.s.pageSeverity) return '';
  const own = Object.entries({ alertname: alert, alertstate: 'firing', ...c.s.labels, ...labels })
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',');
  return `\nor\n(\n  max by (${Object.keys(c.s.labels).join(', ')}) (ALERTS{${own}})\n  and on ()\n  ${down}\n)`;
}

function keep(s: ResolvedSla): { keep_firing_for?: string } {
  return secs(s.escalation.keepFiringFor) > 0 ? { keep_firing_for: s.escalation.keepFiringFor } : {};
}

function alertRules(s: ResolvedSla, base: string, longInterval: string, links: Links): RuleGroup {
  const c: AlertContext = { s, base, longInterval, links };
  const rules: AlertingRule[] = [];
  const esc = s.escalation;
  const baseSeconds = secs(base);
  const rate = q(`${SERIES.requests(base)}${sel(s)}`, 'printf "%.2f"', '0');
  const common = (alert: string) => ({
    ...links.runbook(alert),
    dashboard_url: links.dashboard(s.route),
  });
  const requestsAtLeast = (n: number) =>
    n > 0 ? `\nand\n${SERIES.requests(base)}${sel(s)} * ${baseSeconds} >= ${n}` : '';

  if (s.latency) {
    const lat = s.latency;
    const qn = quantileName(lat.quantile);
    const target = `${qn} < ${humanSeconds(lat.threshold)}`;
    const slowShare = q(`${SERIES.slowRatio(base)}${sel(s)}`, 'humanizePercentage', 'an unknown share');
    const impact =
      `${slowShare} of requests took longer than ${humanSeconds(lat.threshold)} over the last ${base} ` +
      `(allowed: ${pctText(lat.budget)}), at ${rate} requests/s. ${budgetText(s, 'latency')}`;
    const minimum = quantileMinRequests(s, lat.quantile);
    for (const t of lat.thresholds) {
      const how =
        t.step === 'emergency'
          ? `the emergency threshold is ${humanSeconds(t.seconds)}`
          : `the ${t.step} threshold is ${humanSeconds(t.seconds)} (${esc.latency[t.step]} × the ${humanSeconds(lat.threshold)} target)`;
      const labels = {
        severity: t.severity,
        sli: 'latency',
        trigger: 'threshold',
        threshold: humanSeconds(t.seconds),
      };
      rules.push({
        alert: ALERTS.latency,
        // A quantile of few requests is one request: p95 needs 60 of them, p99 300.
        expr:
          `(\n${SERIES.quantile(lat.quantile, base)}${sel(s)} > ${t.seconds}${requestsAtLeast(minimum)}\n)` +
          holdWhileDown(c, ALERTS.latency, labels),
        ...forClause(esc.for[t.step]),
        ...keep(s),
        labels,
        annotations: {
          summary: `${s.title}: ${qn} is {{ $value | humanizeDuration }}, over ${humanSeconds(t.seconds)} (target ${target})`,
          description:
            `The ${qn} latency of ${s.title} over the last ${base} is {{ $value | humanizeDuration }}; ` +
            `${how}. Needs at least ${minimum} requests in ${base}. ${who(s)}.`,
          impact,
          current: `{{ $value | humanizeDuration }}`,
          target,
          ...common(ALERTS.latency),
        },
      });
    }
    for (const t of s.burnTiers) rules.push(burnRule(c, 'latency', t, lat.budget, impact, target, common));
    rules.push({
      alert: ALERTS.sliMissing,
      expr:
        `${SERIES.requests(base)}${sel(s)} > 0\n` + `unless on (sla)\n${SERIES.withinTarget(base)}${sel(s)}`,
      for: '10m',
      labels: { severity: capSeverity('critical', s.pageSeverity), sli: 'latency', trigger: 'missing' },
      annotations: {
        summary: `${s.title}: requests are measured but the latency SLI is not (no le="${lat.le}" bucket)`,
        description:
          `${s.title} serves requests, but no histogram bucket at ${humanSeconds(lat.threshold)} ` +
          `(le=~"${lat.leRegex}") is exported, so its latency SLI, burn alerts and compliance are blind. ` +
          `Add the bound to the app's histogram buckets. ${who(s)}.`,
        impact: `Latency breaches of ${s.title} cannot page anyone while this fires.`,
        ...common(ALERTS.sliMissing),
      },
    });
  }

  if (s.errors) {
    const err = s.errors;
    const what = err.definition.join(', ');
    const target = `errors < ${pctText(err.maxRatio)}`;
    const impact =
      `${q(`${SERIES.errors(base)}${sel(s)}`, 'printf "%.2f"', '0')} failed requests/s (${what}) ` +
      `out of ${rate} requests/s over the last ${base} (allowed: ${pctText(err.maxRatio)}). ` +
      budgetText(s, 'errors');
    const badAtLeast =
      esc.minBadEvents > 0
        ? `\nand\n${SERIES.errors(base)}${sel(s)} * ${baseSeconds} >= ${esc.minBadEvents}`
        : '';
    for (const t of err.thresholds) {
      const labels = {
        severity: t.severity,
        sli: 'errors',
        trigger: 'threshold',
        threshold: pctText(t.ratio),
      };
      rules.push({
        alert: ALERTS.errors,
        expr:
          `(\n${SERIES.errorRatio(base)}${sel(s)} > ${t.ratio}${requestsAtLeast(esc.minRequests)}${badAtLeast}\n)` +
          holdWhileDown(c, ALERTS.errors, labels),
        ...forClause(esc.for[t.step]),
        ...keep(s),
        labels,
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
    }
    for (const t of s.burnTiers) rules.push(burnRule(c, 'errors', t, err.budget, impact, target, common));
  }

  if (s.availability) {
    const av = s.availability;
    const target = `up ${pctText(av.objective)} of the time`;
    const impact = `The app behind ${s.title} was down ${q(
      `${SERIES.downRatio(base)}${sel(s)}`,
      'humanizePercentage',
      'an unknown share',
    )} of the last ${base}. ${budgetText(s, 'availability')}`;
    for (const t of s.burnTiers)
      rules.push(burnRule(c, 'availability', t, av.budget, impact, target, common));
  }

  if (s.app) {
    rules.push({
      alert: ALERTS.appSilent,
      // Perfwatch forgets the gauge when it restarts; `for:` gives apps time to send again. While
      // Perfwatch itself is down, its own TargetDown speaks, not every app behind it.
      expr:
        `time() - (max(${heartbeat(s)}) or vector(0)) > ${secs(s.heartbeatTimeout)}\n` +
        `unless on ()\n(max(up{job=${quote(s.perfwatchJob)}}) == 0)`,
      for: s.heartbeatTimeout,
      ...keep(s),
      labels: {
        ...s.labels,
        severity: s.pageSeverity,
        sli: 'availability',
        trigger: 'heartbeat',
        app: s.app,
      },
      annotations: {
        summary: `${s.title}: app ${s.app} has sent nothing to Perfwatch for over ${s.heartbeatTimeout}`,
        description:
          `The app ${s.app} pushes its requests to Perfwatch's ingestion API and sends a batch (or an ` +
          `empty heartbeat) at least every ${s.heartbeatTimeout}; none arrived: it is down, cannot ` +
          `reach Perfwatch, or its client is misconfigured. ${who(s)}.`,
        impact: `Requests to ${s.title} are not measured and may be failing.`,
        ...common(ALERTS.appSilent),
      },
    });
  } else if (s.job && s.availability) {
    rules.push({
      alert: ALERTS.targetDown,
      expr: `up{job=${quote(s.job)}} == 0`,
      for: s.targetDownFor,
      labels: { ...s.labels, severity: s.pageSeverity, sli: 'availability', trigger: 'target_down' },
      annotations: {
        summary: `${s.title}: scrape target {{ $labels.instance }} of job ${s.job} is down`,
        description:
          `Prometheus has not been able to scrape {{ $labels.instance }} (job ${s.job}) for ` +
          `${s.targetDownFor}: the app serving ${s.title} is down or unreachable. ${who(s)}.`,
        impact: `Requests to ${s.title} on this instance fail and are not measured.`,
        ...common(ALERTS.targetDown),
      },
    });
  }

  const reg = esc.regression;
  if (reg.enabled) {
    const qt = regressionQuantile(s);
    const series = `${SERIES.quantile(qt, reg.window)}${sel(s)}`;
    rules.push({
      alert: ALERTS.regression,
      expr:
        `${series} > ${reg.factor} * (${series} offset 1w)\n` +
        `and\n${series} - (${series} offset 1w) > ${reg.minIncrease}${requestsAtLeast(quantileMinRequests(s, qt))}`,
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

type Sli = 'latency' | 'errors' | 'availability';

function burnRule(
  c: AlertContext,
  sli: Sli,
  t: ResolvedSla['burnTiers'][number],
  budget: number,
  impact: string,
  target: string,
  common: (alert: string) => Record<string, string>,
): AlertingRule {
  const s = c.s;
  const series = { latency: SERIES.slowRatio, errors: SERIES.errorRatio, availability: SERIES.downRatio }[
    sli
  ];
  const threshold = clean(t.factor * budget);
  const alert = { latency: ALERTS.latency, errors: ALERTS.errors, availability: ALERTS.availability }[sli];
  const bad = { latency: 'slower than the target', errors: 'errors', availability: 'down' }[sli];
  const exhaustion = formatDuration(Math.round((s.windowDays * DAY) / t.factor / 60) * 60);
  const labels = {
    severity: t.severity,
    sli,
    trigger: 'burn_rate',
    burn_factor: String(t.factor),
    long_window: t.long,
    short_window: t.short,
  };
  const esc = s.escalation;
  const long = read(c, series(t.long), t.long);
  // Enough events that the long window's ratio means something: a minimum of requests, and of bad
  // ones (the ratio times the count), so 2 errors among 20 requests an hour page nobody.
  const guard =
    sli === 'availability'
      ? ''
      : [
          ...(esc.minRequests > 0
            ? [`${read(c, SERIES.requestsIn(t.long), t.long)} >= ${esc.minRequests}`]
            : []),
          ...(esc.minBadEvents > 0
            ? [`${long} * ${read(c, SERIES.requestsIn(t.long), t.long)} >= ${esc.minBadEvents}`]
            : []),
        ]
          .map((g) => `\nand\n${g}`)
          .join('');
  const what =
    sli === 'availability'
      ? `of the last ${t.short}`
      : `of the requests to ${s.title} over the last ${t.short}`;
  return {
    alert,
    expr:
      `(\n${read(c, series(t.short), t.short)} > ${threshold}\nand\n${long} > ${threshold}${guard}\n)` +
      holdWhileDown(c, alert, labels),
    for: t.for,
    ...keep(s),
    labels,
    annotations: {
      summary: `${s.title}: ${sli} error budget burning ${t.factor}× too fast (${t.long}/${t.short})`,
      description:
        `{{ $value | humanizePercentage }} ${what} ${sli === 'availability' ? `the app was ${bad}` : `were ${bad}`}, ` +
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
      alertRules(s, base, config.longRulesInterval, linksFor(config)),
    ],
  };
}
