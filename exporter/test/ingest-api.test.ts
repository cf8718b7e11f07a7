import { gzipSync } from 'node:zlib';
import type { RecordedQuery } from '@perfwatch/node/internal';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({
    ingest: { maxBatch: 50, bodyLimitBytes: 64 * 1024, maxLabelLength: 64 },
    metrics: { labelCaps: { routes: 40 } },
    queries: { nPlusOneThreshold: 3 },
  });
});
afterAll(() => svc.close());

const post = (body: unknown, scope: 'ingest' | 'read' = 'ingest') =>
  svc.api('/api/v1/events', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    scope,
  });
const metrics = async () => (await svc.api('/metrics')).text();

describe('POST /api/v1/events', () => {
  test('a valid batch is recorded as the in-process metrics', async () => {
    const res = await post({
      events: [
        {
          kind: 'request',
          method: 'GET',
          route: '/invoices/{id}',
          status: 200,
          durationMs: 120,
          responseBytes: 2048,
        },
        { kind: 'request', method: 'post', route: '/login', status: 500, durationMs: 30 },
        {
          kind: 'job',
          queue: 'mail',
          jobName: 'SendInvoice',
          status: 'completed',
          durationMs: 800,
          waitMs: 50,
        },
        { kind: 'file_operation', operation: 'pdf_render', status: 'ok', durationMs: 900, bytes: 300_000 },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 4, rejected: [] });
    const text = await metrics();
    expect(
      series(text, 'http_server_request_duration_seconds_count', {
        route: '/invoices/{id}',
        status_code: '200',
        method: 'GET',
      })[0].value,
    ).toBe(1);
    expect(
      series(text, 'http_server_request_duration_seconds_count', {
        route: '/login',
        method: 'POST',
        status_code: '500',
      })[0].value,
    ).toBe(1);
    expect(
      series(text, 'queue_jobs_total', { queue: 'mail', job_name: 'SendInvoice', status: 'completed' })[0]
        .value,
    ).toBe(1);
    expect(series(text, 'queue_job_wait_seconds_sum', { queue: 'mail' })[0].value).toBeCloseTo(0.05);
    expect(series(text, 'file_operation_bytes_sum', { operation: 'pdf_render' })[0].value).toBe(300_000);
  });

  test('a batch with bad events records the good ones and reports each bad one', async () => {
    const res = await post({
      events: [
        { kind: 'request', method: 'GET', route: '/ok', status: 200, durationMs: 5 },
        { kind: 'request', method: 'GET', route: '/bad', status: 99, durationMs: 5 },
        { kind: 'teleport', x: 1 },
        'not an object',
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      rejected: Array<{ index: number; kind: string; reason: string }>;
    };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.kind])).toEqual([
      [1, 'request'],
      [2, 'unknown'],
      [3, 'unknown'],
    ]);
    expect(body.rejected[0].reason).toMatch(/^status: /);
    expect(
      series(await metrics(), 'perfwatch_ingest_events_total', { kind: 'request', status: 'rejected' })[0]
        .value,
    ).toBe(1);
  });

  test('an ingested slow query appears in the slow-query API with its route', async () => {
    await post({
      events: [
        {
          kind: 'query',
          dbSystem: 'mysql',
          database: 'shop',
          sql: "select * from carts where user_id = 77 and token = 'abc'",
          durationMs: 420,
          route: 'CartController@show',
          requestId: 'laravel-1',
        },
      ],
    });
    const list = (await (await svc.api('/api/v1/slow-queries?q=carts', { scope: 'read' })).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(list.items[0]).toMatchObject({
      fingerprint: 'select * from carts where user_id = ? and token = ?',
      maxMs: 420,
      database: 'shop',
    });
    const detail = (await (
      await svc.api(`/api/v1/slow-queries/${list.items[0].id as string}`, { scope: 'read' })
    ).json()) as {
      newest: Array<{ route: string; requestId: string; sample: string }>;
    };
    expect(detail.newest[0]).toMatchObject({ route: 'CartController@show', requestId: 'laravel-1' });
    expect(detail.newest[0].sample).not.toContain('abc');
  });

  test("an ingested slow query is stored under its batch's app, the service the page groups by", async () => {
    const query = (requestId: string) => ({
      kind: 'query',
      dbSystem: 'postgresql',
      sql: 'select * from invoices_by_app where id = 1',
      durationMs: 300,
      route: 'InvoiceController@show',
      requestId,
    });
    expect((await post({ app: 'billing', events: [query('billing-1')] })).status).toBe(200);
    expect((await post({ events: [query('unnamed-1')] })).status).toBe(200);
    const newest = async (service: string) => {
      const list = (await (
        await svc.api(`/api/v1/slow-queries?q=invoices_by_app&service=${service}`, { scope: 'read' })
      ).json()) as { items: Array<{ id: string }> };
      const detail = (await (
        await svc.api(`/api/v1/slow-queries/${list.items[0].id}?service=${service}`, { scope: 'read' })
      ).json()) as { newest: Array<{ requestId: string; service: string | null }> };
      return detail.newest;
    };
    expect(await newest('billing')).toEqual([
      expect.objectContaining({ requestId: 'billing-1', service: 'billing' }),
    ]);
    expect(await newest('(none)')).toEqual([
      expect.objectContaining({ requestId: 'unnamed-1', service: null }),
    ]);
  });

  test('too many events in one batch is a 413 that says to split it', async () => {
    const events = Array.from({ length: 51 }, () => ({
      kind: 'request',
      method: 'GET',
      route: '/x',
      status: 200,
      durationMs: 1,
    }));
    const res = await post({ events });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { message: expect.stringMatching(/at most 50 events.*split/) },
    });
  });

  test('a body over ingest.bodyLimitBytes is a JSON 413, counted as a dropped batch', async () => {
    // 100 KiB: under server.bodyLimitBytes (1 MiB), over the ingestion limit configured above.
    const res = await post({ events: [], pad: 'x'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'body_too_large' } });
    expect(
      series(await metrics(), 'perfwatch_dropped_total', { component: 'ingest', reason: 'body_too_large' })[0]
        .value,
    ).toBe(1);
  });

  test('the ingestion body limit also applies with a trailing slash', async () => {
    const res = await svc.api('/api/v1/events/', {
      method: 'POST',
      body: JSON.stringify({ events: [], pad: 'x'.repeat(100 * 1024) }),
      scope: 'ingest',
    });
    expect(res.status).toBe(413);
  });

  test('a gzip-compressed batch is accepted', async () => {
    const body = gzipSync(
      JSON.stringify({
        events: [{ kind: 'request', method: 'GET', route: '/gzipped', status: 200, durationMs: 3 }],
      }),
    );
    const res = await svc.api('/api/v1/events', {
      method: 'POST',
      body,
      scope: 'ingest',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
    });
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
  });

  test('a body that is not JSON is a JSON 400', async () => {
    const res = await post('{"events": [');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  test('a label value longer than ingest.maxLabelLength is rejected with its field', async () => {
    const res = await post({
      events: [{ kind: 'job', queue: 'q'.repeat(65), jobName: 'x', status: 'completed', durationMs: 1 }],
    });
    const body = (await res.json()) as { rejected: Array<{ reason: string }> };
    expect(body.rejected[0].reason).toMatch(/^queue: Too big: expected string to have <=64 characters/);
  });

  test('distinct ingested routes past the cap fold into __overflow__ and are counted', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      kind: 'request',
      method: 'GET',
      route: `/generated/${i}`,
      status: 200,
      durationMs: 1,
    }));
    expect(((await (await post({ events })).json()) as { accepted: number }).accepted).toBe(50);
    const text = await metrics();
    const routes = new Set(
      series(text, 'http_server_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect(routes.size).toBeLessThanOrEqual(41);
    expect(routes.has('__overflow__')).toBe(true);
    expect(
      series(text, 'perfwatch_label_values_folded_total', {
        metric: 'http_server_request_duration_seconds',
        label: 'route',
      })[0].value,
    ).toBeGreaterThan(0);
  });

  test('an ingested query is recorded through the core with its own route and request id', async () => {
    const seen: RecordedQuery[] = [];
    const off = svc.ctx.recorder.onQuery((q) => seen.push(q));
    try {
      await post({
        events: [
          { kind: 'query', dbSystem: 'postgresql', sql: 'select 1', durationMs: 2, route: 'orders.index' },
          { kind: 'query', dbSystem: 'postgresql', sql: 'select 2', durationMs: 2 },
        ],
      });
    } finally {
      off();
    }
    expect(seen.map((q) => [q.route, q.requestId, q.work])).toEqual([
      ['orders.index', undefined, undefined],
      // Not attributed to the service's own POST /api/v1/events request.
      ['__unmatched__', undefined, undefined],
    ]);
  });

  test('the same query shape repeated in one ingested request is flagged as N+1', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      kind: 'query',
      dbSystem: 'mysql',
      sql: `select * from order_lines where order_id = ${i + 1}`,
      durationMs: 1,
      route: 'OrderController@index',
      requestId: 'req-n-plus-one',
    }));
    await post({ events });
    expect(
      series(await metrics(), 'db_client_n_plus_one_total', { route: 'OrderController@index' })[0].value,
    ).toBe(1);
    const list = (await (await svc.api('/api/v1/slow-queries?q=order_lines', { scope: 'read' })).json()) as {
      items: Array<{ nPlusOne: boolean; fingerprint: string }>;
    };
    expect(list.items[0]).toMatchObject({
      fingerprint: 'select * from order_lines where order_id = ?',
      nPlusOne: true,
    });
  });

  test('queries spread over different request ids are not N+1', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      kind: 'query',
      dbSystem: 'mysql',
      sql: `select * from invoices_lines where invoice_id = ${i}`,
      durationMs: 1,
      route: 'InvoiceController@index',
      requestId: `req-${i}`,
    }));
    await post({ events });
    expect(
      series(await metrics(), 'db_client_n_plus_one_total', { route: 'InvoiceController@index' }),
    ).toEqual([]);
  });

  test('a job event from a clock ahead of ours does not date the last success in the future', async () => {
    const now = Date.now();
    await post({
      events: [
        {
          kind: 'job',
          queue: 'billing',
          jobName: 'Charge',
          status: 'completed',
          durationMs: 5,
          time: now + 3_600_000,
          queryCount: 4,
        },
      ],
    });
    const text = await metrics();
    expect(
      series(text, 'queue_last_success_timestamp_seconds', { queue: 'billing' })[0].value,
    ).toBeLessThanOrEqual(Date.now() / 1000);
    expect(series(text, 'db_client_queries_per_request_sum', { route: 'billing:Charge' })[0].value).toBe(4);
  });

  test('no token is a 401', async () => {
    const res = await svc.api('/api/v1/events', { method: 'POST', body: JSON.stringify({ events: [] }) });
    expect(res.status).toBe(401);
  });

  test('a body without an events array is a 400', async () => {
    expect((await post({ event: {} })).status).toBe(400);
  });

  test('a read token cannot ingest', async () => {
    expect((await post({ events: [] }, 'read')).status).toBe(403);
  });
});

describe('the app heartbeat on POST /api/v1/events', () => {
  test('an empty batch that names its app records when that app was last seen', async () => {
    const before = Date.now() / 1000;
    const res = await post({ app: 'billing-heartbeat', events: [] });
    expect(res.status).toBe(200);
    const text = await metrics();
    const [seen] = series(text, 'perfwatch_ingest_last_seen_timestamp_seconds', { app: 'billing-heartbeat' });
    expect(seen.value).toBeGreaterThanOrEqual(Math.floor(before));
    expect(seen.value).toBeLessThanOrEqual(Date.now() / 1000);
    expect(series(text, 'perfwatch_ingest_batches_total', { app: 'billing-heartbeat' })[0].value).toBe(1);
  });

  test('a batch whose events are all rejected still counts as the app being alive', async () => {
    const res = await post({ app: 'rejected-but-alive', events: [{ kind: 'teleport' }] });
    expect(res.status).toBe(400);
    const text = await metrics();
    expect(series(text, 'perfwatch_ingest_batches_total', { app: 'rejected-but-alive' })[0].value).toBe(1);
  });

  test('an app name that cannot be a label value is refused with a message', async () => {
    const res = await post({ app: 'billing app"}', events: [] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^app: .*names the sending app/,
    );
    expect(series(await metrics(), 'perfwatch_ingest_batches_total', { app: 'billing app"}' })).toEqual([]);
  });

  test('a batch without an app records no heartbeat series', async () => {
    const before = series(await metrics(), 'perfwatch_ingest_batches_total').length;
    await post({ events: [] });
    expect(series(await metrics(), 'perfwatch_ingest_batches_total').length).toBe(before);
  });
});
