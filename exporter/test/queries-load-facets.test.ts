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
    service: null,
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
      // orders (service shop-api): minute 0 one kept query; minute 3 one kept that carries 4
      // sampled-out ones (2000 ms).
      sample(ORDERS, FROM + 10_000, 300, { service: 'shop-api' }),
      sample(ORDERS, FROM + 3 * MIN + 5_000, 900, { sampledOut: 4, sampledOutMs: 2000, service: 'shop-api' }),
      // stock: minute 9 (the last bucket), on another route, from no named service.
      sample(STOCK, FROM + 9 * MIN + 59_000, 150, { route: '/checkout' }),
      // users: a MariaDB query with no database name, on /login, from billing.
      sample(USERS, FROM + 5 * MIN, 120, {
        dbSystem: 'mysql',
        database: null,
        route: '/login',
        service: 'billing',
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

  test('the service facet names each sending app, and (none) the samples naming none', async () => {
    const f = await facets();
    expect(f.service.values).toEqual([
      { value: 'shop-api', count: 6, totalSeconds: 3.2 },
      { value: '(none)', count: 1, totalSeconds: 0.15 },
      { value: 'billing', count: 1, totalSeconds: 0.12 },
    ]);
  });

  test('a service filters the list to its rows, and (none) to the samples naming none', async () => {
    expect((await list('service=billing')).items.map((i) => i.fingerprint)).toEqual([USERS]);
    expect((await list('service=(none)')).items.map((i) => i.fingerprint)).toEqual([STOCK]);
    expect((await list('service=nobody')).items).toEqual([]);
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

  describe('grouped by another dimension than the fingerprint', () => {
    type Group = {
      value: string;
      fingerprints: number;
      count: number;
      sampleCount: number;
      totalSeconds: number;
      share: number;
      maxMs: number;
      series?: { count: number[]; totalMs: number[] };
    };
    const groups = async (query: string) => {
      const res = await svc.api(`/api/v1/slow-queries/groups?${RANGE}&${query}`, { scope: 'read' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { by: string; total: number; totalSeconds: number; items: Group[] };
      expect(responseViolations('GET', '/api/v1/slow-queries/groups', 200, body)).toEqual([]);
      return body;
    };

    test('by route: one row per route with its fingerprints, slow queries, time and share', async () => {
      const body = await groups('by=route');
      expect(body).toMatchObject({ by: 'route', total: 3, totalSeconds: 3.47 });
      expect(
        body.items.map((g) => [g.value, g.fingerprints, g.count, g.sampleCount, g.totalSeconds, g.maxMs]),
      ).toEqual([
        ['/orders/:id', 1, 6, 2, 3.2, 900],
        ['/checkout', 1, 1, 1, 0.15, 150],
        ['/login', 1, 1, 1, 0.12, 120],
      ]);
      expect(body.items[0].share).toBeCloseTo(3.2 / 3.47, 6);
    });

    test('by database: a query with no database name counts under its db system', async () => {
      const body = await groups('by=database');
      expect(body.items.map((g) => [g.value, g.fingerprints, g.count])).toEqual([
        ['shop', 2, 7],
        ['mysql', 1, 1],
      ]);
    });

    test('by service: samples naming none form the (none) row', async () => {
      const body = await groups('by=service');
      expect(body.items.map((g) => [g.value, g.count])).toEqual([
        ['shop-api', 6],
        ['(none)', 1],
        ['billing', 1],
      ]);
    });

    test('groups obey the filters and sort like the list', async () => {
      const filtered = await groups('by=route&database=shop&sort=count&order=asc');
      expect(filtered.items.map((g) => g.value)).toEqual(['/checkout', '/orders/:id']);
    });

    test("each group's load per bucket covers all its fingerprints' slow queries", async () => {
      const body = await groups('by=database&buckets=10');
      const shop = body.items.find((g) => g.value === 'shop')!;
      expect(shop.series).toEqual({
        count: [1, 0, 0, 5, 0, 0, 0, 0, 0, 1],
        totalMs: [300, 0, 0, 2900, 0, 0, 0, 0, 0, 150],
      });
      const none = (await groups('by=service&buckets=10')).items.find((g) => g.value === '(none)')!;
      expect(none.series!.count).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    });

    test('a dimension it cannot group by is a 400 naming the parameter', async () => {
      for (const by of ['', 'fingerprint', 'operation; drop table x']) {
        const res = await svc.api(`/api/v1/slow-queries/groups?by=${encodeURIComponent(by)}`, {
          scope: 'read',
        });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/by/) } });
      }
      expect((await svc.api('/api/v1/slow-queries/groups?by=route')).status).toBe(401);
    });
  });
});
