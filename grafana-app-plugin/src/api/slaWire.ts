import type { SlaEndpointReport, SlaPriority, SlaReport, SlaStatus } from './types';

/*
 * GET /api/v1/sla/report as the exporter sends it (exporter/src/sla/report.ts, described in
 * exporter/openapi.yaml): every number beside the PromQL that produced it, in seconds and ratios.
 * The pages read a flatter view in milliseconds; toSlaView is the one place that maps one to the other.
 */

interface Measurement {
  value: number | null;
  promql: string;
}

interface BudgetRemaining {
  ratio: Measurement;
  minutes: Measurement;
}

export interface WireEndpointReport {
  sla: string;
  route: string;
  method: string | null;
  title: string;
  priority: string;
  team: string | null;
  owner: string | null;
  status: 'meeting' | 'atRisk' | 'breaching' | 'noData';
  requests: Measurement;
  latency: {
    target: { quantile: number; thresholdSeconds: number; objective: number } | null;
    p50: Measurement;
    p95: Measurement;
    p99: Measurement;
    compliance: Measurement | null;
    budgetRemaining: BudgetRemaining | null;
  };
  errors: {
    target: { maxRatio: number; objective: number; definition: string[] } | null;
    rate: Measurement;
    budgetRemaining: BudgetRemaining | null;
  };
  availability: {
    target: number | null;
    value: Measurement;
    budgetRemaining: BudgetRemaining | null;
  } | null;
  budgetRemaining: { ratio: number | null; minutes: number | null };
}

export interface WireSlaReport {
  period: { label: string; kind: 'rolling' | 'calendar'; start: string; end: string };
  generatedAt: string;
  endpoints: WireEndpointReport[];
}

const STATUS: Record<WireEndpointReport['status'], SlaStatus> = {
  meeting: 'meeting',
  atRisk: 'at_risk',
  breaching: 'breaching',
  noData: 'no_data',
};

const PRIORITIES: readonly string[] = ['critical', 'high', 'medium', 'low'];

const ms = (m: Measurement) => (m.value === null ? null : m.value * 1000);

function endpointView(e: WireEndpointReport): SlaEndpointReport {
  const promql: Record<string, string> = {
    requests: e.requests.promql,
    p50: e.latency.p50.promql,
    p95: e.latency.p95.promql,
    p99: e.latency.p99.promql,
    errorRate: e.errors.rate.promql,
  };
  const optional: Array<[string, Measurement | undefined]> = [
    ['latencyCompliance', e.latency.compliance ?? undefined],
    ['latencyBudget', e.latency.budgetRemaining?.ratio],
    ['errorBudget', e.errors.budgetRemaining?.ratio],
    ['availability', e.availability?.value],
    ['availabilityBudget', e.availability?.budgetRemaining?.ratio],
  ];
  for (const [key, m] of optional) {
    if (m) {
      promql[key] = m.promql;
    }
  }
  return {
    name: e.sla,
    route: e.route,
    method: e.method,
    // The exporter's config schema allows only these four; anything else sorts last as "low".
    priority: (PRIORITIES.includes(e.priority) ? e.priority : 'low') as SlaPriority,
    owner: e.owner,
    team: e.team,
    target: {
      latencyQuantile: e.latency.target?.quantile ?? null,
      latencyThresholdMs: e.latency.target ? e.latency.target.thresholdSeconds * 1000 : null,
      errorRate: e.errors.target?.maxRatio ?? null,
      availability: e.availability?.target ?? null,
    },
    p50Ms: ms(e.latency.p50),
    p95Ms: ms(e.latency.p95),
    p99Ms: ms(e.latency.p99),
    latencyCompliance: e.latency.compliance?.value ?? null,
    errorRate: e.errors.rate.value,
    availability: e.availability?.value.value ?? null,
    budgetRemaining: e.budgetRemaining.ratio,
    budgetRemainingMinutes: e.budgetRemaining.minutes,
    status: STATUS[e.status] ?? 'no_data',
    requests: e.requests.value,
    promql,
  };
}

/** The report the pages show, for the period they asked for (`30d`, `2026-10`, `2026-Q4`, …). */
export function toSlaView(wire: WireSlaReport, periodId: string): SlaReport {
  return {
    period: { id: periodId, label: wire.period.label, from: wire.period.start, to: wire.period.end },
    generatedAt: wire.generatedAt,
    endpoints: wire.endpoints.map(endpointView),
  };
}
