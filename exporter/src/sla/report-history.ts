/**
 * Month-by-month SLA history: the report of each calendar month (UTC) back from the current one, as far
 * as Prometheus holds data. Each month is the same report as GET /sla/report?period=YYYY-MM (one
 * implementation of the maths), slimmed to the figures a history table shows, with its coverage so a
 * month Prometheus only partly holds says so instead of looking like a quiet month.
 */
import type { PrometheusClient } from '../upstream/prometheus';
import { type Coverage, periodCoverage } from './coverage';
import type { ResolvedSla } from './model';
import { resolvePeriod } from './period';
import { buildReport, type SlaReport } from './report';
import type { HistoryResponse } from './report-history.schemas';

export type SlaHistory = HistoryResponse;
export type HistoryMonth = SlaHistory['months'][number];
export type HistoryEndpoint = HistoryMonth['endpoints'][number];

export interface HistoryOptions {
  months: number;
  atRiskBudget: number;
  now?: Date;
}

/** `YYYY-MM` labels of the `count` months up to and including now's, oldest first. */
export function monthLabels(count: number, now: Date): string[] {
  const labels: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    labels.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return labels;
}

function slim(report: SlaReport, coverage: Coverage): HistoryMonth {
  return {
    period: report.period,
    coverage,
    summary: report.summary,
    endpoints: report.endpoints.map((e) => ({
      sla: e.sla,
      title: e.title,
      status: e.status,
      requests: e.requests.value,
      latencyCompliance: e.latency.compliance?.value ?? null,
      errorRate: e.errors.rate.value,
      availability: e.availability?.value.value ?? null,
      budgetRemaining: e.budgetRemaining,
    })),
  };
}

export async function buildHistory(
  slas: ResolvedSla[],
  prometheus: PrometheusClient,
  options: HistoryOptions,
): Promise<SlaHistory> {
  const now = options.now ?? new Date();
  const periods = monthLabels(options.months, now).map((label) => resolvePeriod(label, now));
  // Coverage first (two cheap queries a month): months with no data at all cost no report queries.
  const coverages = await Promise.all(periods.map((p) => periodCoverage(slas, prometheus, p.start, p.end)));
  const first = coverages.findIndex((c) => c.from !== null);
  const kept = first === -1 ? [] : periods.slice(first);
  const months: HistoryMonth[] = [];
  // One month at a time: each report already keeps several queries in flight.
  for (const [i, period] of kept.entries()) {
    const report = await buildReport(slas, period, prometheus, { atRiskBudget: options.atRiskBudget, now });
    months.push(slim(report, coverages[first + i]));
  }
  const left = first === -1 ? periods.length : first;
  const note =
    left === 0
      ? undefined
      : first === -1
        ? `Prometheus holds no data for any of the last ${periods.length} months`
        : `Prometheus holds no data before ${coverages[first].from}: ${periods[0].label} to ${periods[left - 1].label} are left out`;
  return {
    generatedAt: now.toISOString(),
    monthsRequested: options.months,
    months,
    ...(note ? { note } : {}),
  };
}
