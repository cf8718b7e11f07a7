import { responseViolations } from '../src/openapi/conformance';
import { pgUrlWithSchema } from '../library/test/support/env';
import { startTestService, type TestService } from './support/service';

interface Body {
  requestId: string;
  total: number;
  items: Array<{
    fingerprintId: string;
    fingerprint: string;
    route: string;
    durationMs: number;
    capturedAt: string;
  }>;
  fingerprints: Array<{ fingerprint: string; count: number; totalMs: number; nPlusOne: boolean }>;
}

/** A slow query of one request, recorded as the ingestion API records it. */
function query(svc: TestService, requestId: string, sql: string, ms: number, route: string, time: number) {
  svc.ctx.recorder.recordQuery({
    dbSystem: 'postgresql',
    database: 'shop',
    sql,
    durationSeconds: ms / 1000,
    route,
    requestId,
    time,
  });
}

const samples = (svc: TestService, query: string) =>
  svc.api(`/api/v1/slow-queries/samples?${query}`, { scope: 'read' });

describe.each(['sqlite', 'postgres'])("one request's slow queries on %s", (kind) => {
  let svc: TestService;
  let drop = async () => {};
  const t0 = Date.now() - 60_000;
  beforeAll(async () => {
    let storeUrl: string | undefined;
    if (kind === 'postgres') ({ url: storeUrl, drop } = await pgUrlWithSchema());
    svc = await startTestService(storeUrl ? { store: { url: storeUrl } } : {});
    // Request "page-7": the order first, then an N+1 loop over its 7 lines (recorded out of order).
    for (let i = 6; i >= 0; i--)
      query(
        svc,
        'page-7',
        `select * from order_lines where id = ${i}`,
        120 + i,
        'GET /orders/:id',
        t0 + 10 + i,
      );
    query(svc, 'page-7', 'select * from orders where id = 7', 300, 'GET /orders/:id', t0);
    // Another request, on another route, with the same order query.
    query(svc, 'page-8', 'select * from orders where id = 8', 250, 'GET /orders/:id', t0 + 5);
  });
  afterAll(async () => {
    await svc.close();
    await drop();
  });

  test('needs a read token', async () => {
    expect((await svc.api('/api/v1/slow-queries/samples?requestId=page-7')).status).toBe(401);
  });

  test("lists every stored sample of the request across fingerprints, oldest first, and no other request's", async () => {
    const res = await samples(svc, 'requestId=page-7');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.requestId).toBe('page-7');
    expect(body.total).toBe(8);
    expect(body.items.map((s) => [s.fingerprint, s.durationMs])).toEqual([
      ['select * from orders where id = ?', 300],
      ...Array.from({ length: 7 }, (_, i) => ['select * from order_lines where id = ?', 120 + i]),
    ]);
    expect(new Set(body.items.map((s) => s.route))).toEqual(new Set(['GET /orders/:id']));
  });

  test('groups the samples by fingerprint with the N+1 loop on top', async () => {
    const body = (await (await samples(svc, 'requestId=page-7')).json()) as Body;
    expect(body.fingerprints).toEqual([
      expect.objectContaining({
        fingerprint: 'select * from order_lines where id = ?',
        count: 7,
        totalMs: 861,
        nPlusOne: true,
      }),
      expect.objectContaining({
        fingerprint: 'select * from orders where id = ?',
        count: 1,
        nPlusOne: false,
      }),
    ]);
  });

  test('limit bounds the samples and total still counts them all', async () => {
    const body = (await (await samples(svc, 'requestId=page-7&limit=3')).json()) as Body;
    expect(body.items).toHaveLength(3);
    expect(body.items[0].fingerprint).toBe('select * from orders where id = ?');
    expect(body.total).toBe(8);
  });

  test('an id no sample has is an empty answer, not an error', async () => {
    const body = (await (await samples(svc, 'requestId=page-9')).json()) as Body;
    expect(body).toEqual({ requestId: 'page-9', total: 0, items: [], fingerprints: [] });
  });

  test('matches the id exactly: no prefix, no pattern', async () => {
    for (const id of ['page-', 'page-%', 'PAGE-7'])
      expect(((await (await samples(svc, `requestId=${encodeURIComponent(id)}`)).json()) as Body).total).toBe(
        0,
      );
  });

  test.each([
    ['a missing id', ''],
    ['an empty id', 'requestId='],
    ['an id with a control character', `requestId=${encodeURIComponent('page-7\n')}`],
    ['an id over 128 characters', `requestId=${'x'.repeat(129)}`],
    ['a limit over 500', 'requestId=page-7&limit=501'],
  ])('%s is a 400 naming the parameter', async (_, q) => {
    const res = await samples(svc, q);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/requestId|limit/) } });
  });

  test('the answer carries exactly the fields of the contract', async () => {
    const body = (await (await samples(svc, 'requestId=page-7')).json()) as Body;
    expect(responseViolations('GET', '/api/v1/slow-queries/samples', 200, body)).toEqual([]);
  });

  test('the look-up is served by the request id index', async () => {
    const db = svc.ctx.store.db;
    const sql = "select * from slow_query_samples where request_id = 'page-7' order by captured_at";
    if (kind === 'sqlite') {
      const plan = (await db.raw(`explain query plan ${sql}`)) as Array<{ detail: string }>;
      expect(plan.map((r) => r.detail).join('\n')).toMatch(/slow_query_samples_request_id_index/);
    } else {
      // A few rows are cheaper to scan; with scans priced out, the plan names the index if one fits.
      const plan = await db.transaction(async (trx) => {
        await trx.raw('set local enable_seqscan = off');
        return (await trx.raw(`explain ${sql}`)) as { rows: Array<{ 'QUERY PLAN': string }> };
      });
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/slow_query_samples_request_id_index/);
    }
  });
});
