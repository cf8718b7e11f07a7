/**
 * The demo shop's phases do what they say: each degraded phase shows up in the metrics the
 * dashboards and alert rules read. Real PostgreSQL and Redis, private schema and queue prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemo, type RunningDemo } from '../../examples/demo-app/src/app';
import { parseSchedule, runLoad } from '../../examples/demo-app/src/load';
import { dropDemoData } from './support/fixtures';

const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PERFWATCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `demo_${process.pid}_${Date.now()}`;
const ADMIN = 'demo-admin-token-0123456789';

/** Sum of a metric's samples whose labels contain every given pair. */
async function metric(demo: RunningDemo, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${demo.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function phase(demo: RunningDemo, name: string, token = ADMIN) {
  return fetch(`${demo.url}/admin/phase`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ phase: name }),
  });
}

const load = (demo: RunningDemo, seconds: number) =>
  runLoad({ target: demo.url, rps: 40, durationSeconds: seconds });

describe('demo shop', () => {
  let demo: RunningDemo;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-demo-'));
    demo = await startDemo({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: PG_URL,
      schema: RUN,
      redisUrl: REDIS_URL,
      queuePrefix: `pw-${RUN}`,
      uploadDir: dir,
      adminToken: ADMIN,
      perfwatch: { defaultMetrics: false },
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await demo?.stop();
    await dropDemoData(PG_URL, REDIS_URL, RUN);
    rmSync(dir, { recursive: true, force: true });
  });

  test('normal traffic reaches every endpoint, the queue and the file operations without server errors', async () => {
    const total = await load(demo, 4);
    expect(total.failed).toBe(0);
    expect(total.byStatus['500'] ?? 0).toBe(0);
    for (const route of [
      '/api/products/:id',
      '/api/products',
      '/api/search',
      '/api/checkout',
      '/api/upload',
      '/api/reports/export',
    ])
      expect({
        route,
        seen: (await metric(demo, 'http_server_request_duration_seconds_count', { route })) > 0,
      }).toEqual({
        route,
        seen: true,
      });
    expect(
      await metric(demo, 'queue_jobs_total', { queue: 'receipts', status: 'completed' }),
    ).toBeGreaterThan(0);
    expect(
      await metric(demo, 'file_operation_duration_seconds_count', { operation: 'upload', status: 'ok' }),
    ).toBeGreaterThan(0);
    expect(await metric(demo, 'db_client_n_plus_one_total')).toBe(0);
  });

  test('the admin endpoint needs its token and names the phases it accepts', async () => {
    expect((await phase(demo, 'slow-checkout', 'wrong-token-0000000000000')).status).toBe(401);
    const res = await phase(demo, 'bogus');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /slow-checkout.*error-burst.*n-plus-one.*failing-jobs/,
    );
    expect(demo.phase()).toBe('normal');
  });

  test('slow-checkout makes checkouts take over a second, with a slow query', async () => {
    expect((await phase(demo, 'slow-checkout')).status).toBe(200);
    const slowBefore = await metric(demo, 'http_server_request_duration_seconds_bucket', {
      route: '/api/checkout',
      le: '1',
    });
    const allBefore = await metric(demo, 'http_server_request_duration_seconds_count', {
      route: '/api/checkout',
    });
    await load(demo, 3);
    await phase(demo, 'normal');
    const fast =
      (await metric(demo, 'http_server_request_duration_seconds_bucket', {
        route: '/api/checkout',
        le: '1',
      })) - slowBefore;
    const all =
      (await metric(demo, 'http_server_request_duration_seconds_count', { route: '/api/checkout' })) -
      allBefore;
    expect(all).toBeGreaterThan(5);
    expect(fast).toBe(0);
    expect(await metric(demo, 'db_client_slow_queries_total')).toBeGreaterThan(0);
  });

  test('error-burst fails checkouts with 500 through real database errors', async () => {
    await phase(demo, 'error-burst');
    const total = await load(demo, 3);
    await phase(demo, 'normal');
    expect(total.byStatus['500']).toBeGreaterThan(0);
    expect(await metric(demo, 'db_client_queries_total', { status: 'error' })).toBeGreaterThan(0);
    expect(await metric(demo, 'http_server_errors_total', { route: '/api/checkout' })).toBeGreaterThan(0);
  });

  test('n-plus-one is detected on the category page', async () => {
    await phase(demo, 'n-plus-one');
    await load(demo, 3);
    await phase(demo, 'normal');
    expect(await metric(demo, 'db_client_n_plus_one_total', { route: '/api/products' })).toBeGreaterThan(0);
  });

  test('failing-jobs retries report exports, then fails them, with failed bundles', async () => {
    await phase(demo, 'failing-jobs');
    await load(demo, 3);
    // Retries wait 200 ms; let them finish before checking.
    await new Promise((r) => setTimeout(r, 1500));
    await phase(demo, 'normal');
    expect(await metric(demo, 'queue_jobs_total', { queue: 'reports', status: 'retried' })).toBeGreaterThan(
      0,
    );
    expect(await metric(demo, 'queue_jobs_total', { queue: 'reports', status: 'failed' })).toBeGreaterThan(0);
    expect(
      await metric(demo, 'file_operation_duration_seconds_count', { operation: 'bundle', status: 'error' }),
    ).toBeGreaterThan(0);
  });
});

describe('load schedule', () => {
  test('parses phase:seconds steps and combined faults', () => {
    expect(parseSchedule('normal:60, slow-checkout+failing-jobs:30')).toEqual([
      { phase: 'normal', seconds: 60 },
      { phase: 'slow-checkout,failing-jobs', seconds: 30 },
    ]);
  });

  test('rejects an unknown phase or a step without seconds, saying what is expected', () => {
    expect(() => parseSchedule('slow:60')).toThrow(/unknown phase "slow"/);
    expect(() => parseSchedule('normal')).toThrow(/phase:seconds/);
  });
});
