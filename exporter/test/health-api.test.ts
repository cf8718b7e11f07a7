import { tmpdir } from 'node:os';
import { parseConfig } from '../src/config/load';
import type { HealthResult } from '../src';
import { PG_URL, REDIS_URL } from '../library/test/support/env';
import { freePort } from '../library/test/support/processes';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';
import { blackHole, type TcpServer } from '../library/test/support/tcp';

const ENV = `PW_TEST_HEALTH_PG_${process.pid}`;
let svc: TestService;
let hole: TcpServer;

beforeAll(async () => {
  hole = await blackHole();
  const closed = await freePort();
  process.env[ENV] = PG_URL;
  svc = await startTestService({
    health: {
      intervalMs: 60_000,
      timeoutMs: 3_000,
      checks: [
        { name: 'main-db', type: 'postgres', urlEnv: ENV },
        { name: 'cache', type: 'redis', url: `redis://127.0.0.1:${closed}` },
        { name: 'tmp-disk', type: 'disk', path: tmpdir(), minFreeBytes: 1 },
        { name: 'mail-queue', type: 'bullmq', url: REDIS_URL, queue: `pw-health-${process.pid}` },
        { name: 'secrets-missing', type: 'mysql', urlEnv: 'PW_TEST_UNSET_VARIABLE' },
        // Hangs for the whole test: the endpoint must not wait for it.
        { name: 'hung', type: 'redis', url: `redis://127.0.0.1:${hole.port}`, timeoutMs: 120_000 },
      ],
    },
  });
});
afterAll(async () => {
  await svc.close();
  await hole.close();
  delete process.env[ENV];
});

async function checks(): Promise<Record<string, HealthResult>> {
  const res = await svc.api('/api/v1/health/checks', { scope: 'read' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { checks: HealthResult[] };
  return Object.fromEntries(body.checks.map((c) => [c.name, c]));
}

/** Polls until every check but the hung one has run once (they start with the service). */
async function settled(): Promise<Record<string, HealthResult>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const all = await checks();
    const waiting = Object.values(all).filter((c) => c.name !== 'hung' && c.status === 'pending');
    if (waiting.length === 0 || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /api/v1/health/checks', () => {
  test('shows each configured check with its outcome and details', async () => {
    const all = await settled();
    expect(all['main-db']).toMatchObject({ status: 'up', type: 'postgres', error: null });
    expect(all.cache).toMatchObject({
      status: 'down',
      type: 'redis',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(all['tmp-disk'].details.freeBytes).toBeGreaterThan(0);
    expect(all['mail-queue']).toMatchObject({ status: 'up', details: { paused: false, waiting: 0 } });
    expect(all['secrets-missing']).toMatchObject({
      status: 'down',
      error: expect.stringMatching(/environment variable PW_TEST_UNSET_VARIABLE .* is not set/),
    });
  });

  test('answers from the last results while a check hangs', async () => {
    const all = await checks();
    expect(all.hung).toMatchObject({ status: 'pending', lastRunAt: null, timeoutMs: 120_000 });
  });

  test('exports every check as perfwatch_health_check_up and its duration', async () => {
    await settled();
    const text = await (await svc.api('/metrics')).text();
    expect(series(text, 'perfwatch_health_check_up', { check: 'main-db' })[0].value).toBe(1);
    expect(series(text, 'perfwatch_health_check_up', { check: 'cache' })[0].value).toBe(0);
    expect(
      series(text, 'perfwatch_health_check_duration_seconds', { check: 'main-db' })[0].value,
    ).toBeGreaterThan(0);
  });

  test('needs the read scope', async () => {
    expect((await svc.api('/api/v1/health/checks', { scope: 'ingest' })).status).toBe(403);
    expect((await svc.api('/api/v1/health/checks')).status).toBe(401);
  });
});

describe('health: in the config', () => {
  test('a check with neither url nor urlEnv is an error naming the field', () => {
    expect(() => parseConfig({ health: { checks: [{ name: 'db', type: 'postgres' }] } })).toThrow(
      /health\.checks\.0\.url: give either url or urlEnv/,
    );
  });

  test('an unknown check type is an error naming the field', () => {
    expect(() =>
      parseConfig({ health: { checks: [{ name: 'x', type: 'mongodb', url: 'mongodb://x' }] } }),
    ).toThrow(/health\.checks\.0\.type/);
  });

  test('two checks with one name are refused', () => {
    expect(() =>
      parseConfig({
        health: {
          checks: [
            { name: 'd', type: 'disk', path: '/' },
            { name: 'd', type: 'disk', path: '/tmp' },
          ],
        },
      }),
    ).toThrow(/check names must be unique/);
  });
});
