/**
 * SLA report maths: one implementation behind GET /api/v1/sla/report, `perfwatch sla report` and the
 * Grafana app's SLA page. Every number is computed by Prometheus from the raw counters over the period
 * (`increase(…[range] @ end)`), so reports do not depend on recording rules having run for the whole
 * period, and each number carries the PromQL that produced it, to paste into Prometheus or Grafana.
 *
 * Compliance is event-weighted (good requests / all requests of the period); error budget remaining is
 * 1 − bad share / allowed bad share (1 untouched, 0 spent, negative overspent), and in minutes: how long
 * a total outage the remaining budget still allows over the whole period.
 */
import type { z } from 'zod';
import type { PrometheusClient } from '../upstream/prometheus';
import type {
  SLA_STATUSES,
  SlaBudgetRemaining,
  SlaEndpointReport,
  SlaMeasurement,
  SlaReport as SlaReportSchema,
} from './api-schemas';
import { HTTP_METRIC, type ResolvedSla } from './model';
import type { ReportPeriod } from './period';
import { clean, quote } from './promql-text';

// The report's shapes are the API's (api-schemas.ts), one definition; the route adds the coverage.
export type Measurement = z.infer<typeof SlaMeasurement>;
export type BudgetRemaining = z.infer<typeof SlaBudgetRemaining>;
export type SlaStatus = (typeof SLA_STATUSES)[number];
export type EndpointReport = z.infer<typeof SlaEndpointReport>;
export type SlaReport = Omit<z.infer<typeof SlaReportSchema>, 'coverage'>;

export interface ReportOptions {
  atRiskBudget: number;
  /** Queries in flight at once. */
  concurrency?: number;
  now?: Date;
}

function numberOrNull(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The PromQL of one endpoint's report numbers over `period`. */
export function reportQueries(s: ResolvedSla, period: ReportPeriod) {
  const range = `[${period.elapsedSeconds}s] @ ${period.end.getTime() / 1000}`;
  const sel = (extra = '') => `{${s.selector}${extra}}`;
  const increase = (suffix: string, extra = '') => `increase(${HTTP_METRIC}_${suffix}${sel(extra)}${range})`;
  const total = `sum(${increase('count')})`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (${increase('bucket')}))`;
  const statuses = s.errors?.statusRegex ?? '5..';
  return {
    requests: total,
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
    compliance: s.latency
      ? `sum(${increase('bucket', `,le=~${quote(s.latency.leRegex)}`)})\n/\n${total}`
      : undefined,
    errorRate: `(sum(${increase('count', `,status_code=~${quote(statuses)}`)}) or vector(0))\n/\n${total}`,
    availability: s.job ? `avg(avg_over_time(up{job=${quote(s.job)}}${range}))` : undefined,
  };
}

function budget(
  goodShare: Measurement,
  allowedBad: number,
  periodMinutes: number,
  goodShareIsBadShare = false,
): BudgetRemaining {
  const bad = goodShareIsBadShare ? `(${goodShare.promql})` : `(1 - (${goodShare.promql}))`;
  const ratioExpr = `1 - ${bad} / ${allowedBad}`;
  const badValue =
    goodShare.value === null ? null : goodShareIsBadShare ? goodShare.value : 1 - goodShare.value;
  const ratio = badValue === null ? null : 1 - badValue / allowedBad;
  const scale = clean(allowedBad * periodMinutes);
  return {
    ratio: { value: ratio, promql: ratioExpr },
    minutes: { value: ratio === null ? null : ratio * scale, promql: `(${ratioExpr}) * ${scale}` },
  };
}

function status(budgets: Array<BudgetRemaining | null>, hasData: boolean, atRisk: number): SlaStatus {
  const ratios = budgets.map((b) => b?.ratio.value).filter((v): v is number => v !== null && v !== undefined);
  if (!hasData || ratios.length === 0) return 'noData';
  if (ratios.some((r) => r < 0)) return 'breaching';
  if (ratios.some((r) => r < atRisk)) return 'atRisk';
  return 'meeting';
}

export async function buildReport(
  slas: ResolvedSla[],
  period: ReportPeriod,
  prometheus: PrometheusClient,
  options: ReportOptions,
): Promise<SlaReport> {
  const periodMinutes = period.durationSeconds / 60;
  const measure = async (promql: string | undefined): Promise<Measurement | undefined> => {
    if (promql === undefined) return undefined;
    const result = await prometheus.query(promql);
    return { value: numberOrNull(result[0]?.value), promql };
  };
  const endpoints = await pool(
    slas.map((s) => async (): Promise<EndpointReport> => {
      const q = reportQueries(s, period);
      const names = ['requests', 'p50', 'p95', 'p99', 'compliance', 'errorRate', 'availability'] as const;
      const values = await pool(
        names.map((n) => () => measure(q[n])),
        options.concurrency ?? 4,
      );
      const m = Object.fromEntries(names.map((n, i) => [n, values[i]])) as Record<
        (typeof names)[number],
        Measurement | undefined
      >;
      const requests = m.requests!;
      const hasTraffic = (requests.value ?? 0) > 0;
      // Quantiles and ratios of an endpoint without requests are NaN in Prometheus: report them as null.
      const traffic = (x: Measurement) => (hasTraffic ? x : { ...x, value: null });
      const compliance = m.compliance ? traffic(m.compliance) : null;
      const errorRate = traffic(m.errorRate!);
      const latencyBudget =
        s.latency && compliance ? budget(compliance, s.latency.budget, periodMinutes) : null;
      const errorsBudget = s.errors ? budget(errorRate, s.errors.budget, periodMinutes, true) : null;
      const availability = m.availability;
      const availabilityBudget =
        s.availability && availability ? budget(availability, s.availability.budget, periodMinutes) : null;
      const budgets = [latencyBudget, errorsBudget, availabilityBudget];
      const worst = budgets.filter((b) => b && b.ratio.value !== null) as BudgetRemaining[];
      const lowest = worst.sort((a, b) => a.ratio.value! - b.ratio.value!)[0];
      return {
        sla: s.id,
        route: s.route,
        method: s.method ?? null,
        title: s.title,
        priority: s.priority,
        team: s.labels.team ?? null,
        owner: s.labels.owner ?? null,
        status: status(budgets, hasTraffic || availability?.value != null, options.atRiskBudget),
        requests,
        latency: {
          target: s.latency
            ? {
                quantile: s.latency.quantile,
                thresholdSeconds: s.latency.threshold,
                objective: s.latency.objective,
              }
            : null,
          p50: traffic(m.p50!),
          p95: traffic(m.p95!),
          p99: traffic(m.p99!),
          compliance,
          budgetRemaining: latencyBudget,
        },
        errors: {
          target: s.errors
            ? { maxRatio: s.errors.maxRatio, objective: s.errors.objective, definition: s.errors.definition }
            : null,
          rate: errorRate,
          budgetRemaining: errorsBudget,
        },
        availability: availability
          ? {
              target: s.availability?.objective ?? null,
              value: availability,
              budgetRemaining: availabilityBudget,
            }
          : null,
        budgetRemaining: {
          ratio: lowest?.ratio.value ?? null,
          minutes: lowest?.minutes.value ?? null,
        },
      };
    }),
    2,
  );
  const summary = { endpoints: endpoints.length, meeting: 0, atRisk: 0, breaching: 0, noData: 0 };
  for (const e of endpoints) summary[e.status]++;
  return {
    period: {
      label: period.label,
      kind: period.kind,
      start: period.start.toISOString(),
      end: period.end.toISOString(),
      periodEnd: period.periodEnd.toISOString(),
      elapsedSeconds: period.elapsedSeconds,
      durationSeconds: period.durationSeconds,
      complete: period.complete,
    },
    generatedAt: (options.now ?? new Date()).toISOString(),
    atRiskBudget: options.atRiskBudget,
    summary,
    endpoints,
  };
}
