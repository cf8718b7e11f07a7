/*
 * The SLA report against a real Prometheus scraping an app whose traffic the test knows exactly:
 * 400 requests to POST /api/checkout, 28 of them slower than the 300 ms target and 12 failing, so the
 * truth is 93 % within the latency target and a 3 % error rate. The API and the CLI must agree with the
 * truth within 0.1 percentage points, and every PromQL they return must reproduce its number.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load';
import type { PerfwatchConfigInput } from '../src/config/schema';
import { perfwatch } from '../src/index';
import { responseViolations } from '../src/openapi/conformance';
import type { SlaReport } from '../src/sla/report';
import { serve } from '../library/test/support/http-app';
import { killAll } from '../library/test/support/processes';
import { eventually, promQuery, startPrometheus } from './support/prometheus-stack';
import { startTestService, type TestService } from './support/service';

jest.setTimeout(120_000);

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const TOTAL = 400;
const SLOW = 28;
const FAILED = 12;

let dir: string;
let prometheus: string;
let service: TestService;
let closeApp: () => Promise<void>;
let slaInput: PerfwatchConfigInput;
/** When Prometheus had first scraped the zeroed series: the earliest sample of every series. */
let firstScrapeSeen: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-sla-report-'));
  slaInput = {
    sla: {
      job: 'demo',
      endpoints: [
        {
          route: '/api/checkout',
          method: 'POST',
          latency: 'p95 < 300ms',
          errorRate: '< 1%',
          availability: '99.9%',
          priority: 'critical',
          team: 'payments',
        },
        { route: '/api/products/:id', method: 'GET', latency: 'p95 < 300ms', priority: 'high' },
      ],
    },
  };
  const config = parseConfig(slaInput);
  const pw = perfwatch({ sla: config.sla, defaultMetrics: false });
  const app = express();
  app.use(pw.express({ express }));
  app.post('/api/checkout', async (req, res) => {
    if (req.query.slow) await new Promise((r) => setTimeout(r, 350));
    res.status(req.query.fail ? 500 : 200).json({ ok: !req.query.fail });
  });
  app.get('/metrics', pw.metricsHandler());
  // Series exist at zero before the first request, as for any endpoint that has been up for a while;
  // Prometheus then never has to guess where a counter started.
  for (const status_code of ['200', '500'])
    pw.recorder.metrics.httpRequestDuration.zero({ method: 'POST', route: '/api/checkout', status_code });
  const appServer = await serve(app);
  closeApp = appServer.close;

  prometheus = await startPrometheus({
    dir,
    ruleFiles: [],
    targets: [{ job: 'demo', target: new URL(appServer.url).host }],
    scrapeInterval: '1s',
    evaluationInterval: '1s',
  });
  service = await startTestService({ ...slaInput, prometheus: { url: prometheus } });

  await eventually('the first scrape of the zeroed series', async () =>
    (await promQuery(prometheus, 'http_server_request_duration_seconds_count{route="/api/checkout"}'))
      .length === 2
      ? true
      : undefined,
  );
  firstScrapeSeen = Date.now();
  const kinds = [
    ...Array(SLOW).fill('?slow=1'),
    ...Array(FAILED).fill('?fail=1'),
    ...Array(TOTAL - SLOW - FAILED).fill(''),
  ];
  for (let i = 0; i < kinds.length; i += 20)
    await Promise.all(
      kinds
        .slice(i, i + 20)
        .map((q) =>
          fetch(`${appServer.url}/api/checkout${q}`, { method: 'POST' }).then((r) => r.arrayBuffer()),
        ),
    );
  await eventually('Prometheus to have scraped every request', async () => {
    const r = await promQuery(
      prometheus,
      'sum(http_server_request_duration_seconds_count{route="/api/checkout"})',
    );
    return Number(r[0]?.value[1]) === TOTAL ? true : undefined;
  });
  // A few more flat scrapes, so the end-of-range extrapolation of increase() is small for the request count.
  await new Promise((r) => setTimeout(r, 5000));
});

afterAll(async () => {
  await service?.close();
  await closeApp?.();
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function report(period: string): Promise<SlaReport> {
  const res = await service.api(`/api/v1/sla/report?period=${period}`, { scope: 'read' });
  expect(res.status).toBe(200);
  return (await res.json()) as SlaReport;
}

const PP = 0.001; // 0.1 percentage points

test('the report API matches the known traffic within 0.1 percentage points', async () => {
  const r = await report('30d');
  const checkout = r.endpoints.find((e) => e.sla === 'post-api-checkout')!;
  expect(Math.abs(checkout.latency.compliance!.value! - (TOTAL - SLOW) / TOTAL)).toBeLessThan(PP);
  expect(Math.abs(checkout.errors.rate.value! - FAILED / TOTAL)).toBeLessThan(PP);
  expect(checkout.availability!.value.value).toBe(1);
  // 7 % slow against a 5 % budget and 3 % errors against 1 %: both budgets overspent.
  expect(checkout.latency.budgetRemaining!.ratio.value).toBeCloseTo(1 - 0.07 / 0.05, 6);
  expect(checkout.errors.budgetRemaining!.ratio.value).toBeCloseTo(1 - 0.03 / 0.01, 6);
  expect(checkout.latency.budgetRemaining!.minutes.value).toBeCloseTo((1 - 0.07 / 0.05) * 0.05 * 43200, 2);
  expect(checkout.budgetRemaining.ratio).toBeCloseTo(-2, 6);
  expect(checkout.status).toBe('breaching');
  // p95 falls among the slow requests: inside the (300 ms, 360 ms] bucket they landed in.
  expect(checkout.latency.p95.value!).toBeGreaterThan(0.3);
  expect(checkout.latency.p95.value!).toBeLessThanOrEqual(0.36);
  expect(checkout.latency.p50.value!).toBeLessThan(0.3);
  // increase() extrapolates to the end of the range by up to 1.1 scrape intervals of the sampled span:
  // negligible over 30 days of scrapes, visible over the few seconds this test's series exist.
  const sampledSeconds = (new Date(r.period.end).getTime() - firstScrapeSeen) / 1000 - 1;
  expect(checkout.requests.value!).toBeGreaterThanOrEqual(TOTAL);
  expect(checkout.requests.value!).toBeLessThanOrEqual(TOTAL * (1 + 1.1 / sampledSeconds));

  const products = r.endpoints.find((e) => e.sla === 'get-api-products-id')!;
  expect(products.status).toBe('noData');
  expect(products.latency.compliance!.value).toBeNull();
  expect(products.latency.p95.value).toBeNull();
  expect(r.summary).toEqual({ endpoints: 2, meeting: 0, atRisk: 0, breaching: 1, noData: 1 });
});

test('the report, with data and without, is exactly the SlaReport of the contract', async () => {
  for (const period of ['30d', '2026-01']) {
    const res = await service.api(`/api/v1/sla/report?period=${period}`, { scope: 'read' });
    expect(responseViolations('GET', '/api/v1/sla/report', res.status, await res.json())).toEqual([]);
  }
});

test('every number comes with PromQL that reproduces it in Prometheus', async () => {
  const r = await report('30d');
  const checkout = r.endpoints.find((e) => e.sla === 'post-api-checkout')!;
  const measurements = [
    checkout.requests,
    checkout.latency.p50,
    checkout.latency.p95,
    checkout.latency.p99,
    checkout.latency.compliance!,
    checkout.latency.budgetRemaining!.ratio,
    checkout.latency.budgetRemaining!.minutes,
    checkout.errors.rate,
    checkout.errors.budgetRemaining!.ratio,
    checkout.errors.budgetRemaining!.minutes,
    checkout.availability!.value,
    checkout.availability!.budgetRemaining!.ratio,
  ];
  for (const m of measurements) {
    const [sample] = await promQuery(prometheus, m.promql);
    expect(Number(sample.value[1])).toBeCloseTo(m.value!, 9);
  }
});

test('a calendar month still running starts from its first day and reports the same traffic', async () => {
  const now = new Date();
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const r = await report(month);
  expect(r.period.kind).toBe('calendar');
  expect(r.period.complete).toBe(false);
  expect(r.period.start).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString());
  const checkout = r.endpoints.find((e) => e.sla === 'post-api-checkout')!;
  expect(Math.abs(checkout.latency.compliance!.value! - (TOTAL - SLOW) / TOTAL)).toBeLessThan(PP);
  // Budget minutes count against the whole month, not the days elapsed.
  const monthMinutes = r.period.durationSeconds / 60;
  expect(checkout.errors.budgetRemaining!.minutes.value).toBeCloseTo(
    (1 - 0.03 / 0.01) * 0.01 * monthMinutes,
    2,
  );
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('perfwatch sla report prints the same numbers as json, csv and markdown', async () => {
  expect(existsSync(CLI)).toBe(true); // npm run build -w @perfwatch/exporter
  const file = path.join(dir, 'perfwatch.yml');
  writeFileSync(file, stringify({ ...slaInput, prometheus: { url: prometheus } }));
  const json = await cli(['sla', 'report', '--config', file, '--period', '30d', '--format', 'json']);
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const fromCli = JSON.parse(json.stdout) as SlaReport;
  const checkout = fromCli.endpoints.find((e) => e.sla === 'post-api-checkout')!;
  expect(Math.abs(checkout.latency.compliance!.value! - 0.93)).toBeLessThan(PP);
  expect(Math.abs(checkout.errors.rate.value! - 0.03)).toBeLessThan(PP);

  const csv = await cli(['sla', 'report', '--config', file, '--format', 'csv']);
  const [header, row] = csv.stdout.trim().split('\n');
  const cells = Object.fromEntries(header.split(',').map((h, i) => [h, row.split(',')[i]]));
  expect(cells.sla).toBe('post-api-checkout');
  expect(cells.status).toBe('breaching');
  expect(Math.abs(Number(cells.latency_compliance) - 0.93)).toBeLessThan(PP);
  expect(Math.abs(Number(cells.error_rate) - 0.03)).toBeLessThan(PP);

  const md = await cli(['sla', 'report', '--config', file, '--period', '7d']);
  expect(md.code).toBe(0);
  expect(md.stdout).toContain(
    '| `POST /api/checkout` | critical | BREACHING | p95 < 300ms, errors < 1%, up 99.9% |',
  );
  expect(md.stdout).toMatch(/\| 93\.00% \| 3\.000% \| 100\.000% \|/);
  expect(md.stdout).toContain('## PromQL');
});

test('a Prometheus started minutes ago covers the last minutes of a 7-day period, and the report says so', async () => {
  // The coverage subquery's 10-minute steps are aligned to the clock, not to the period's end: without
  // the fine subquery over the last step, data younger than the last aligned point read as "no samples".
  const { coverage } = (await report('7d')) as SlaReport & {
    coverage: { from: string | null; to: string | null; ratio: number; complete: boolean; reason?: string };
  };
  expect(coverage.from).not.toBeNull();
  expect(Math.abs(new Date(coverage.from!).getTime() - firstScrapeSeen)).toBeLessThan(60_000);
  expect(Date.now() - new Date(coverage.to!).getTime()).toBeLessThan(60_000);
  expect(coverage.complete).toBe(false);
  expect(coverage.reason).toMatch(/only from/);
});
