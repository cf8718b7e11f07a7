/**
 * The alerting rules of one SLA: latency and error thresholds, burn-rate tiers, availability and
 * regressions.
 */
import { formatDuration, humanSeconds } from './duration';
import { capSeverity } from './config-values';
import type { ResolvedSla } from './model';
import { clean, quote } from './promql-text';
import { ALERTS, quantileName, SERIES } from './names';
import { regressionQuantile } from './recording-rules';
import {
  burnLabels,
  DAY,
  forClause,
  heartbeat,
  HOUR,
  pctText,
  q,
  quantileMinRequests,
  secs,
  sel,
} from './rule-exprs';
import type { AlertingRule, Links, RuleGroup } from './rule-types';

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

/**
 * True (a sample without labels) while the app cannot be measured because it is down: every scrape
 * target of its job down or gone, or, for a pushed app, no batch within the heartbeat timeout.
 */
function appDown(s: ResolvedSla): string | undefined {
  if (s.app) return `time() - (max(${heartbeat(s)}) or vector(0)) > ${secs(s.heartbeatTimeout)}`;
  if (s.job) return `(max(up{job=${quote(s.job)}}) or vector(0)) == 0`;
  return undefined;
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

export function alertRules(s: ResolvedSla, base: string, longInterval: string, links: Links): RuleGroup {
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
  const labels = burnLabels(sli, t);
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
