import type { LifecycleState } from '../../src/incidents/lifecycle';

/** Incident 7, investigating, high, unacknowledged and unassigned, never resolved nor reopened. */
export function lifecycleState(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    id: 7,
    status: 'investigating',
    severity: 'high',
    acknowledgedBy: null,
    acknowledgedAt: null,
    assignee: null,
    resolvedAt: null,
    resolvedBy: null,
    resolutionNote: null,
    reopenCount: 0,
    ...overrides,
  };
}
