import type { SlaEndpointReport, SlaPriority, SlaStatus } from '../../api/types';
import { formatMs } from '../../utils/format';

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
