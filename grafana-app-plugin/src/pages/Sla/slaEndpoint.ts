import type { SlaEndpointReport, SlaPriority, SlaStatus } from '../../api/types';
import { formatDuration, formatMs, formatPercent } from '../../utils/format';

const PRIORITY_ORDER: Record<SlaPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_ORDER: Record<SlaStatus, number> = { breaching: 0, atRisk: 1, noData: 2, meeting: 3 };

/** The report's seconds as the milliseconds the pages show. */
export const toMs = (seconds: number | null | undefined): number | null =>
  seconds === null || seconds === undefined ? null : seconds * 1000;

/** The latency threshold in milliseconds, null without a latency target. */
export const thresholdMs = (e: SlaEndpointReport): number | null => toMs(e.latency.target?.thresholdSeconds);

/** Worst first within the most important first: what a manager reads top-down. */
export function sortEndpoints(endpoints: SlaEndpointReport[]): SlaEndpointReport[] {
  return [...endpoints].sort(
    (a, b) =>
      (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) ||
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
      a.sla.localeCompare(b.sla),
  );
}

export function latencyTarget(e: SlaEndpointReport): string {
  const t = e.latency.target;
  return t === null ? '–' : `p${Math.round(t.quantile * 100)} < ${formatMs(t.thresholdSeconds * 1000)}`;
}

export function endpointLabel(e: SlaEndpointReport): string {
  return e.method ? `${e.method} ${e.route}` : e.route;
}

const below = (value: number | null | undefined, target: number | null | undefined) =>
  value !== null && value !== undefined && target !== null && target !== undefined && value < target;

/** Which objectives the endpoint misses over the period (false where the SLA sets none). */
export function belowTarget(e: SlaEndpointReport) {
  const latency = e.latency.target;
  const p95 = e.latency.p95.value;
  const errorRate = e.errors.rate.value;
  const maxErrors = e.errors.target?.maxRatio;
  return {
    latency: below(e.latency.compliance?.value, latency?.objective),
    p95: p95 !== null && latency !== null && p95 > latency.thresholdSeconds,
    errors: errorRate !== null && maxErrors !== undefined && errorRate > maxErrors,
    availability: below(e.availability?.value.value, e.availability?.target),
  };
}

/** The budget left in words: minutes of full outage, or by how much it is overspent. */
export function budgetText(e: SlaEndpointReport): string | undefined {
  const { ratio, minutes } = e.budgetRemaining;
  if (ratio !== null && ratio < 0) {
    return `overspent by ${formatPercent(-ratio)} of the budget`;
  }
  return minutes === null ? undefined : `${formatDuration(Math.max(0, minutes) * 60)} of full outage`;
}

/** The share of events each SLI may get wrong over the period, from the SLA's targets. */
export function errorBudgets(e: SlaEndpointReport) {
  const latency = e.latency.target;
  const availability = e.availability?.target ?? null;
  return {
    latency: latency === null ? null : 1 - latency.objective,
    errors: e.errors.target?.maxRatio ?? null,
    availability: availability === null ? null : 1 - availability,
  };
}
