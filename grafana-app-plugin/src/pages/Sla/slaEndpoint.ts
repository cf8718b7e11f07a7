import type { SlaEndpointReport, SlaPriority, SlaStatus } from '../../api/types';
import { formatDuration, formatMs, formatPercent } from '../../utils/format';

const PRIORITY_ORDER: Record<SlaPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_ORDER: Record<SlaStatus, number> = { breaching: 0, at_risk: 1, no_data: 2, meeting: 3 };

/** Worst first within the most important first: what a manager reads top-down. */
export function sortEndpoints(endpoints: SlaEndpointReport[]): SlaEndpointReport[] {
  return [...endpoints].sort(
    (a, b) =>
      (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) ||
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
      a.name.localeCompare(b.name),
  );
}

export function latencyTarget(e: SlaEndpointReport): string {
  const { latencyQuantile: q, latencyThresholdMs: threshold } = e.target;
  return q === null ? '–' : `p${Math.round(q * 100)} < ${formatMs(threshold)}`;
}

export function endpointLabel(e: SlaEndpointReport): string {
  return e.method ? `${e.method} ${e.route}` : e.route;
}

/** Which objectives the endpoint misses over the period (false where the SLA sets none). */
export function belowTarget(e: SlaEndpointReport) {
  const { latencyQuantile, latencyThresholdMs, errorRate, availability } = e.target;
  return {
    latency:
      e.latencyCompliance !== null && latencyQuantile !== null && e.latencyCompliance < latencyQuantile,
    p95: e.p95Ms !== null && latencyThresholdMs !== null && e.p95Ms > latencyThresholdMs,
    errors: e.errorRate !== null && errorRate !== null && e.errorRate > errorRate,
    availability: e.availability !== null && availability !== null && e.availability < availability,
  };
}

/** The budget left in words: minutes of full outage, or by how much it is overspent. */
export function budgetText(e: SlaEndpointReport): string | undefined {
  if (e.budgetRemaining !== null && e.budgetRemaining < 0) {
    return `overspent by ${formatPercent(-e.budgetRemaining)} of the budget`;
  }
  return e.budgetRemainingMinutes === null
    ? undefined
    : `${formatDuration(Math.max(0, e.budgetRemainingMinutes) * 60)} of full outage`;
}

/** The share of events each SLI may get wrong over the period, from the SLA's targets. */
export function errorBudgets(e: SlaEndpointReport) {
  const { latencyQuantile, errorRate, availability } = e.target;
  return {
    latency: latencyQuantile === null ? null : 1 - latencyQuantile,
    errors: errorRate,
    availability: availability === null ? null : 1 - availability,
  };
}
