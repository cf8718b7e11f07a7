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
  const { latencyQuantile: q, latencyThresholdMs: threshold, errorRate } = e.target;
  const queries: { latency?: string; errorBurn?: string; latencyBurn?: string } = {};
  if (q !== null) {
    queries.latency = `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket${all}[5m])))`;
  }
  if (errorRate !== null) {
    queries.errorBurn = `(sum(rate(${metric}_count${errors}[1h])) or vector(0)) / sum(rate(${metric}_count${all}[1h])) / ${errorRate}`;
  }
  if (q !== null && threshold !== null) {
    const le = endpointSelector(e, `le="${threshold / 1000}"`);
    queries.latencyBurn = `(1 - sum(rate(${metric}_bucket${le}[1h])) / sum(rate(${metric}_count${all}[1h]))) / ${Math.max(1e-9, 1 - q)}`;
  }
  return queries;
}
