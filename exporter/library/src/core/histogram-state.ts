import { Histogram } from 'prom-client';

/** What a prom-client Histogram keeps per series (lib/histogram.js createBaseValues, prom-client 15). */
export interface HistogramSeries {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * The parts of a prom-client 15 Histogram that the renderer (exposition.ts) and the recorder's
 * children (fast-children.ts) read and write. prom-client has no public access to a series' value;
 * both are checked against prom-client's own output by their tests, which fail on an upgrade that
 * changes this shape.
 */
export interface HistogramState {
  name: string;
  help: string;
  type: string;
  labelNames: readonly string[];
  hashMap: Record<string, HistogramSeries>;
  upperBounds: readonly number[];
  enableExemplars: boolean;
  collect?: () => unknown;
}

/** The histogram's state, or undefined when it has exemplars or not the expected shape. */
export function histogramState(metric: unknown): HistogramState | undefined {
  if (!(metric instanceof Histogram)) return undefined;
  const h = metric as unknown as HistogramState;
  return h.enableExemplars === false &&
    typeof h.hashMap === 'object' &&
    h.hashMap !== null &&
    Array.isArray(h.upperBounds) &&
    Array.isArray(h.labelNames)
    ? h
    : undefined;
}

/**
 * A series' buckets as Prometheus counts them: each bound's count holds every observation at or below
 * it. prom-client keeps each bucket's own count (observe() adds to the first bucket whose bound the
 * value does not exceed) and adds them up bound by bound when it renders (lib/histogram.js,
 * extractBucketValuesForExport), as this does; the +Inf bucket is the series' count. Both the
 * renderer and the incident diagnostics' p95 read a histogram this way.
 */
export function cumulativeBucketCounts(upperBounds: readonly number[], series: HistogramSeries): number[] {
  const counts = new Array<number>(upperBounds.length);
  let cumulative = 0;
  for (let b = 0; b < upperBounds.length; b++) {
    cumulative += series.bucketValues[upperBounds[b]];
    counts[b] = cumulative;
  }
  return counts;
}
