/**
 * The ingestion fields PHP/Laravel apps need, through real HTTP against the real service: call sites
 * on query events, memory peaks, exceptions, scheduled tasks, queue depth and route normalisation.
 */
import { Redis } from 'ioredis';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `pw-i16-${process.pid}-${Date.now()}_`;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({
    queries: { nPlusOneThreshold: 3 },
    health: {
      intervalMs: 200,
      checks: [
        { type: 'schedule', name: 'reminders', task: 'invoices:remind', maxAgeSeconds: 60, intervalMs: 200 },
        { type: 'schedule', name: 'cleanup', task: 'files:clean', maxAgeSeconds: 1, intervalMs: 200 },
        {
          type: 'laravel-queue',
          name: 'mail-queue',
          url: REDIS_URL,
          queue: 'mail',
          prefix,
          maxWaiting: 2,
          intervalMs: 200,
        },
      ],
    },
  });
});
afterAll(() => svc.close());

const post = (body: unknown) =>
  svc.api('/api/v1/events', { method: 'POST', body: JSON.stringify(body), scope: 'ingest' });
const metrics = async () => (await svc.api('/metrics')).text();

interface CheckResult {
  name: string;
  status: string;
  error: string | null;
  details: Record<string, unknown>;
  lastRunAt: string | null;
}
async function checkAfter(name: string, since: number): Promise<CheckResult> {
  for (let i = 0; i < 100; i++) {
    const body = (await (await svc.api('/api/v1/health/checks', { scope: 'read' })).json()) as {
      checks: CheckResult[];
    };
    const c = body.checks.find((x) => x.name === name);
    if (c?.lastRunAt && Date.parse(c.lastRunAt) > since) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`check ${name} did not run`);
}

describe('ingestion for Laravel apps', () => {
  test('a route without a leading slash is recorded with one, its placeholders as written', async () => {
    const res = await post({
      app: 'billing',
      events: [
        { kind: 'request', method: 'GET', route: 'invoices/{id}', status: 200, durationMs: 40 },
        { kind: 'request', method: 'GET', route: '/', status: 200, durationMs: 2 },
      ],
    });
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] });
    const text = await metrics();
    expect(
      series(text, 'http_server_request_duration_seconds_count', { route: '/invoices/{id}' })[0].value,
    ).toBe(1);
    expect(series(text, 'http_server_request_duration_seconds_count', { route: 'invoices/{id}' })).toEqual(
      [],
    );
    expect(series(text, 'http_server_request_duration_seconds_count', { route: '/' })[0].value).toBe(1);
  });

  test("a request's memory peak is observed in a histogram by route", async () => {
    await post({
      events: [
        {
          kind: 'request',
          method: 'POST',
          route: 'uploads',
          status: 201,
          durationMs: 80,
          memoryPeakBytes: 12 * 1024 * 1024,
        },
      ],
    });
    const text = await metrics();
    expect(
      series(text, 'http_server_request_memory_peak_bytes_sum', { route: '/uploads', method: 'POST' })[0]
        .value,
    ).toBe(12 * 1024 * 1024);
    expect(
      series(text, 'http_server_request_memory_peak_bytes_bucket', { route: '/uploads', le: '16777216' })[0]
        .value,
    ).toBe(1);
  });

  test('a slow query keeps the call site its client sent', async () => {
    await post({
      events: [
        {
          kind: 'query',
          dbSystem: 'mysql',
          sql: 'select * from ledgers where account_id = ?',
          durationMs: 350,
          route: 'accounts/{account}',
          requestId: 'php-req-1',
          callSite: 'app/Http/Controllers/AccountController.php:42',
        },
      ],
    });
    const list = (await (await svc.api('/api/v1/slow-queries?q=ledgers', { scope: 'read' })).json()) as {
      items: Array<{ id: string }>;
    };
    const detail = (await (
      await svc.api(`/api/v1/slow-queries/${list.items[0].id}`, { scope: 'read' })
    ).json()) as {
      newest: Array<{ route: string; callSite: string | null }>;
      callSites: Array<{ callSite: string; count: number }>;
    };
    expect(detail.newest[0]).toMatchObject({
      route: '/accounts/{account}',
      callSite: 'app/Http/Controllers/AccountController.php:42',
    });
    expect(detail.callSites).toEqual([
      { callSite: 'app/Http/Controllers/AccountController.php:42', count: 1 },
    ]);
  });

  test("an N+1 loop's flagged sample names the loop's call site", async () => {
    const loop = Array.from({ length: 5 }, (_, i) => ({
      kind: 'query',
      dbSystem: 'mysql',
      sql: `select * from authors where id = ${i + 1}`,
      durationMs: 1,
      route: 'books',
      requestId: 'php-req-n1',
      callSite: 'app/Http/Controllers/BookController.php:17',
    }));
    await post({ events: loop });
    const list = (await (await svc.api('/api/v1/slow-queries?q=authors', { scope: 'read' })).json()) as {
      items: Array<{ id: string; nPlusOneCount?: number }>;
    };
    const detail = (await (
      await svc.api(`/api/v1/slow-queries/${list.items[0].id}`, { scope: 'read' })
    ).json()) as { newest: Array<{ nPlusOne: boolean; callSite: string | null; route: string }> };
    expect(detail.newest[0]).toMatchObject({
      nPlusOne: true,
      route: '/books',
      callSite: 'app/Http/Controllers/BookController.php:17',
    });
  });

  test('a call site longer than 512 characters is rejected with its reason', async () => {
    const res = await post({
      events: [
        { kind: 'query', dbSystem: 'mysql', sql: 'select 1', durationMs: 1, callSite: 'x'.repeat(513) },
      ],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { rejected: Array<{ reason: string }> }).rejected[0].reason).toMatch(
      /^callSite:/,
    );
  });

  test('exceptions are counted by class and normalised route', async () => {
    await post({
      events: [
        { kind: 'exception', errorClass: 'Illuminate\\Database\\QueryException', route: 'orders/{order}' },
        {
          kind: 'exception',
          errorClass: 'Illuminate\\Database\\QueryException',
          route: '/orders/{order}',
          count: 2,
        },
        { kind: 'exception', errorClass: 'RuntimeException' },
      ],
    });
    const text = await metrics();
    expect(
      series(text, 'http_server_errors_total', {
        route: '/orders/{order}',
        error_class: 'Illuminate\\Database\\QueryException',
      })[0].value,
    ).toBe(3);
    expect(
      series(text, 'http_server_errors_total', { route: '__unmatched__', error_class: 'RuntimeException' })[0]
        .value,
    ).toBe(1);
  });

  test('scheduled task runs are counted by outcome, timed, and stamp their last success', async () => {
    const finished = Date.now() - 5000;
    await post({
      events: [
        { kind: 'schedule', task: 'reports:daily', status: 'success', durationMs: 1500, time: finished },
        { kind: 'schedule', task: 'reports:daily', status: 'failed', durationMs: 200 },
        { kind: 'schedule', task: 'reports:daily', status: 'skipped', durationMs: 0 },
      ],
    });
    const text = await metrics();
    for (const status of ['success', 'failed', 'skipped'])
      expect(series(text, 'schedule_task_runs_total', { task: 'reports:daily', status })[0].value).toBe(1);
    expect(series(text, 'schedule_task_duration_seconds_count', { task: 'reports:daily' })[0].value).toBe(2);
    expect(
      series(text, 'schedule_task_last_success_timestamp_seconds', { task: 'reports:daily' })[0].value,
    ).toBeCloseTo(finished / 1000, 3);
  });

  test('queue depth reported by the app is a queue_depth gauge by state', async () => {
    await post({
      events: [
        { kind: 'queue_depth', queue: 'emails', state: 'waiting', depth: 12 },
        { kind: 'queue_depth', queue: 'emails', state: 'delayed', depth: 3 },
      ],
    });
    const text = await metrics();
    expect(series(text, 'queue_depth', { queue: 'emails', state: 'waiting' })[0].value).toBe(12);
    expect(series(text, 'queue_depth', { queue: 'emails', state: 'delayed' })[0].value).toBe(3);
  });
});

describe("a client's undelivered events", () => {
  test('the unsent count a batch carries is added up per app', async () => {
    await post({ app: 'portal', events: [], unsent: 7 });
    await post({ app: 'portal', events: [], unsent: 5 });
    expect(series(await metrics(), 'perfwatch_ingest_unsent_events_total', { app: 'portal' })[0].value).toBe(
      12,
    );
  });

  test('a bad unsent value does not cost the batch its events', async () => {
    const res = await post({
      app: 'portal',
      unsent: -3,
      events: [{ kind: 'request', method: 'GET', route: '/still-recorded', status: 200, durationMs: 1 }],
    });
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
    expect(series(await metrics(), 'perfwatch_ingest_unsent_events_total', { app: 'portal' })[0].value).toBe(
      12,
    );
  });
});

describe('health checks for Laravel apps', () => {
  test('a scheduled task that succeeded within its interval is up', async () => {
    await post({
      events: [{ kind: 'schedule', task: 'invoices:remind', status: 'success', durationMs: 30 }],
    });
    const c = await checkAfter('reminders', Date.now());
    expect(c.status).toBe('up');
    expect(c.details).toMatchObject({ task: 'invoices:remind', maxAgeSeconds: 60 });
  });

  test('a scheduled task with no success within its interval is down and stamps its last failure', async () => {
    // maxAgeSeconds 1: the service started over a second ago by the time this check runs again.
    await new Promise((r) => setTimeout(r, 1100));
    await post({ events: [{ kind: 'schedule', task: 'files:clean', status: 'failed', durationMs: 30 }] });
    const c = await checkAfter('cleanup', Date.now());
    expect(c.status).toBe('down');
    expect(c.error).toMatch(/no successful run reported in the last 1 s/);
    const last = series(await metrics(), 'perfwatch_health_check_last_failure_timestamp_seconds', {
      check: 'cleanup',
    })[0].value;
    expect(last).toBeGreaterThan(Date.now() / 1000 - 30);
  });

  test('a Laravel queue on Redis reports its depth and is down past maxWaiting', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const key = `${prefix}queues:mail`;
      await redis.rpush(key, '{"job":"a"}', '{"job":"b"}');
      await redis.zadd(`${key}:delayed`, Date.now() / 1000 + 60, '{"job":"c"}');
      let c = await checkAfter('mail-queue', Date.now());
      expect(c.status).toBe('up');
      expect(c.details).toEqual({ queue: 'mail', waiting: 2, delayed: 1, reserved: 0 });
      await redis.rpush(key, '{"job":"d"}');
      c = await checkAfter('mail-queue', Date.now());
      expect(c.status).toBe('down');
      expect(c.error).toBe('3 jobs waiting, more than 2');
    } finally {
      await redis.del(`${prefix}queues:mail`, `${prefix}queues:mail:delayed`);
      redis.disconnect();
    }
  });
});
