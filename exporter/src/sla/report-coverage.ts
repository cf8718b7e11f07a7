/**
 * The SLA report with its coverage: the report's numbers and whether Prometheus held data for the whole
 * period they claim to describe.
 */
import type { PrometheusClient } from '../upstream/prometheus';
import { type Coverage, periodCoverage } from './coverage';
import type { ResolvedSla } from './model';
import type { ReportPeriod } from './period';
import { buildReport, type ReportOptions, type SlaReport } from './report';

export type CoveredReport = SlaReport & { coverage: Coverage };

export async function buildCoveredReport(
  slas: ResolvedSla[],
  period: ReportPeriod,
  prometheus: PrometheusClient,
  options: ReportOptions,
): Promise<CoveredReport> {
  const [report, coverage] = await Promise.all([
    buildReport(slas, period, prometheus, options),
    periodCoverage(slas, prometheus, period.start, period.end),
  ]);
  return { ...report, coverage };
}
