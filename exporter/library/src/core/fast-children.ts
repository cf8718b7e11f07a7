import type { Histogram } from 'prom-client';
import { type HistogramSeries, histogramState } from './histogram-state';

/** What the recorder needs of a histogram child. */
export interface Observer {
  observe(v: number): void;
}

/**
 * A histogram child that adds to prom-client's series value in place.
 *
 * prom-client's own child (`histogram.labels(...).observe(v)`, lib/histogram.js observe()) validates
 * the label values, allocates a {labels, value} pair and joins the label values into the series' key
 * on every call, though a child's labels never change. At one to three observations per HTTP request
 * that is most of the garbage Perfwatch adds to a request (bench/README.md, bench:http). prom-client has
 * no public way to keep a series' value, so this child keeps it: the first observation goes through
 * prom-client (which validates the labels and creates the series), then the child finds the series
 * value that holds its labels and from there adds to sum, count and the value's bucket as observe()
 * does. The registry still owns the series: every observation first checks that the histogram still
 * holds that value under that key, and when it does not (reset(), remove(), a registry reset) it goes
 * through prom-client again. Non-finite values go through prom-client too, so they throw as they did.
 * A child that scans and does not find its series (prom-client keeping labels in another shape) stays
 * on prom-client's child rather than scanning every series on every observation; it looks once more
 * only after reset() has replaced the series map, the one change that can make a new scan find it.
 * A histogram with exemplars, or one not shaped as prom-client 15 shapes it, gets prom-client's child.
 * `fast-children.test.ts` renders both side by side and fails when a prom-client upgrade changes this.
 */
export function histogramChild(h: Histogram<string>, labelValues: readonly string[]): Observer {
  const slow = h.labels(...labelValues);
  const internals = histogramState(h);
  if (!internals) return slow;
  const { upperBounds, labelNames } = internals;
  const bucketKeys = upperBounds.map(String);
  let key: string | undefined;
  let value: HistogramSeries | undefined;
  // The series map the last scan searched in vain. prom-client has just created the series when the
  // child scans, so a scan that misses it misses it again until reset() assigns a new map. (A remove()
  // deletes from the same map, and prom-client's child brings the series back on its own.)
  let missedIn: Record<string, HistogramSeries> | undefined;

  const attach = (): void => {
    value = undefined;
    for (const [k, v] of Object.entries(internals.hashMap)) {
      if (labelNames.every((name, n) => String(v.labels[name]) === labelValues[n])) {
        key = k;
        value = v;
        missedIn = undefined;
        return;
      }
    }
    missedIn = internals.hashMap;
  };

  return {
    observe(v: number): void {
      // `internals.hashMap` is read anew: reset() replaces the object.
      if (
        value === undefined ||
        key === undefined ||
        internals.hashMap[key] !== value ||
        !Number.isFinite(v)
      ) {
        slow.observe(v);
        if (Number.isFinite(v) && internals.hashMap !== missedIn) attach();
        return;
      }
      value.sum += v;
      value.count += 1;
      // prom-client counts a value in the first bucket whose bound it does not exceed; the +Inf
      // bucket is the count, written at render time.
      for (let b = 0; b < upperBounds.length; b++) {
        if (v <= upperBounds[b]) {
          value.bucketValues[bucketKeys[b]] += 1;
          return;
        }
      }
    },
  };
}
