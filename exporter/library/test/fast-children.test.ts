/**
 * The recorder's histogram children add to prom-client's series values in place
 * (src/core/fast-children.ts); what a registry renders must be what prom-client's own children give.
 */
import { Histogram, Registry } from 'prom-client';
import { histogramChild } from '../src/core/fast-children';
import { histogramState } from '../src/core/histogram-state';
import { Recorder } from '../src/core/recorder';

const BOUNDS = [0.005, 0.01, 0.025, 0.1, 1, 10];

function pair(options: { exemplars?: boolean } = {}) {
  const make = () => {
    const registry = new Registry();
    // prom-client refuses exemplars on a registry that does not speak OpenMetrics.
    if (options.exemplars) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    const h = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['method', 'route'] as const,
      buckets: BOUNDS,
      registers: [registry],
      enableExemplars: options.exemplars ?? false,
    });
    return { registry, h };
  };
  return { fast: make(), own: make() };
}

/** Values on, between, below and above the bounds, and zero. */
const VALUES = [0, 0.001, 0.005, 0.0051, 0.01, 0.02, 0.1, 0.5, 1, 9.99, 10, 10.01, 1234, 0.025];

test("a fast child's series renders exactly as prom-client's own child's", async () => {
  const { fast, own } = pair();
  const f = [histogramChild(fast.h, ['GET', '/a']), histogramChild(fast.h, ['POST', '/b'])];
  const o = [own.h.labels('GET', '/a'), own.h.labels('POST', '/b')];
  for (let i = 0; i < 500; i++) {
    // Every third round exactly on the listed values (bounds among them), else just off them.
    const v = VALUES[i % VALUES.length] * (i % 3 === 0 ? 1 : 1 + (i % 7) / 100);
    f[i % 2].observe(v);
    o[i % 2].observe(v);
  }
  expect(await fast.registry.metrics()).toBe(await own.registry.metrics());
});

test('after reset() the child records into the new series', async () => {
  const { fast, own } = pair();
  const f = histogramChild(fast.h, ['GET', '/a']);
  const o = own.h.labels('GET', '/a');
  for (const v of [0.001, 0.2, 3]) {
    f.observe(v);
    o.observe(v);
  }
  fast.h.reset();
  own.h.reset();
  for (const v of [0.02, 20]) {
    f.observe(v);
    o.observe(v);
  }
  expect(await fast.registry.metrics()).toBe(await own.registry.metrics());
});

test('after remove() the child brings its series back as prom-client does', async () => {
  const { fast, own } = pair();
  const f = histogramChild(fast.h, ['GET', '/a']);
  const o = own.h.labels('GET', '/a');
  for (const v of [0.001, 0.2]) {
    f.observe(v);
    o.observe(v);
  }
  fast.h.remove('GET', '/a');
  own.h.remove('GET', '/a');
  for (const v of [0.05, 0.05]) {
    f.observe(v);
    o.observe(v);
  }
  expect(await fast.registry.metrics()).toBe(await own.registry.metrics());
});

test('a non-finite value is refused as prom-client refuses it', () => {
  const { fast } = pair();
  const f = histogramChild(fast.h, ['GET', '/a']);
  f.observe(0.1);
  expect(() => f.observe(Number.NaN)).toThrow(/not a valid number/);
  expect(() => f.observe(Number.POSITIVE_INFINITY)).toThrow(/not a valid number/);
});

/**
 * A histogram whose series keep their labels in another shape than prom-client 15's, as an upgrade
 * might make them: a child scans for its series and finds none. `scans` counts the enumerations of
 * the series map (prom-client itself only reads and writes single keys of it while observing).
 */
function reshaped() {
  const h = new Histogram({
    name: 'r_seconds',
    help: 'r',
    labelNames: ['route'],
    buckets: BOUNDS,
    registers: [],
  });
  const counted = { scans: 0 };
  const wrap = (map: object) =>
    new Proxy(map, {
      ownKeys: (target) => {
        counted.scans += 1;
        return Reflect.ownKeys(target);
      },
      set: (target, key, series: { labels: unknown }) => {
        series.labels = { path: '/a' };
        return Reflect.set(target, key, series);
      },
    });
  // reset() assigns a new map: it is wrapped as well.
  let map = wrap(histogramState(h)!.hashMap);
  Object.defineProperty(h, 'hashMap', {
    get: () => map,
    set: (next: object) => {
      map = wrap(next);
    },
  });
  return { h, counted };
}

test('a child that cannot find its series stays on prom-client’s child instead of scanning on every observation', async () => {
  const { h, counted } = reshaped();
  const f = histogramChild(h, ['/a']);
  for (let i = 0; i < 10; i++) f.observe(0.02);
  expect(counted.scans).toBe(1);
  // Every observation still counted, by prom-client's child.
  const count = (await h.get()).values.find((v) => v.metricName === 'r_seconds_count');
  expect(count?.value).toBe(10);
});

test('a child that could not find its series looks again, once, after reset()', () => {
  const { h, counted } = reshaped();
  const f = histogramChild(h, ['/a']);
  f.observe(0.02);
  h.reset();
  for (let i = 0; i < 10; i++) f.observe(0.02);
  expect(counted.scans).toBe(2);
});

test('a histogram with exemplars gets prom-client’s own child, and renders the same', async () => {
  const { fast, own } = pair({ exemplars: true });
  const f = histogramChild(fast.h, ['GET', '/a']);
  const o = own.h.labels('GET', '/a');
  for (const v of VALUES) {
    f.observe(v);
    o.observe(v);
  }
  expect(await fast.registry.metrics()).toBe(await own.registry.metrics());
});

test("every histogram the recorder defines has the state fast children write to (else they'd fall back unseen)", () => {
  const recorder = new Recorder(new Registry());
  const histograms = Object.values(recorder.metrics).filter((m) => m instanceof Histogram);
  expect(histograms.length).toBeGreaterThan(5);
  for (const h of histograms) expect(histogramState(h)).toBeDefined();
});
