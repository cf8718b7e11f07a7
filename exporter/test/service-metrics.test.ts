import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ server: { systemMetrics: true } });
});
afterAll(() => svc.close());

describe('/metrics of the service', () => {
  test('shows the HTTP families after a request', async () => {
    await svc.api('/healthz');
    await new Promise((r) => setImmediate(r));
    const text = await (await svc.api('/metrics')).text();
    expect(
      series(text, 'http_server_request_duration_seconds_count', { route: '/healthz', status_code: '200' }),
    ).toHaveLength(1);
    expect(text).toContain('# TYPE http_server_active_requests gauge');
  });

  test('shows node_exporter-style system families', async () => {
    const text = await (await svc.api('/metrics')).text();
    for (const name of [
      'node_cpu_seconds_total',
      'node_load1',
      'node_memory_MemTotal_bytes',
      'node_uname_info',
    ])
      expect(series(text, name).length).toBeGreaterThan(0);
  });

  test('shows prom-client process metrics', async () => {
    const text = await (await svc.api('/metrics')).text();
    expect(series(text, 'process_resident_memory_bytes')).toHaveLength(1);
    expect(series(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  test('serves the classic text format by default', async () => {
    const res = await svc.api('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  test('serves OpenMetrics when the scraper asks for it', async () => {
    const res = await svc.api('/metrics', {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    expect((await res.text()).trimEnd().endsWith('# EOF')).toBe(true);
  });

  test('an OpenMetrics scrape leaves counter names intact for later text scrapes', async () => {
    await svc.api('/metrics', { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    const om = await (
      await svc.api('/metrics', { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    expect(om).toContain('# TYPE perfwatch_label_values_folded counter');
    const text = await (await svc.api('/metrics')).text();
    expect(text).toContain('# TYPE perfwatch_label_values_folded_total counter');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
  });

  test('/metrics/node serves only system metrics', async () => {
    const text = await (await svc.api('/metrics/node')).text();
    expect(series(text, 'node_load1')).toHaveLength(1);
    expect(series(text, 'process_resident_memory_bytes')).toHaveLength(0);
  });

  test('build info names the version', async () => {
    const text = await (await svc.api('/metrics')).text();
    expect(series(text, 'perfwatch_build_info')[0].labels.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
