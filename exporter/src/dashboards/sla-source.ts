import type { PerfwatchConfig } from '../config/schema';

/** What the dashboards need to know about one SLA: where to draw the lines. */
export interface SlaThresholds {
  /** Stable name of the SLA (used in titles and panel ids). */
  name: string;
  route: string;
  method?: string;
  priority: string;
  /** Latency quantile the target is stated for (0.95 for "p95 < 200 ms"). */
  quantile: number;
  /** Latency target, warning and critical thresholds, in seconds. */
  targetSeconds: number;
  warningSeconds: number;
  criticalSeconds: number;
  /** Error-rate target and thresholds as fractions (0.01 = 1 %). */
  errorTarget: number;
  errorWarning: number;
  errorCritical: number;
}

/**
 * The one place dashboards read SLA thresholds from the config. The SLA section belongs to the SLA
 * issue; until its schema is on main this reads nothing and the overview shows the routes without
 * per-SLA lines.
 */
export function slaThresholds(_config: PerfwatchConfig): SlaThresholds[] {
  return [];
}
