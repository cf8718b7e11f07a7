/**
 * `npm run stack -- --laravel`: the Laravel example app, its scheduler and queue worker run beside the
 * demo and report to the stack's Perfwatch service. Real PostgreSQL and Redis, private schema and prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type RunningStack, startStack } from '../src/stack';

jest.setTimeout(120_000);

const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PERFWATCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `stack_laravel_${process.pid}_${Date.now()}`;

let stack: RunningStack;
let dir: string;

/** Sum of the service's samples of `name` whose labels contain every given pair. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${stack.urls.exporter}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-stack-laravel-'));
  stack = await startStack({
    ports: 'ephemeral',
    runDir: dir,
    rps: 0,
    databaseUrl: PG_URL,
    redisUrl: REDIS_URL,
    demoSchema: RUN,
    queuePrefix: `pw-${RUN}`,
    laravel: true,
    laravelSchema: `${RUN}_laravel`,
    laravelPrefix: `${RUN}_`,
  });
});

afterAll(async () => {
  await stack?.stop();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists "${RUN}" cascade`);
  await client.query(`drop schema if exists "${RUN}_laravel" cascade`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

test("the Laravel example's requests reach the stack's Perfwatch under their route templates", async () => {
  const res = await fetch(`${stack.urls.laravel!}/books`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as unknown[]).length).toBe(8);
  await until(
    'the /books request in Perfwatch',
    async () => (await metric('http_server_request_duration_seconds_count', { route: '/books' })) === 1,
  );
  expect(await metric('db_client_n_plus_one_total', { route: '/books' })).toBe(1);
});

test('its queue worker runs the jobs the app dispatches', async () => {
  expect((await fetch(`${stack.urls.laravel!}/jobs/ok`, { method: 'POST' })).status).toBe(202);
  await until(
    'the job completed in Perfwatch',
    async () =>
      (await metric('queue_jobs_total', { job_name: 'App\\\\Jobs\\\\SendInvoice', status: 'completed' })) ===
      1,
  );
});
