/**
 * The example Laravel app (examples/laravel-app, Debian's PHP 8.2 and Laravel 8.83) with the Perfwatch
 * client from clients/laravel, against real MariaDB, PostgreSQL and Redis, reporting to a real
 * Perfwatch service; Prometheus 2.42 scrapes that service and evaluates rules generated for an SLA on a
 * Laravel route.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load';
import type { PerfwatchConfigInput } from '../src/config/schema';
import { generate } from '../src/sla/generate';
import {
  artisan,
  ensurePhp,
  type Env,
  laravelStorage,
  mariadbDatabase,
  postgresSchema,
  startLaravel,
} from './support/laravel';
import { REDIS_URL } from '../library/test/support/env';
import { killAll } from '../library/test/support/processes';
import { eventually, promQuery, startPrometheus } from './support/prometheus-stack';
import { series } from '../library/test/support/prom-text';
import { startTestService, TOKENS, type TestService } from './support/service';

jest.setTimeout(180_000);

const APP = `laravel-example-${process.pid}`;
const REDIS_PREFIX = `pw_laravel_${process.pid}_${Date.now()}_`;

const SLA: PerfwatchConfigInput = {
  sla: {
    job: 'laravel',
    service: 'billing',
    endpoints: [
      {
        route: '/invoices/{id}',
        method: 'GET',
        latency: 'p95 < 1s',
        errorRate: '< 1%',
        priority: 'high',
        escalation: { latency: { emergency: '5s' } },
      },
    ],
  },
};

let svc: TestService;
let storage: ReturnType<typeof laravelStorage>;
let db: { env: Env; drop: () => Promise<void> };
let env: Env;
let app: { url: string; stop: () => Promise<void> };
const UPLOAD_BYTES = 300_000;

const metrics = async () => (await svc.api('/metrics')).text();
const value = async (name: string, labels: Record<string, string>) =>
  series(await metrics(), name, labels).reduce((sum, s) => sum + s.value, 0);

const batches = () => value('perfwatch_ingest_batches_total', { app: APP });

/**
 * Runs `work` (requests, artisan commands) and waits until Perfwatch has received `expected` more
 * batches from the app: the client sends after the response, so the response alone proves nothing.
 */
async function settled<T>(work: () => Promise<T>, expected = 1): Promise<T> {
  const before = await batches();
  const result = await work();
  await eventually(`${expected} batch(es) from the app`, async () =>
    (await batches()) >= before + expected ? true : undefined,
  );
  return result;
}

function get(pathname: string, base = (): string => app.url): Promise<Response> {
  return settled(() => fetch(`${base()}${pathname}`, { headers: { accept: 'application/json' } }));
}

interface SlowList {
  items: Array<{ id: string; fingerprint: string }>;
}
interface SlowDetail {
  newest: Array<{ route: string; callSite: string | null; nPlusOne: boolean; dbSystem: string }>;
}
async function slowQuery(text: string): Promise<SlowDetail> {
  const list = (await (
    await svc.api(`/api/v1/slow-queries?q=${encodeURIComponent(text)}`, { scope: 'read' })
  ).json()) as SlowList;
  if (list.items.length === 0) throw new Error(`no slow query matching ${text}`);
  return (await (
    await svc.api(`/api/v1/slow-queries/${list.items[0].id}`, { scope: 'read' })
  ).json()) as SlowDetail;
}

beforeAll(async () => {
  ensurePhp();
  svc = await startTestService({
    ...SLA,
    queries: { nPlusOneThreshold: 5 },
    health: {
      checks: [
        {
          type: 'schedule',
          name: 'remind-schedule',
          task: 'invoices:remind',
          maxAgeSeconds: 120,
          intervalMs: 200,
        },
        // Reads the keys Laravel's RedisQueue writes, under the app's Redis prefix.
        {
          type: 'laravel-queue',
          name: 'default-queue',
          url: REDIS_URL,
          queue: 'default',
          prefix: REDIS_PREFIX,
          maxWaiting: 1,
          intervalMs: 200,
        },
      ],
    },
  });
  storage = laravelStorage();
  db = await mariadbDatabase();
  env = {
    ...db.env,
    ...storage.env,
    REDIS_PREFIX,
    PERFWATCH_URL: svc.url,
    PERFWATCH_TOKEN: TOKENS.ingest,
    PERFWATCH_APP: APP,
    // Generous here, where the machine is shared: this suite checks what arrives, not the timeout.
    PERFWATCH_TIMEOUT_MS: '5000',
    PERFWATCH_CONNECT_TIMEOUT_MS: '5000',
  };
  const setup = await artisan({ ...env, PERFWATCH_ENABLED: 'false' }, ['app:setup']);
  expect(setup).toMatchObject({ code: 0 });
  app = await startLaravel(env);
});

afterAll(async () => {
  await app?.stop();
  await svc?.close();
  await db?.drop();
  storage?.remove();
  await killAll();
});

describe('the example Laravel app on MariaDB reports to Perfwatch', () => {
  test('requests land in the request histogram by route template, with a leading slash', async () => {
    for (let i = 0; i < 3; i++) expect(await (await get('/fast')).json()).toEqual({ ok: true });
    expect((await get('/invoices/7')).status).toBe(200);
    expect(
      await value('http_server_request_duration_seconds_count', {
        route: '/fast',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(3);
    expect(
      await value('http_server_request_duration_seconds_count', {
        route: '/invoices/{id}',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await value('db_client_queries_per_request_count', { route: '/invoices/{id}' }),
    ).toBeGreaterThanOrEqual(1);
  });

  test('a slow query is kept with the PHP call site that issued it', async () => {
    expect((await get('/reports/slow')).status).toBe(200);
    const detail = await slowQuery('sleep');
    expect(detail.newest[0]).toMatchObject({
      route: '/reports/slow',
      dbSystem: 'mysql',
      callSite: expect.stringMatching(/^app\/Http\/Controllers\/ShopController\.php:\d+$/),
    });
  });

  test('the N+1 loop is flagged, pointing at the line inside the loop', async () => {
    expect((await get('/books')).status).toBe(200);
    expect(await value('db_client_n_plus_one_total', { route: '/books' })).toBe(1);
    const detail = await slowQuery('authors');
    const sample = detail.newest.find((s) => s.nPlusOne)!;
    expect(sample).toMatchObject({
      route: '/books',
      callSite: expect.stringMatching(/ShopController\.php:\d+$/),
    });
    // The line of the author lookup inside the foreach, not the books query above it.
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(
      path.join(__dirname, '../../examples/laravel-app/app/Http/Controllers/ShopController.php'),
      'utf8',
    ).split('\n');
    const line = Number(sample.callSite!.split(':')[1]);
    expect(source[line - 1]).toContain("DB::table('authors')");
  });

  test('an upload is measured with its bytes, and the request with its memory peak', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(UPLOAD_BYTES).fill(7)]), 'scan.bin');
    const res = await settled(() =>
      fetch(`${app.url}/upload`, { method: 'POST', body: form, headers: { accept: 'application/json' } }),
    );
    expect(res.status).toBe(201);
    expect(await value('file_operation_bytes_sum', { operation: 'upload' })).toBe(UPLOAD_BYTES);
    expect(await value('file_operation_duration_seconds_count', { operation: 'upload', status: 'ok' })).toBe(
      1,
    );
    expect(await value('http_server_request_body_size_bytes_sum', { route: '/upload' })).toBeGreaterThan(
      UPLOAD_BYTES,
    );
    // PHP streams the upload to a temporary file: the peak is the framework's, a few hundred KiB at least.
    expect(
      await value('http_server_request_memory_peak_bytes_count', { route: '/upload', method: 'POST' }),
    ).toBe(1);
    expect(await value('http_server_request_memory_peak_bytes_sum', { route: '/upload' })).toBeGreaterThan(
      256 * 1024,
    );
  });

  test('an unhandled exception is a 500 counted by class and route', async () => {
    expect((await get('/boom')).status).toBe(500);
    expect(await value('http_server_errors_total', { route: '/boom', error_class: 'RuntimeException' })).toBe(
      1,
    );
    expect(
      await value('http_server_request_duration_seconds_count', { route: '/boom', status_code: '500' }),
    ).toBe(1);
  });

  test('a 404 is recorded under the unmatched route and is not an exception', async () => {
    expect((await get('/no/such/page')).status).toBe(404);
    expect(
      await value('http_server_request_duration_seconds_count', {
        route: '__unmatched__',
        status_code: '404',
      }),
    ).toBe(1);
    expect(series(await metrics(), 'http_server_errors_total', { route: '__unmatched__' })).toEqual([]);
  });

  test('queue depth is reported with the heartbeat, then jobs complete, retry and fail with their wait', async () => {
    expect((await settled(() => fetch(`${app.url}/jobs/ok`, { method: 'POST' }))).status).toBe(202);
    expect((await settled(() => fetch(`${app.url}/jobs/failing`, { method: 'POST' }))).status).toBe(202);
    const beat = await artisan(env, ['perfwatch:heartbeat']);
    expect(beat).toMatchObject({ code: 0, stdout: expect.stringContaining('heartbeat sent') });
    expect(await value('queue_depth', { queue: 'default', state: 'waiting' })).toBe(2);
    // The service's own check of the same Redis queue sees both jobs, one more than it allows.
    const check = await eventually('the queue check to see both jobs', async () => {
      const body = (await (await svc.api('/api/v1/health/checks', { scope: 'read' })).json()) as {
        checks: Array<{ name: string; status: string; details: Record<string, unknown> }>;
      };
      const c = body.checks.find((x) => x.name === 'default-queue');
      return c?.details.waiting === 2 ? c : undefined;
    });
    expect(check).toMatchObject({ status: 'down', details: { waiting: 2, delayed: 0, reserved: 0 } });

    // One batch per job attempt: completed, retried, failed.
    const work = await settled(
      () => artisan(env, ['queue:work', '--stop-when-empty', '--sleep=0', '--backoff=0']),
      3,
    );
    expect(work.code).toBe(0);
    const job = (name: string, status: string) =>
      value('queue_jobs_total', { queue: 'default', job_name: `App\\Jobs\\${name}`, status });
    expect(await job('SendInvoice', 'completed')).toBe(1);
    expect(await job('ChargeCard', 'retried')).toBe(1);
    expect(await job('ChargeCard', 'failed')).toBe(1);
    // Waited from the push over HTTP to the worker: at least the time the heartbeat command took.
    expect(await value('queue_job_wait_seconds_count', { job_name: 'App\\Jobs\\SendInvoice' })).toBe(1);
    expect(await value('queue_job_wait_seconds_sum', { job_name: 'App\\Jobs\\SendInvoice' })).toBeGreaterThan(
      0.01,
    );
    expect(await value('queue_last_success_timestamp_seconds', { queue: 'default' })).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
  });

  test('the app names itself in every batch: its heartbeat is recent', async () => {
    const seen = await value('perfwatch_ingest_last_seen_timestamp_seconds', { app: APP });
    expect(seen).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(await value('perfwatch_ingest_batches_total', { app: APP })).toBeGreaterThan(5);
    expect(await value('perfwatch_ingest_unsent_events_total', { app: APP })).toBe(0);
  });

  test('the scheduler reports each task outcome, and the schedule health check sees the success', async () => {
    const run = await artisan(env, ['schedule:run']);
    expect(run.code).toBe(0);
    expect(await value('schedule_task_runs_total', { task: 'invoices:remind', status: 'success' })).toBe(1);
    expect(await value('schedule_task_runs_total', { task: 'reports:send', status: 'failed' })).toBe(1);
    expect(await value('schedule_task_runs_total', { task: 'perfwatch:heartbeat', status: 'success' })).toBe(
      1,
    );
    expect(
      await value('schedule_task_last_success_timestamp_seconds', { task: 'invoices:remind' }),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
    await eventually('the schedule check to pass', async () => {
      const body = (await (await svc.api('/api/v1/health/checks', { scope: 'read' })).json()) as {
        checks: Array<{ name: string; status: string }>;
      };
      return body.checks.find((c) => c.name === 'remind-schedule')?.status === 'up' ? true : undefined;
    });
  });
});

describe('the same app on PostgreSQL', () => {
  let pg: { env: Env; drop: () => Promise<void> };
  let pgApp: { url: string; stop: () => Promise<void> };
  let pgStorage: ReturnType<typeof laravelStorage>;
  beforeAll(async () => {
    pg = await postgresSchema();
    pgStorage = laravelStorage();
    const pgEnv = { ...env, ...pg.env, ...pgStorage.env };
    expect(await artisan({ ...pgEnv, PERFWATCH_ENABLED: 'false' }, ['app:setup'])).toMatchObject({ code: 0 });
    pgApp = await startLaravel(pgEnv);
  });
  afterAll(async () => {
    await pgApp?.stop();
    await pg?.drop();
    pgStorage?.remove();
  });

  test('slow queries and the N+1 loop carry db_system postgresql and PHP call sites', async () => {
    const flaggedBefore = await value('db_client_n_plus_one_total', { route: '/books' });
    expect((await get('/reports/slow', () => pgApp.url)).status).toBe(200);
    expect((await get('/books', () => pgApp.url)).status).toBe(200);
    const slow = await slowQuery('pg_sleep');
    expect(slow.newest[0]).toMatchObject({
      dbSystem: 'postgresql',
      route: '/reports/slow',
      callSite: expect.stringMatching(/^app\/Http\/Controllers\/ShopController\.php:\d+$/),
    });
    expect(await value('db_client_n_plus_one_total', { route: '/books' })).toBe(flaggedBefore + 1);
    expect(
      await value('db_client_queries_total', { db_system: 'postgresql', operation: 'SELECT' }),
    ).toBeGreaterThan(9);
  });
});

describe('an SLA on a Laravel route', () => {
  let dir: string;
  let prometheus: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-laravel-sla-'));
    mkdirSync(path.join(dir, 'rules'));
    for (const [rel, content] of generate(parseConfig(SLA)).files)
      if (rel.startsWith('alert-rules/') && !rel.includes('/tests/'))
        writeFileSync(path.join(dir, 'rules', path.basename(rel)), content);
    prometheus = await startPrometheus({
      dir,
      ruleFiles: [path.join(dir, 'rules/*.yml')],
      targets: [{ job: 'laravel', target: new URL(svc.url).host }],
      scrapeInterval: '1s',
      evaluationInterval: '1s',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is evaluated by the generated rules from the client's events", async () => {
    // Both outcomes exist before Prometheus's first scrape, so rate() sees every later request.
    expect((await get('/invoices/1')).status).toBe(200);
    expect((await get('/invoices/1?fail=1')).status).toBe(500);
    await eventually('the first scrape', async () =>
      (
        await promQuery(
          prometheus,
          'http_server_request_duration_seconds_count{job="laravel",route="/invoices/{id}"}',
        )
      ).length >= 2
        ? true
        : undefined,
    );
    // 10 requests: 2 slower than the 1 s target, 1 failed.
    const paths = ['?slow=1', '?slow=1', '?fail=1', '', '', '', '', '', '', ''];
    for (const q of paths) await get(`/invoices/2${q}`);
    const sent = await value('http_server_request_duration_seconds_count', { route: '/invoices/{id}' });
    await eventually('Prometheus to have scraped every request', async () => {
      const r = await promQuery(
        prometheus,
        'sum(http_server_request_duration_seconds_count{job="laravel",route="/invoices/{id}"})',
      );
      return Number(r[0]?.value[1]) === sent ? true : undefined;
    });
    // Rules run every second on what was scraped: give them two rounds on the complete data.
    await new Promise((r) => setTimeout(r, 2500));
    const slow = Number(
      (await promQuery(prometheus, 'route:sla_slow_per_requests:ratio_rate5m{route="/invoices/{id}"}'))[0]
        ?.value[1],
    );
    expect(slow).toBeCloseTo(0.2, 1);
    const errors = Number(
      (await promQuery(prometheus, 'route:sla_errors_per_requests:ratio_rate5m{route="/invoices/{id}"}'))[0]
        ?.value[1],
    );
    expect(errors).toBeCloseTo(0.1, 1);
  });
});
