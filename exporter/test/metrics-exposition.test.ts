/**
 * /metrics is rendered by Perfwatch's own sliced renderer (issue 19): the same text prom-client's
 * registry.metrics() writes, byte for byte, but with the event loop let through between slices.
 */
import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry, type RegistryContentType, Summary } from 'prom-client';
import { renderMetrics, registerSystemMetrics } from '@perfwatch/node/internal';

const CONTENT_TYPES = [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as const;
const labelValue = fc.oneof(
  fc.constantFrom('GET', '/users/:id', 'a"b', 'back\\slash', 'new\nline', '', '😀'),
  fc.string({ maxLength: 8 }),
);
const observation = fc.record({
  a: labelValue,
  b: labelValue,
  value: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 0.1, 2.5)),
});

/** prom-client's typings omit the constructor's content-type argument; setContentType says the same. */
function newRegistry(contentType: RegistryContentType): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  return registry;
}

/** A registry holding each kind of prom-client metric, fed the same observations. */
function registryWith(
  contentType: RegistryContentType,
  observations: Array<{ a: string; b: string; value: number }>,
) {
  const registers = [newRegistry(contentType)];
  const labelNames = ['a', 'b'];
  const counter = new Counter({
    name: 'x_events_total',
    help: 'events\\with "quotes"\nand lines',
    labelNames,
    registers,
  });
  const gauge = new Gauge({ name: 'x_level', help: 'level', labelNames, registers });
  const plain = new Gauge({ name: 'x_plain', help: 'no labels', registers });
  const histogram = new Histogram({
    name: 'x_seconds',
    help: 'latency',
    labelNames,
    buckets: [0.1, 1, 2.5],
    registers,
  });
  const summary = new Summary({
    name: 'x_summary',
    help: 'summary',
    labelNames,
    percentiles: [0.5, 0.99],
    registers,
  });
  const unlabelled = new Histogram({
    name: 'x_unlabelled_seconds',
    help: 'no labels',
    buckets: [1],
    registers,
  });
  const openMetrics = contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  // prom-client keeps exemplars for OpenMetrics registries only.
  const exemplars = new Histogram({
    name: 'x_ex_seconds',
    help: 'with exemplars',
    labelNames: ['a'],
    buckets: [1],
    enableExemplars: openMetrics,
    registers,
  });
  for (const { a, b, value } of observations) {
    counter.inc({ a, b }, Math.abs(value));
    gauge.set({ a, b }, value);
    plain.set(value);
    unlabelled.observe(value);
    histogram.observe({ a, b }, value);
    summary.observe({ a, b }, value);
    if (openMetrics) exemplars.observe({ labels: { a }, value, exemplarLabels: { a: b || 't' } });
    else exemplars.observe({ a }, value);
  }
  return registers[0];
}

test.each(CONTENT_TYPES)('renders what prom-client renders (%s)', async (contentType) => {
  await fc.assert(
    fc.asyncProperty(fc.array(observation, { maxLength: 12 }), async (observations) => {
      // One registry for both renders: exemplars carry the time they were observed.
      const registry = registryWith(contentType, observations);
      const expected = await registry.metrics();
      // Rendered with a slice of 0 ms: every possible pause taken, and the text unchanged.
      expect(await renderMetrics(registry, 0)).toBe(expected);
    }),
    { numRuns: 150 },
  );
});

test.each(CONTENT_TYPES)('renders the system families as prom-client does (%s)', async (contentType) => {
  {
    const registry = newRegistry(contentType);
    // cacheMs: both renders read the same snapshot of the machine.
    registerSystemMetrics(registry, { cacheMs: 60_000 });
    await registry.metrics();
    // The clock family reads the time at every render.
    const withoutClock = (text: string) => text.replace(/^node_time_seconds .*$/m, '');
    expect(withoutClock(await renderMetrics(registry, 0))).toBe(withoutClock(await registry.metrics()));
  }
});

test('renders what a histogram observes when it is collected', async () => {
  const registry = new Registry();
  // A histogram fed at collection time, as the recorder's pool and queue gauges are.
  new Histogram({
    name: 'x_collected_seconds',
    help: 'observed when collected',
    labelNames: ['a'],
    buckets: [1],
    registers: [registry],
    async collect() {
      await new Promise((resolve) => setImmediate(resolve));
      this.observe({ a: 'scrape' }, 0.5);
    },
  });
  expect(await renderMetrics(registry)).toContain('x_collected_seconds_count{a="scrape"} 1\n');
});

/** Turns the event loop takes while `work` runs. */
async function loopTurnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

test('lets the event loop run while it renders a large registry', async () => {
  const registry = registryWith(
    Registry.PROMETHEUS_CONTENT_TYPE,
    Array.from({ length: 2000 }, (_, i) => ({ a: `a${i}`, b: 'b', value: i })),
  );
  // 2000 series in each family: one pause per 128 lines at least.
  expect(await loopTurnsDuring(() => renderMetrics(registry, 0))).toBeGreaterThan(100);
});

test('pauses between the series of a large histogram', async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['a'],
    buckets: [1],
    registers: [registry],
  });
  for (let i = 0; i < 2000; i++) h.observe({ a: `a${i}` }, 0.5);
  // One pause per 16 series.
  expect(await loopTurnsDuring(() => renderMetrics(registry, 0))).toBeGreaterThan(100);
});

test('a family whose collection fails fails the render', async () => {
  const registry = new Registry();
  new Gauge({
    name: 'x_broken',
    help: 'h',
    registers: [registry],
    collect: () => Promise.reject(new Error('no redis')),
  });
  await expect(renderMetrics(registry)).rejects.toThrow('no redis');
});

test('a second failing family is not left as an unhandled rejection', async () => {
  const registry = new Registry();
  for (const name of ['x_broken_a', 'x_broken_b'])
    new Gauge({ name, help: 'h', registers: [registry], collect: () => Promise.reject(new Error(name)) });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await expect(renderMetrics(registry)).rejects.toThrow('x_broken_a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
