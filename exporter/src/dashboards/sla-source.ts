import type { PerfwatchConfig } from '../config/schema';
import { resolveSlas, type LatencyThreshold } from '../sla/model';

/** What the dashboards need to know about one latency SLA: where to draw the lines. */
export interface SlaThresholds {
  /** Stable name of the SLA (used in titles and panel ids). */
  name: string;
  route: string;
  method?: string;
  priority: string;
  /** Latency quantile the target is stated for (0.95 for "p95 < 200 ms"). */
  quantile: number;
  /** Latency target and the thresholds of the latency alerts, in seconds. */
  targetSeconds: number;
  warningSeconds: number;
  /** Absent when the priority caps alerts below critical: no red line where no alert fires. */
  criticalSeconds?: number;
}

/**
 * The one place dashboards read SLA thresholds from the config: the same resolution the alert rules
 * use, so a stat turns orange and red exactly where the warning and critical alerts fire. SLAs
 * without a latency objective (errors or availability only) have no latency line to draw.
 */
export function slaThresholds(config: PerfwatchConfig): SlaThresholds[] {
  if (!config.sla) return [];
  const at = (ladder: LatencyThreshold[], severity: LatencyThreshold['severity']) =>
    ladder.find((t) => t.severity === severity)?.seconds;
  return resolveSlas(config.sla, config.metrics.httpBuckets).flatMap((s) => {
    if (!s.latency) return [];
    const { quantile, threshold, thresholds } = s.latency;
    const criticalSeconds = at(thresholds, 'critical');
    return [
      {
        name: s.id,
        route: s.route,
        ...(s.method ? { method: s.method } : {}),
        priority: s.priority,
        quantile,
        targetSeconds: threshold,
        warningSeconds: at(thresholds, 'warning') ?? threshold,
        ...(criticalSeconds !== undefined ? { criticalSeconds } : {}),
      },
    ];
  });
}
