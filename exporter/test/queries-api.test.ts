import { responseViolations } from '../src/openapi/conformance';
import { series } from '../library/test/support/prom-text';
import { pgUrlWithSchema } from '../library/test/support/env';
import { startTestService, type TestService } from './support/service';
import { TcpProxy } from './support/tcp-proxy';

/** Records a query through the service's recorder as an adapter or the ingestion API would. */
function query(svc: TestService, sql: string, ms: number, route: string, time = Date.now()) {
  svc.ctx.recorder.recordQuery({
    dbSystem: 'postgresql',
    database: 'shop',
    sql,
    durationSeconds: ms / 1000,
    route,
    time,
  });
}

async function json(
  res: Response,
): Promise<Record<string, unknown> & { items: Array<Record<string, unknown>> }> {
  expect(res.headers.get('content-type')).toMatch(/json/);
  return (await res.json()) as Record<string, unknown> & { items: Array<Record<string, unknown>> };
}

const waitFor = async (check: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('GET /api/v1/slow-queries', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
    // Fingerprint A: 4 samples, 200+300+400+1100 = 2000 ms. Fingerprint B: 2 samples, 150+350 = 500 ms.
    for (const [id, ms] of [
      [1, 200],
      [2, 300],
      [3, 400],
      [4, 1100],
    ])
      query(svc, `select * from orders where customer_id = ${id}`, ms, '/orders/:id');
    query(svc, "update stock set qty = qty - 1 where sku = 'A1'", 150, '/checkout');
    query(svc, "update stock set qty = qty - 1 where sku = 'B2'", 350, '/checkout');
    query(svc, 'select 1', 5, '/fast');
  });
  afterAll(() => svc.close());

  test('needs a read token', async () => {
    expect((await svc.api('/api/v1/slow-queries')).status).toBe(401);
  });

  test('aggregates per fingerprint with count, total, share, mean, p95 and max', async () => {
    const body = await json(await svc.api('/api/v1/slow-queries', { scope: 'read' }));
    expect(body.total).toBe(2);
    expect(body.totalSeconds).toBeCloseTo(2.5);
    expect(body.items[0]).toMatchObject({
      fingerprint: 'select * from orders where customer_id = ?',
      count: 4,
      totalSeconds: 2,
      sampleCount: 4,
      share: 0.8,
      meanMs: 500,
      p95Ms: 1100,
      maxMs: 1100,
      operation: 'SELECT',
      nPlusOne: false,
    });
    expect(body.items[1]).toMatchObject({
      fingerprint: 'update stock set qty = qty - ? where sku = ?',
      count: 2,
      share: 0.2,
    });
  });

  test('fast queries are not captured', async () => {
    const body = await json(await svc.api('/api/v1/slow-queries?q=select%201', { scope: 'read' }));
    expect(body.items).toHaveLength(0);
  });

  test('sorts by count ascending and paginates', async () => {
    const body = await json(
      await svc.api('/api/v1/slow-queries?sort=count&order=asc&limit=1&offset=1', { scope: 'read' }),
    );
    expect(body.items.map((i) => i.count)).toEqual([4]);
    expect(body.total).toBe(2);
  });

  test('filters by route and operation', async () => {
    const byRoute = await json(await svc.api('/api/v1/slow-queries?route=%2Fcheckout', { scope: 'read' }));
    expect(byRoute.items.map((i) => i.operation)).toEqual(['UPDATE']);
    const byOp = await json(await svc.api('/api/v1/slow-queries?operation=select', { scope: 'read' }));
    expect(byOp.items).toHaveLength(1);
  });

  test('a bad parameter is a 400 naming it', async () => {
    const res = await svc.api('/api/v1/slow-queries?sort=random', { scope: 'read' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/sort/) } });
  });

  test('the detail view has samples, issuing routes and a timeline', async () => {
    const list = await json(await svc.api('/api/v1/slow-queries', { scope: 'read' }));
    const id = list.items[0].id as string;
    const d = (await json(await svc.api(`/api/v1/slow-queries/${id}`, { scope: 'read' }))) as unknown as {
      slowest: Array<{ durationMs: number; sample: string }>;
      newest: unknown[];
      routes: Array<{ route: string; count: number }>;
      timeline: Array<{ count: number }>;
    };
    expect(d.slowest[0].durationMs).toBe(1100);
    expect(d.slowest[0].sample).toBe('select * from orders where customer_id = ?');
    expect(d.newest).toHaveLength(4);
    expect(d.routes).toEqual([{ route: '/orders/:id', count: 4, totalSeconds: 2 }]);
    expect(d.timeline.reduce((a, b) => a + b.count, 0)).toBe(4);
  });

  test('an unknown fingerprint is a JSON 404', async () => {
    const res = await svc.api('/api/v1/slow-queries/0123456789abcdef', { scope: 'read' });
    expect(res.status).toBe(404);
  });

  test('list rows and the detail view carry exactly the fields of the contract', async () => {
    const list = await json(await svc.api('/api/v1/slow-queries', { scope: 'read' }));
    expect(responseViolations('GET', '/api/v1/slow-queries', 200, list)).toEqual([]);
    const detailPath = `/api/v1/slow-queries/${list.items[0].id as string}`;
    const d = await json(await svc.api(detailPath, { scope: 'read' }));
    expect(responseViolations('GET', detailPath, 200, d)).toEqual([]);
  });

  test('diagnostics read the top fingerprints by total time', async () => {
    const top = await svc.ctx.need('slowQueries').top({ sinceMs: Date.now() - 60_000, limit: 1 });
    expect(top).toEqual([
      {
        fingerprintId: expect.stringMatching(/^[0-9a-f]{16}$/),
        fingerprint: 'select * from orders where customer_id = ?',
        database: 'shop',
        count: 4,
        totalSeconds: 2,
        maxSeconds: 1.1,
        p95Seconds: 1.1,
      },
    ]);
  });

  test('ingested queries with a request id are flagged as N+1', async () => {
    for (let i = 0; i < 7; i++)
      svc.ctx.recorder.recordQuery({
        dbSystem: 'mysql',
        sql: `select * from comments where post_id = ${i}`,
        durationSeconds: 0.002,
        route: '/posts',
        requestId: 'php-req-1',
      });
    const body = await json(await svc.api('/api/v1/slow-queries?q=comments', { scope: 'read' }));
    expect(body.items[0]).toMatchObject({
      nPlusOne: true,
      fingerprint: 'select * from comments where post_id = ?',
    });
    const text = await (await svc.api('/metrics')).text();
    expect(series(text, 'db_client_n_plus_one_total', { route: '/posts' })[0].value).toBe(1);
  });
});

describe.each(['sqlite', 'postgres'])('slow-query samples on %s', (kind) => {
  let storeUrl: string | undefined;
  let drop = async () => {};
  beforeAll(async () => {
    if (kind === 'postgres') ({ url: storeUrl, drop } = await pgUrlWithSchema());
  });
  afterAll(() => drop());

  test('survive a restart of the service', async () => {
    const first = await startTestService(storeUrl ? { store: { url: storeUrl } } : {});
    const url = first.ctx.config.store.url;
    query(first, 'select * from invoices where id = 9', 250, '/invoices/:id');
    await first.stop(); // flushes; the temp dir stays until close()
    const second = await startTestService({ store: { url } });
    const body = await json(await second.api('/api/v1/slow-queries?q=invoices', { scope: 'read' }));
    expect(body.items[0]).toMatchObject({ count: 1, maxMs: 250 });
    await second.close();
    await first.close();
  });
});

test('a store outage keeps at most the buffer, counts drops, and recovers', async () => {
  const { url, drop } = await pgUrlWithSchema();
  const svc = await startTestService({ store: { url }, queries: { ringSize: 5, flushIntervalMs: 200 } });
  await svc.ctx.store.db.raw(`drop table slow_query_samples`);
  for (let i = 0; i < 8; i++) query(svc, `select * from outage where n = ${i}`, 200 + i, '/outage');
  const metric = async (name: string, labels: Record<string, string>) =>
    series(await (await svc.api('/metrics')).text(), name, labels)[0]?.value ?? 0;
  await waitFor(async () => (await metric('perfwatch_slow_query_flushes_total', { status: 'error' })) >= 1);
  expect(await metric('perfwatch_dropped_total', { component: 'slow_queries', reason: 'buffer_full' })).toBe(
    3,
  );
  expect(await metric('perfwatch_slow_query_samples_pending', {})).toBe(5);
  // Diagnostics still get the top fingerprints, from the samples in memory.
  const top = await svc.ctx.need('slowQueries').top({ sinceMs: Date.now() - 60_000, limit: 5 });
  expect(top).toMatchObject([
    { fingerprint: 'select * from outage where n = ?', count: 5, maxSeconds: 0.207 },
  ]);
  // The store comes back: recreate the table, its later columns and index the way migrations would.
  await svc.ctx.store
    .db('perfwatch_migrations')
    .whereIn('name', ['002_slow_queries', '004_slow_query_service', '005_slow_query_request_id'])
    .delete();
  await svc.ctx.store.migrate();
  await waitFor(async () => (await metric('perfwatch_slow_query_samples_pending', {})) === 0);
  const body = await json(await svc.api('/api/v1/slow-queries?q=outage', { scope: 'read' }));
  expect(body.items[0]).toMatchObject({ count: 5, maxMs: 207 });
  await svc.close();
  await drop();
});

test('a network outage of a PostgreSQL store loses nothing beyond the buffer and recovers', async () => {
  const { url, drop } = await pgUrlWithSchema();
  const target = new URL(url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(url);
  viaProxy.port = String(proxy.port);
  const svc = await startTestService({
    store: { url: viaProxy.toString() },
    queries: { ringSize: 5, flushIntervalMs: 200 },
  });
  const metric = async (name: string, labels: Record<string, string>) =>
    series(await (await svc.api('/metrics')).text(), name, labels)[0]?.value ?? 0;
  try {
    await proxy.stop(); // open connections die, new ones are refused
    for (let i = 0; i < 7; i++) query(svc, `select * from cut where n = ${i}`, 300 + i, '/cut');
    await waitFor(async () => (await metric('perfwatch_slow_query_flushes_total', { status: 'error' })) >= 1);
    expect(
      await metric('perfwatch_dropped_total', { component: 'slow_queries', reason: 'buffer_full' }),
    ).toBe(2);
    expect(await metric('perfwatch_slow_query_samples_pending', {})).toBe(5);
    const during = await svc.api('/api/v1/slow-queries', { scope: 'read' });
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ error: { code: 'store_unavailable' } });
    await proxy.start();
    await waitFor(async () => (await metric('perfwatch_slow_query_samples_pending', {})) === 0, 20_000);
    const body = await json(await svc.api('/api/v1/slow-queries?q=cut', { scope: 'read' }));
    // The five newest survive: 302 … 306 ms.
    expect(body.items[0]).toMatchObject({ count: 5, maxMs: 306 });
  } finally {
    await svc.close();
    await proxy.stop();
    await drop();
  }
}, 40_000);
