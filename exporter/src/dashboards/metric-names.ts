import { Registry } from 'prom-client';
import { createMetrics, type PerfwatchMetrics } from '@perfwatch/node/internal';

/**
 * Metric names as core/metrics.ts defines them, read from the families themselves so the dashboards
 * can never spell a name differently from what the recorder exposes.
 */
export type MetricKey = keyof PerfwatchMetrics;

let names: Record<MetricKey, string> | undefined;

export function metricNames(): Record<MetricKey, string> {
  if (!names) {
    const families = createMetrics(new Registry());
    names = Object.fromEntries(
      Object.entries(families).map(([key, metric]) => [key, (metric as unknown as { name: string }).name]),
    ) as Record<MetricKey, string>;
  }
  return names;
}

/** Series names of a family as Prometheus stores them (histograms add _bucket, _sum and _count). */
export function seriesNames(): Set<string> {
  const out = new Set<string>();
  const families = createMetrics(new Registry());
  for (const metric of Object.values(families)) {
    const { name } = metric as unknown as { name: string };
    out.add(name);
    if ((metric as unknown as { upperBounds?: unknown }).upperBounds !== undefined)
      for (const suffix of ['_bucket', '_sum', '_count']) out.add(name + suffix);
  }
  return out;
}
