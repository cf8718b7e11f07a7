import type { SlaReport, SlaEndpointReport } from '../../api/types';
import { downloadText, toCsv } from '../../utils/csv';
import { latencyTarget, sortEndpoints, toMs } from './slaEndpoint';

export const SLA_CSV_HEADER = [
  'endpoint',
  'route',
  'method',
  'priority',
  'latency_target',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'latency_compliance_percent',
  'error_rate_percent',
  'error_rate_target_percent',
  'availability_percent',
  'availability_target_percent',
  'budget_remaining_percent',
  'budget_remaining_minutes',
  'status',
];

const pct = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined ? '' : (v * 100).toFixed(d);
const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '' : v.toFixed(d));

export function slaCsvRow(e: SlaEndpointReport): unknown[] {
  return [
    e.sla,
    e.route,
    e.method ?? '',
    e.priority,
    latencyTarget(e),
    num(toMs(e.latency.p50.value)),
    num(toMs(e.latency.p95.value)),
    num(toMs(e.latency.p99.value)),
    pct(e.latency.compliance?.value),
    pct(e.errors.rate.value),
    pct(e.errors.target?.maxRatio),
    pct(e.availability?.value.value),
    pct(e.availability?.target),
    pct(e.budgetRemaining.ratio, 1),
    num(e.budgetRemaining.minutes, 0),
    e.status,
  ];
}

export function exportSlaCsv(report: SlaReport, period: string) {
  downloadText(
    `sla-report-${period}.csv`,
    toCsv(SLA_CSV_HEADER, sortEndpoints(report.endpoints).map(slaCsvRow)),
  );
}
