/**
 * Names of the recorded series (`level:metric:operations`), shared by the rule generator, its promtool
 * tests, the SLA report and the dashboards. `w` is a Prometheus duration (`5m`, `1h`, `3d`).
 */
export const SERIES = {
  /** Requests per second. */
  requests: (w: string) => `route:http_server_requests:rate${w}`,
  /** Requests in window `w` (the base-window rate averaged over `w`, times its length). */
  requestsIn: (w: string) => `route:http_server_requests:increase${w}`,
  /** Requests per second that count as errors for the SLA (5xx unless configured otherwise). */
  errors: (w: string) => `route:http_server_requests_errors:rate${w}`,
  /** Requests per second that finished within the latency target (the target's `le` bucket). */
  withinTarget: (w: string) => `route:http_server_requests_within_target:rate${w}`,
  /** Bucket rates by `le`, input of the quantiles. */
  buckets: (w: string) => `route_le:http_server_request_duration_seconds_bucket:rate${w}`,
  /** p50, p95, p99 (and the target's quantile): `quantile(0.95, '5m')`. */
  quantile: (q: number, w: string) =>
    `route:http_server_request_duration_seconds:${quantileName(q)}_rate${w}`,
  mean: (w: string) => `route:http_server_request_duration_seconds:mean_rate${w}`,
  /** Latency SLI: share of requests slower than the target (bad / total). */
  slowRatio: (w: string) => `route:sla_slow_per_requests:ratio_rate${w}`,
  /** Error SLI: share of requests that are errors (bad / total). */
  errorRatio: (w: string) => `route:sla_errors_per_requests:ratio_rate${w}`,
  /** Availability SLI: share of the window the app was down (scrapes failed, or no heartbeat). */
  downRatio: (w: string) => `route:sla_down_per_scrapes:ratio_rate${w}`,
  /** Share of the app's scrape targets that are up. */
  up: 'route:up:ratio',
  /** Good / total over the SLA window, by `sli` (latency, errors, availability). */
  compliance: 'route:sla_compliance:ratio',
  /** 1 − bad share / budget share: 1 = untouched, 0 = spent, negative = overspent. By `sli`. */
  budgetRemaining: 'route:sla_error_budget_remaining:ratio',
  /** Minutes of total outage the remaining budget still allows. By `sli`. */
  budgetMinutes: 'route:sla_error_budget_remaining:minutes',
  /** The SLI objective (0.95 for p95 < …), by `sli`: thresholds for dashboards. */
  objective: 'route:sla_objective:ratio',
  /** The latency target in seconds. */
  latencyTarget: 'route:sla_latency_target:seconds',
} as const;

/** 0.95 → p95, 0.999 → p99_9 (a metric name cannot hold a dot). */
export function quantileName(q: number): string {
  return `p${String(Number((q * 100).toPrecision(10))).replace('.', '_')}`;
}

export const ALERTS = {
  latency: 'SLALatency',
  errors: 'SLAErrors',
  regression: 'SLALatencyRegression',
  availability: 'SLAAvailability',
  /** An SLA's scrape target is down: the same name as the resource alert, with the SLA's labels. */
  targetDown: 'TargetDown',
  /** A pushed app (ingestion API) has sent no batch, not even an empty heartbeat. */
  appSilent: 'AppStoppedSending',
  /** Requests are measured but the latency SLI series is not (bucket missing or spelled otherwise). */
  sliMissing: 'SLASLIMissing',
} as const;

/** Metric Perfwatch sets on every batch a pushed app sends (exporter/src/ingest). */
export const HEARTBEAT_METRIC = 'perfwatch_ingest_last_seen_timestamp_seconds';
