import { fingerprintId, type SlowQuerySample } from '@perfwatch/node/internal';
import { responseViolations } from '../src/openapi/conformance';
import { SlowQueryRepository } from '../src/queries/repository';
import { pgUrlWithSchema } from '../library/test/support/env';
import { startTestService, type TestService } from './support/service';

const FROM = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
/** Ten minutes in ten one-minute buckets. */
const RANGE = `from=${FROM}&to=${FROM + 10 * MIN - 1}`;

function sample(sql: string, at: number, ms: number, more: Partial<SlowQuerySample> = {}): SlowQuerySample {
  return {
    fingerprintId: fingerprintId(sql),
    fingerprint: sql,
    sample: sql,
    durationMs: ms,
    dbSystem: 'postgresql',
    database: 'shop',
    operation: sql.split(' ')[0].toUpperCase(),
    route: '/orders/:id',
    requestId: null,
    callSite: null,
    error: false,
    nPlusOne: false,
    sampledOut: 0,
    sampledOutMs: 0,
    capturedAt: at,
    ...more,
  };
}

const ORDERS = 'select * from orders where id = ?';
const STOCK = 'update stock set qty = qty - ? where sku = ?';
const USERS = 'select * from users where email = ?';

type Item = { id: string; fingerprint: string; series?: { count: number[]; totalMs: number[] } };
type Facet = {
  name: string;
  values: Array<{ value: string; count: number; totalSeconds: number }>;
  truncated: boolean;
};

describe.each(['sqlite', 'postgres'])('slow-query load series and facets on %s', (kind) => {
  let svc: TestService;
  let drop = async () => {};
  beforeAll(async () => {
    let url: string | undefined;
    if (kind === 'postgres') ({ url, drop } = await pgUrlWithSchema());
    svc = await startTestService(url ? { store: { url } } : {});
    await new SlowQueryRepository(svc.ctx.store).insert([
      // orders: minute 0 one kept query; minute 3 one kept that carries 4 sampled-out ones (2000 ms).
      sample(ORDERS, FROM + 10_000, 300),
      sample(ORDERS, FROM + 3 * MIN + 5_000, 900, { sampledOut: 4, sampledOutMs: 2000 }),
      // stock: minute 9 (the last bucket), on another route.
      sample(STOCK, FROM + 9 * MIN + 59_000, 150, { route: '/checkout' }),
      // users: a MariaDB query with no database name, on /login.
      sample(USERS, FROM + 5 * MIN, 120, {
        dbSystem: 'mysql',
        database: null,
        route: '/login',
      }),
      // Outside the range: counted nowhere.
      sample(ORDERS, FROM + 10 * MIN, 5000),
    ]);
  });
  afterAll(async () => {
    await svc.close();
    await drop();
  });

  const list = async (query: string) => {
    const res = await svc.api(`/api/v1/slow-queries?${RANGE}&${query}`, { scope: 'read' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bucketSeconds?: number; items: Item[] };
    expect(responseViolations('GET', '/api/v1/slow-queries', 200, body)).toEqual([]);
    return body;
  };
  const facets = async (query = '') => {
    const res = await svc.api(`/api/v1/slow-queries/facets?${RANGE}&${query}`, { scope: 'read' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { facets: Facet[] };
    expect(responseViolations('GET', '/api/v1/slow-queries/facets', 200, body)).toEqual([]);
    return Object.fromEntries(body.facets.map((f) => [f.name, f]));
  };

  test('each row carries its load per bucket, sampled-out queries included', async () => {
    const body = await list('buckets=10');
    expect(body.bucketSeconds).toBe(60);
    const orders = body.items.find((i) => i.fingerprint === ORDERS)!;
    expect(orders.series).toEqual({
      count: [1, 0, 0, 5, 0, 0, 0, 0, 0, 0],
      totalMs: [300, 0, 0, 2900, 0, 0, 0, 0, 0, 0],
    });
    const stock = body.items.find((i) => i.fingerprint === STOCK)!;
    expect(stock.series!.count).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test('series are only for the rows of the page', async () => {
    const body = await list('buckets=10&limit=1');
    expect(body.items.map((i) => i.fingerprint)).toEqual([ORDERS]);
    expect(body.items[0].series!.count.reduce((a, b) => a + b, 0)).toBe(6);
  });

  test('without buckets the list carries no series', async () => {
    const body = await list('');
    expect(body.bucketSeconds).toBeUndefined();
    expect(body.items.every((i) => i.series === undefined)).toBe(true);
  });

  test('more buckets than the cap is a 400 naming the parameter', async () => {
    const res = await svc.api(`/api/v1/slow-queries?buckets=121`, { scope: 'read' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/buckets/) } });
  });

  test('facets count every slow query per database, route and operation, by time', async () => {
    const f = await facets();
    expect(f.database.values).toEqual([
      { value: 'shop', count: 7, totalSeconds: 3.35 },
      { value: 'mysql', count: 1, totalSeconds: 0.12 },
    ]);
    expect(f.route.values.map((v) => [v.value, v.count])).toEqual([
      ['/orders/:id', 6],
      ['/checkout', 1],
      ['/login', 1],
    ]);
    expect(f.operation.values.map((v) => [v.value, v.count])).toEqual([
      ['SELECT', 7],
      ['UPDATE', 1],
    ]);
  });

  test("a facet ignores its own filter and obeys the others'", async () => {
    const f = await facets('route=%2Fcheckout');
    expect(f.route.values.map((v) => v.value)).toEqual(['/orders/:id', '/checkout', '/login']);
    expect(f.operation.values).toEqual([{ value: 'UPDATE', count: 1, totalSeconds: 0.15 }]);
    expect(f.database.values.map((v) => v.value)).toEqual(['shop']);
  });

  test('a facet value filters the list to its rows', async () => {
    const body = await list('database=mysql');
    expect(body.items.map((i) => i.fingerprint)).toEqual([USERS]);
  });

  test('facets are cut to the top asked for and say so', async () => {
    const f = await facets('top=1');
    expect(f.route.values.map((v) => v.value)).toEqual(['/orders/:id']);
    expect(f.route.truncated).toBe(true);
    expect(f.operation.truncated).toBe(true);
    const all = await facets('top=50');
    expect(all.route.truncated).toBe(false);
  });

  test('a top beyond the bound is a 400 and facets need a read token', async () => {
    expect((await svc.api('/api/v1/slow-queries/facets?top=51', { scope: 'read' })).status).toBe(400);
    expect((await svc.api('/api/v1/slow-queries/facets')).status).toBe(401);
    expect((await svc.api('/api/v1/slow-queries/facets', { scope: 'ingest' })).status).toBe(403);
  });
});
