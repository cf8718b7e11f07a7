import type { SlaEndpointReport } from '../../api/types';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The label matcher that selects one SLA endpoint's requests. */
export function endpointSelector(e: SlaEndpointReport, extra = ''): string {
  const parts = [`route="${escapeLabel(e.route)}"`];
  if (e.method) {
    parts.push(`method="${escapeLabel(e.method)}"`);
  }
  if (extra) {
    parts.push(extra);
  }
  return `{${parts.join(',')}}`;
}

/**
 * PromQL for the charts, over the raw request histogram so they work with or without recording rules;
 * only for the objectives the SLA sets.
 */
export function chartQueries(e: SlaEndpointReport) {
  const metric = 'http_server_request_duration_seconds';
  const all = endpointSelector(e);
  const errors = endpointSelector(e, 'status_code=~"5.."');
  const q = e.latency.target?.quantile ?? null;
  const threshold = e.latency.target?.thresholdSeconds ?? null;
  const errorRate = e.errors.target?.maxRatio ?? null;
  const queries: { latency?: string; errorBurn?: string; latencyBurn?: string } = {};
  if (q !== null) {
    queries.latency = `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket${all}[5m])))`;
  }
  if (errorRate !== null) {
    queries.errorBurn = `(sum(rate(${metric}_count${errors}[1h])) or vector(0)) / sum(rate(${metric}_count${all}[1h])) / ${errorRate}`;
  }
  if (q !== null && threshold !== null) {
    const le = endpointSelector(e, `le="${threshold}"`);
    queries.latencyBurn = `(1 - sum(rate(${metric}_bucket${le}[1h])) / sum(rate(${metric}_count${all}[1h]))) / ${Math.max(1e-9, 1 - q)}`;
  }
  return queries;
}

/** The PromQL behind each number of the report, keyed like PromqlList's labels. */
export function reportPromql(e: SlaEndpointReport): Record<string, string> {
  const promql: Record<string, string> = {
    requests: e.requests.promql,
    p50: e.latency.p50.promql,
    p95: e.latency.p95.promql,
    p99: e.latency.p99.promql,
    errorRate: e.errors.rate.promql,
  };
  const optional: Array<[string, { promql: string } | null | undefined]> = [
    ['latencyCompliance', e.latency.compliance],
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
  return promql;
}
