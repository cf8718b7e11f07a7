/**
 * Resolves the `sla:` config into SLAs the generator and the report share: ids, label sets, objectives,
 * escalation thresholds with priority caps applied, and the histogram bucket every latency bound reads.
 * It also rejects what cannot work, with a reason per problem (see `resolveSlas`).
 */
import { ConfigError } from '../config/load';
import { mergeBuckets, roundBound } from '@perfwatch/node/internal';
import { checkTiers, pct, scaledTiers } from './burn-tiers';
import type { EndpointConfig, SlaConfig } from './config';
import { capSeverity, type Priority, type Severity } from './config-values';
import { humanSeconds } from './duration';
import { type BurnTier, DEFAULT_ESCALATION, type Escalation, mergeEscalation } from './escalation-config';
import { clean, leLabel, leRegex, quote } from './promql-text';

export const HTTP_METRIC = 'http_server_request_duration_seconds';

export interface LatencyThreshold {
  /** The ladder step it came from (warning = target × 1.2, …), before the priority cap. */
  step: Severity;
  severity: Severity;
  seconds: number;
}

export interface ErrorThreshold {
  step: Severity;
  severity: Severity;
  ratio: number;
}

export interface ResolvedLatency {
  quantile: number;
  /** The latency target in seconds; always an exact bucket bound. */
  threshold: number;
  /** `le` label value of the target bucket, as prom-client writes it. */
  le: string;
  /** Regex matching every spelling of that bound (`0.3`, `0.30`, `2`, `2.0`): match by value. */
  leRegex: string;
  /** Objective of the latency SLI: share of requests within the threshold (= quantile). */
  objective: number;
  budget: number;
  thresholds: LatencyThreshold[];
}

export interface ResolvedErrors {
  maxRatio: number;
  objective: number;
  budget: number;
  /** Status classes and codes that count as errors, as configured (`5xx`, `429`). */
  definition: string[];
  /** The same as a status_code regex: `5..|429`. */
  statusRegex: string;
  thresholds: ErrorThreshold[];
}

export interface ResolvedSla {
  id: string;
  route: string;
  method?: string;
  priority: Priority;
  /** `30d`, `7d` or `calendar-month`. */
  period: string;
  /** Length in days of the rolling window the recording rules use (30 for calendar-month). */
  windowDays: number;
  job?: string;
  /** Name of the pushed app (ingestion API) when the endpoint's app is not scraped. */
  app?: string;
  /** A pushed app with no batch for this long is down. */
  heartbeatTimeout: string;
  /** How long a scrape target must be down before TargetDown fires. */
  targetDownFor: string;
  /** Prometheus job scraping Perfwatch (whose metrics carry pushed apps' heartbeats). */
  perfwatchJob: string;
  /** Highest severity this SLA raises: what its availability and missing-SLI alerts use. */
  pageSeverity: Severity;
  /** Identity labels on every SLA series and alert, in a fixed order. */
  labels: Record<string, string>;
  /** Matchers selecting the endpoint's requests: `job="shop",route="/api/checkout",method="POST"`. */
  selector: string;
  latency?: ResolvedLatency;
  errors?: ResolvedErrors;
  availability?: { objective: number; budget: number };
  escalation: Escalation;
  /** Burn tiers with the priority cap applied. */
  burnTiers: BurnTier[];
  /** Human name for messages: `POST /api/checkout`. */
  title: string;
}

export function slaId(e: Pick<EndpointConfig, 'name' | 'route' | 'method'>): string {
  if (e.name) return e.name;
  const slug = e.route
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|(?<!-)-+$/g, '')
    .toLowerCase();
  return `${e.method ? `${e.method.toLowerCase()}-` : ''}${slug || 'root'}`;
}

function statusRegex(definition: string[]): string {
  return definition.map((d) => d.replace(/x/g, '.')).join('|');
}

function latencyBounds(e: EndpointConfig, esc: Escalation): number[] {
  if (!e.latency) return [];
  const t = e.latency.thresholdSeconds;
  return [t, t * esc.latency.warning, t * esc.latency.critical, esc.latency.emergency].map(roundBound);
}

/**
 * Every latency bound the SLA config reads from the HTTP histogram: targets and their warning,
 * critical and emergency thresholds. The service and the library merge these into the buckets.
 */
export function slaBucketBounds(sla: SlaConfig | undefined): number[] {
  if (!sla) return [];
  const global = mergeEscalation(DEFAULT_ESCALATION, sla.escalation);
  const routes = sla.routeThresholds.enabled
    ? Object.values(sla.routeThresholds.latency).map(roundBound)
    : [];
  return [
    ...sla.endpoints.flatMap((e) => latencyBounds(e, mergeEscalation(global, e.escalation))),
    ...routes,
  ];
}

/** Buckets the app's histogram has: configured ones, or Perfwatch's merged with every SLA bound. */
export function effectiveBuckets(sla: SlaConfig, httpBuckets: readonly number[]): number[] {
  return sla.histogramBuckets
    ? mergeBuckets(sla.histogramBuckets)
    : mergeBuckets(httpBuckets, slaBucketBounds(sla));
}

function closest(route: string, known: string[]): string | undefined {
  // Suggest a known route sharing the longest prefix; enough to catch `/api/product/:id` vs `/products`.
  let best: string | undefined;
  let bestLen = 0;
  for (const k of known) {
    let i = 0;
    while (i < k.length && i < route.length && k[i] === route[i]) i++;
    if (i > bestLen) [best, bestLen] = [k, i];
  }
  return bestLen >= 4 ? best : undefined;
}

/**
 * Resolves and validates the SLA section. Throws a ConfigError listing every problem with the
 * endpoint it belongs to and what to change, so one run shows all of them.
 */
export function resolveSlas(sla: SlaConfig, httpBuckets: readonly number[]): ResolvedSla[] {
  const problems: string[] = [];
  const buckets = effectiveBuckets(sla, httpBuckets);
  const bucketSet = new Set(buckets);
  const top = buckets[buckets.length - 1];
  const global = mergeEscalation(DEFAULT_ESCALATION, sla.escalation);
  const seen = new Map<string, string>();
  const out: ResolvedSla[] = [];

  sla.endpoints.forEach((e, i) => {
    const title = `${e.method ?? 'any method'} ${e.route}`;
    const where = `sla.endpoints[${i}] (${title})`;
    const id = slaId(e);
    if (seen.has(id))
      problems.push(
        `${where}: SLA id "${id}" is also used by ${seen.get(id)}; give one of them a distinct name`,
      );
    seen.set(id, where);

    if (sla.knownRoutes && !sla.knownRoutes.includes(e.route)) {
      const hint = closest(e.route, sla.knownRoutes);
      problems.push(
        `${where}: route ${e.route} is not one of sla.knownRoutes` +
          (hint ? ` (did you mean ${hint}?)` : '; list it there or fix the template'),
      );
    }

    const esc = mergeEscalation(global, e.escalation);
    const cap = esc.maxSeverity[e.priority];
    const period = e.period ?? sla.period;
    const tiers = scaledTiers(esc, e.priority, cap, period);
    const job = e.job ?? (e.app ? sla.perfwatchJob : sla.job);
    if (e.availability !== undefined && !job && !e.app)
      problems.push(
        `${where}: availability is measured from up{job=…} (or a pushed app's heartbeat); set sla.job, ` +
          `this endpoint's job, or its app`,
      );

    let latency: ResolvedLatency | undefined;
    if (e.latency) {
      const { quantile, thresholdSeconds } = e.latency;
      const threshold = roundBound(thresholdSeconds);
      if (threshold !== thresholdSeconds)
        problems.push(
          `${where}: latency threshold ${thresholdSeconds}s is finer than the histogram's microsecond bounds`,
        );
      const steps: Array<[Severity, number]> = [
        ['warning', roundBound(threshold * esc.latency.warning)],
        ['critical', roundBound(threshold * esc.latency.critical)],
        ['emergency', roundBound(esc.latency.emergency)],
      ];
      const ladder: Array<[string, number]> = [['target', threshold], ...steps];
      for (let k = 1; k < ladder.length; k++)
        if (!(ladder[k][1] > ladder[k - 1][1]))
          problems.push(
            `${where}: latency ${ladder[k][0]} threshold ${humanSeconds(ladder[k][1])} is not above the ` +
              `${ladder[k - 1][0]} ${humanSeconds(ladder[k - 1][1])}` +
              (ladder[k][0] === 'emergency'
                ? '; set escalation.latency.emergency for this endpoint'
                : '; check escalation.latency'),
          );
      for (const [name, b] of ladder) {
        if (!bucketSet.has(b))
          problems.push(
            `${where}: latency ${name} ${humanSeconds(b)} has no histogram bucket (le="${leLabel(b)}"); ` +
              `add it to sla.histogramBuckets and to the app's histogram`,
          );
        else if (!(b < top))
          problems.push(
            `${where}: latency ${name} ${humanSeconds(b)} is not below the largest bucket ` +
              `${humanSeconds(top)}, so a quantile can never be seen above it; add a larger bucket ` +
              `to metrics.httpBuckets`,
          );
      }
      checkTiers(problems, where, `latency target p${clean(quantile * 100)}`, 1 - quantile, tiers);
      let previous: Severity | undefined;
      const thresholds: LatencyThreshold[] = [];
      for (const [step, seconds] of steps) {
        const severity = capSeverity(step, cap);
        // A step capped to the severity of a lower threshold would only repeat that alert.
        if (severity === previous) continue;
        thresholds.push({ step, severity, seconds });
        previous = severity;
      }
      latency = {
        quantile,
        threshold,
        le: leLabel(threshold),
        leRegex: leRegex(threshold),
        objective: quantile,
        budget: clean(1 - quantile),
        thresholds,
      };
    }

    let errors: ResolvedErrors | undefined;
    if (e.errorRate !== undefined) {
      const maxRatio = e.errorRate;
      if (maxRatio <= 0)
        problems.push(`${where}: an error-rate target of 0% leaves no error budget; allow some errors`);
      const steps: Array<[Severity, number]> = [
        ['warning', esc.errorRate.warning],
        ['critical', esc.errorRate.critical],
        ['emergency', esc.errorRate.emergency],
      ];
      const ladder: Array<[string, number]> = [['target', maxRatio], ...steps];
      for (let k = 1; k < ladder.length; k++)
        if (!(ladder[k][1] > ladder[k - 1][1]))
          problems.push(
            `${where}: error-rate ${ladder[k][0]} threshold ${pct(ladder[k][1])} is not above the ` +
              `${ladder[k - 1][0]} ${pct(ladder[k - 1][1])}; set escalation.errorRate for this endpoint`,
          );
      if (maxRatio > 0) checkTiers(problems, where, `error-rate target ${pct(maxRatio)}`, maxRatio, tiers);
      let previous: Severity | undefined;
      const thresholds: ErrorThreshold[] = [];
      for (const [step, ratio] of steps) {
        const severity = capSeverity(step, cap);
        if (severity === previous) continue;
        thresholds.push({ step, severity, ratio });
        previous = severity;
      }
      const definition = e.errors ?? ['5xx'];
      errors = {
        maxRatio,
        objective: clean(1 - maxRatio),
        budget: maxRatio,
        definition,
        statusRegex: statusRegex(definition),
        thresholds,
      };
    }

    let availability: ResolvedSla['availability'];
    if (e.availability !== undefined) {
      if (e.availability >= 1 || e.availability <= 0)
        problems.push(
          `${where}: availability must be between 0% and 100% (exclusive); 100% leaves no budget`,
        );
      availability = { objective: e.availability, budget: clean(1 - e.availability) };
    }

    const labels: Record<string, string> = { sla: id, route: e.route };
    if (e.method) labels.method = e.method;
    labels.priority = e.priority;
    if (sla.service) labels.service = sla.service;
    if (e.team) labels.team = e.team;
    if (e.owner) labels.owner = e.owner;
    const matchers = [
      ...(job ? [`job=${quote(job)}`] : []),
      `route=${quote(e.route)}`,
      ...(e.method ? [`method=${quote(e.method)}`] : []),
    ];
    out.push({
      id,
      route: e.route,
      method: e.method,
      priority: e.priority,
      period,
      windowDays: period === 'calendar-month' ? 30 : Number(period.slice(0, -1)),
      job,
      labels,
      selector: matchers.join(','),
      latency,
      errors,
      availability,
      app: e.app,
      heartbeatTimeout: sla.heartbeatTimeout,
      perfwatchJob: sla.perfwatchJob,
      targetDownFor: sla.resources.targetDownFor,
      pageSeverity: cap,
      escalation: esc,
      burnTiers: tiers,
      title: `${e.method ?? ''} ${e.route}`.trim(),
    });
  });

  if (problems.length > 0)
    throw new ConfigError(`the SLA configuration cannot work:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return out;
}
