import { parseConfig } from '../src/config/load';
import { perfwatch, CustomMetricError } from '../src';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

describe('custom metrics in the library', () => {
  test('a counter with declared labels counts by label value', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const logins = pw.custom.counter('app_logins_total', {
      help: 'Logins by outcome.',
      labelNames: ['outcome'],
    });
    logins.inc({ outcome: 'success' });
    logins.inc({ outcome: 'success' });
    logins.inc({ outcome: 'failure' }, 3);
    const text = await pw.registry.metrics();
    expect(series(text, 'app_logins_total', { outcome: 'success' })[0].value).toBe(2);
    expect(series(text, 'app_logins_total', { outcome: 'failure' })[0].value).toBe(3);
  });

  test('a histogram times work into its declared buckets', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const exports = pw.custom.histogram('app_export_generation_seconds', {
      help: 'Time to generate an export.',
      labelNames: ['format'],
      buckets: [0.5, 1, 5],
    });
    exports.observe({ format: 'csv' }, 0.7);
    const stop = exports.startTimer({ format: 'pdf' });
    const seconds = stop();
    const text = await pw.registry.metrics();
    expect(series(text, 'app_export_generation_seconds_bucket', { format: 'csv', le: '0.5' })[0].value).toBe(
      0,
    );
    expect(series(text, 'app_export_generation_seconds_bucket', { format: 'csv', le: '1' })[0].value).toBe(1);
    expect(series(text, 'app_export_generation_seconds_sum', { format: 'pdf' })[0].value).toBeCloseTo(
      seconds,
    );
  });

  test('a gauge is set and adjusted', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const carts = pw.custom.gauge('app_open_carts', { help: 'Carts not checked out.' });
    carts.set({}, 10);
    carts.add({}, -3);
    expect(series(await pw.registry.metrics(), 'app_open_carts')[0].value).toBe(7);
  });

  test('label values past the cap fold into __overflow__ and are counted', async () => {
    const pw = perfwatch({ defaultMetrics: false, labelCaps: { values: 3 } });
    const c = pw.custom.counter('app_tenant_events_total', {
      help: 'Events per tenant.',
      labelNames: ['tenant'],
    });
    for (let i = 0; i < 10; i++) c.inc({ tenant: `t${i}` });
    const text = await pw.registry.metrics();
    expect(series(text, 'app_tenant_events_total').map((s) => s.labels.tenant)).toEqual([
      't0',
      't1',
      't2',
      '__overflow__',
    ]);
    expect(series(text, 'app_tenant_events_total', { tenant: '__overflow__' })[0].value).toBe(7);
    expect(
      series(text, 'perfwatch_label_values_folded_total', {
        metric: 'app_tenant_events_total',
        label: 'tenant',
      })[0].value,
    ).toBe(7);
  });

  test('a sample with undeclared or missing labels is dropped and counted, never thrown', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const c = pw.custom.counter('app_signups_total', { help: 'Signups.', labelNames: ['plan'] });
    expect(() => c.inc({ plan: 'pro', country: 'de' })).not.toThrow();
    expect(() => c.inc({})).not.toThrow();
    expect(() => c.inc({ plan: 'pro' }, -1)).not.toThrow();
    const text = await pw.registry.metrics();
    expect(series(text, 'app_signups_total')).toEqual([]);
    expect(
      series(text, 'perfwatch_dropped_total', { component: 'custom_metrics', reason: 'invalid_sample' })[0]
        .value,
    ).toBe(3);
  });

  test.each([
    ['http_server_request_duration_seconds', 'histogram', /collides with the built-in family/],
    ['queue_job_wait_seconds_count', 'gauge', /collides with the built-in family queue_job_wait_seconds/],
    ['perfwatch_things_total', 'counter', /reserved/],
    ['app_logins', 'counter', /must end in _total/],
    ['app_temperature_total', 'gauge', /only counters end in _total/],
    ['app latency', 'histogram', /letters, digits and underscores/],
  ])('declaring %s as a %s is refused', (name, type, message) => {
    const pw = perfwatch({ defaultMetrics: false });
    const declare = () =>
      type === 'counter'
        ? pw.custom.counter(name, { help: 'x' })
        : type === 'gauge'
          ? pw.custom.gauge(name, { help: 'x' })
          : pw.custom.histogram(name, { help: 'x' });
    expect(declare).toThrow(CustomMetricError);
    expect(declare).toThrow(message);
  });

  test('declaring the same metric twice returns it; declaring it differently is refused', () => {
    const pw = perfwatch({ defaultMetrics: false });
    pw.custom.counter('app_orders_total', { help: 'Orders.', labelNames: ['channel'] });
    expect(() =>
      pw.custom.counter('app_orders_total', { help: 'Orders.', labelNames: ['channel'] }),
    ).not.toThrow();
    expect(() => pw.custom.counter('app_orders_total', { help: 'Orders.', labelNames: ['shop'] })).toThrow(
      /already declared differently/,
    );
  });
});

describe('customMetrics: in the service config', () => {
  test('a name colliding with a built-in family is a config error naming the field', () => {
    expect(() =>
      parseConfig({ customMetrics: [{ name: 'queue_depth', type: 'gauge', help: 'mine' }] }, 'perfwatch.yml'),
    ).toThrow(/customMetrics\.0\.name: collides with the built-in family queue_depth/);
  });

  test('two declarations whose series overlap are a config error', () => {
    expect(() =>
      parseConfig({
        customMetrics: [
          { name: 'app_render_seconds', type: 'histogram', help: 'a' },
          { name: 'app_render_seconds_count', type: 'gauge', help: 'b' },
        ],
      }),
    ).toThrow(/customMetrics\.1\.name: collides with customMetrics\.0 \(app_render_seconds\)/);
  });
});

describe('custom metrics through POST /api/v1/events', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({
      customMetrics: [
        { name: 'shop_logins_total', type: 'counter', help: 'Logins.', labelNames: ['outcome'] },
        { name: 'shop_queue_backlog', type: 'gauge', help: 'Backlog.', labelNames: ['shop'] },
        { name: 'shop_export_seconds', type: 'histogram', help: 'Exports.', buckets: [1, 10, 60] },
      ],
    });
  });
  afterAll(() => svc.close());

  const post = async (events: unknown[]) =>
    (await (
      await svc.api('/api/v1/events', { method: 'POST', body: JSON.stringify({ events }), scope: 'ingest' })
    ).json()) as { accepted: number; rejected: Array<{ index: number; kind: string; reason: string }> };

  test('declared metrics are recorded from ingested events', async () => {
    const report = await post([
      { kind: 'metric', name: 'shop_logins_total', labels: { outcome: 'success' } },
      { kind: 'metric', name: 'shop_logins_total', labels: { outcome: 'failure' }, value: 2 },
      { kind: 'metric', name: 'shop_queue_backlog', labels: { shop: 'de' }, value: 40 },
      { kind: 'metric', name: 'shop_queue_backlog', labels: { shop: 'de' }, value: -5, op: 'add' },
      { kind: 'metric', name: 'shop_export_seconds', value: 12 },
    ]);
    expect(report).toEqual({ accepted: 5, rejected: [] });
    const text = await (await svc.api('/metrics')).text();
    expect(series(text, 'shop_logins_total', { outcome: 'success' })[0].value).toBe(1);
    expect(series(text, 'shop_logins_total', { outcome: 'failure' })[0].value).toBe(2);
    expect(series(text, 'shop_queue_backlog', { shop: 'de' })[0].value).toBe(35);
    expect(series(text, 'shop_export_seconds_bucket', { le: '10' })[0].value).toBe(0);
    expect(series(text, 'shop_export_seconds_bucket', { le: '60' })[0].value).toBe(1);
  });

  test('undeclared names, wrong labels and bad values are rejected with a reason', async () => {
    const report = await post([
      { kind: 'metric', name: 'shop_refunds_total' },
      { kind: 'metric', name: 'shop_logins_total', labels: { result: 'ok' } },
      { kind: 'metric', name: 'shop_logins_total', labels: {} },
      { kind: 'metric', name: 'shop_logins_total', labels: { outcome: 'x' }, value: -1 },
      { kind: 'metric', name: 'shop_queue_backlog', labels: { shop: 'de' } },
      { kind: 'metric', name: 'shop_export_seconds', value: 1, op: 'add' },
      { kind: 'metric', name: 'shop_logins_total', labels: { outcome: 'x'.repeat(200) } },
    ]);
    expect(report.accepted).toBe(0);
    expect(report.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /^name: "shop_refunds_total" is not a declared custom metric; declare it under customMetrics:/,
      ),
      expect.stringMatching(/^labels\.result: not a label of shop_logins_total \(declared: outcome\)/),
      expect.stringMatching(/^labels\.outcome: required/),
      expect.stringMatching(/^value: a counter only goes up/),
      expect.stringMatching(/^value: required for a gauge/),
      expect.stringMatching(/^op: only gauges take an op/),
      expect.stringMatching(/^labels\.outcome: longer than 128 characters/),
    ]);
    expect(report.rejected.every((r) => r.kind === 'metric')).toBe(true);
  });
});
