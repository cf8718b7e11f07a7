import type { SlaReport, SlaEndpointReport } from '../../api/types';
import { downloadText, toCsv } from '../../utils/csv';
import { latencyTarget, sortEndpoints } from './slaEndpoint';

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
    e.name,
    e.route,
    e.method ?? '',
    e.priority,
    latencyTarget(e),
    num(e.p50Ms),
    num(e.p95Ms),
    num(e.p99Ms),
    pct(e.latencyCompliance),
    pct(e.errorRate),
    pct(e.target.errorRate),
    pct(e.availability),
    pct(e.target.availability),
    pct(e.budgetRemaining, 1),
    num(e.budgetRemainingMinutes, 0),
    e.status,
  ];
}

export function exportSlaCsv(report: SlaReport) {
  downloadText(
    `sla-report-${report.period.id}.csv`,
    toCsv(SLA_CSV_HEADER, sortEndpoints(report.endpoints).map(slaCsvRow)),
  );
}
