/** What the renderer and the incident diagnostics read of a prom-client histogram (src/core/histogram-state.ts). */
import { Histogram } from 'prom-client';
import { cumulativeBucketCounts, histogramState } from '../src/core/histogram-state';

test("a series' bucket counts add up bound by bound, as Prometheus' le buckets count", () => {
  const h = new Histogram({
    name: 'c_seconds',
    help: 'c',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1],
    registers: [],
  });
  // Two at or below 0.1 (one on the bound), one in (0.1, 0.5], two in (0.5, 1], one above every bound.
  for (const v of [0.05, 0.1, 0.3, 0.7, 0.9, 5]) h.observe({ route: '/a' }, v);
  const state = histogramState(h)!;
  const [series] = Object.values(state.hashMap);
  expect(cumulativeBucketCounts(state.upperBounds, series)).toEqual([2, 3, 5]);
});
