import express from 'express';
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { perfwatch, type Perfwatch } from '../src';
import { MYSQL_URL } from './support/env';
import { serve, settle } from './support/http-app';
import { series } from './support/prom-text';

let pw: Perfwatch;
let pool: mysql.Pool;
let promisePool: mysqlPromise.Pool;
const table = `pw_items_${process.pid}`;

beforeAll(async () => {
  pw = perfwatch({ defaultMetrics: false, queries: { slowThresholdMs: 100 } });
  pw.instrumentMysql2(mysql);
  pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 2 });
  promisePool = mysqlPromise.createPool({ uri: MYSQL_URL, connectionLimit: 2 });
  pw.trackMysql2Pool(promisePool, 'promise');
  pw.trackMysql2Pool(pool, 'callback');
  await promisePool.query(`create table ${table} (id int primary key, name varchar(100))`);
  await promisePool.query(`insert into ${table} values (1, 'alpha'), (2, 'beta')`);
});

afterAll(async () => {
  await promisePool.query(`drop table if exists ${table}`);
  await promisePool.end();
  await new Promise((r) => pool.end(r));
});

const metrics = () => pw.registry.metrics();
const mysqlCount = async (labels: Record<string, string>) =>
  series(await metrics(), 'db_client_queries_total', { db_system: 'mysql', ...labels }).reduce(
    (a, s) => a + s.value,
    0,
  );

describe('mysql2 instrumentation', () => {
  test('callback query returns rows unchanged and is counted', async () => {
    const before = await mysqlCount({ operation: 'SELECT', status: 'ok' });
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      pool.query(`select name from ${table} order by id`, (err, r) =>
        err ? reject(err) : resolve(r as unknown[]),
      ),
    );
    expect(rows).toEqual([{ name: 'alpha' }, { name: 'beta' }]);
    expect(await mysqlCount({ operation: 'SELECT', status: 'ok' })).toBe(before + 1);
  });

  test('promise execute with parameters is counted once', async () => {
    const before = await mysqlCount({ operation: 'SELECT', status: 'ok' });
    const [rows] = await promisePool.execute(`select name from ${table} where id = ?`, [2]);
    expect(rows).toEqual([{ name: 'beta' }]);
    expect(await mysqlCount({ operation: 'SELECT', status: 'ok' })).toBe(before + 1);
  });

  test('an error rejects with the driver error and is counted', async () => {
    await expect(promisePool.query('select * from pw_no_such_table')).rejects.toMatchObject({
      code: 'ER_NO_SUCH_TABLE',
    });
    expect(await mysqlCount({ operation: 'SELECT', status: 'error' })).toBeGreaterThanOrEqual(1);
  });

  test('a slow SLEEP() is sampled with redacted literals, and its repeat with its call site', async () => {
    const slow = `select sleep(0.15), name from ${table} where name <> 'secret-name' limit 1`;
    await promisePool.query(slow);
    await promisePool.query(slow);
    const samples = pw.slowQuerySamples().filter((s) => s.fingerprint.includes('sleep'));
    expect(samples).toHaveLength(2);
    for (const sample of samples) {
      expect(sample).toMatchObject({
        dbSystem: 'mysql',
        database: 'test',
        fingerprint: `select sleep(?), name from ${table} where name <> ? limit ?`,
        sample: `select sleep(?), name from ${table} where name <> ? limit ?`,
      });
      expect(sample.durationMs).toBeGreaterThanOrEqual(150);
    }
    // Adaptive call sites: no stack for the first (unexpectedly) slow run, one for the repeat.
    expect(samples[0].callSite).toBeNull();
    expect(samples[1].callSite).toMatch(/queries-mysql\.test\.ts:\d+$/);
  });

  test('callback execute with parameters returns rows and fields unchanged', async () => {
    const [rows, fields] = await new Promise<[unknown, mysql.FieldPacket[]]>((resolve, reject) =>
      pool.execute(`select id, name from ${table} where id = ?`, [1], (err, r, f) =>
        err ? reject(err) : resolve([r, f]),
      ),
    );
    expect(rows).toEqual([{ id: 1, name: 'alpha' }]);
    expect(fields.map((f) => f.name)).toEqual(['id', 'name']);
  });

  test('a callback error is the driver error and the query is counted as an error', async () => {
    const before = await mysqlCount({ operation: 'OTHER', status: 'error' });
    const err = await new Promise<mysql.QueryError | null>((resolve) =>
      pool.query('selec broken syntax', (e) => resolve(e)),
    );
    expect(err).toMatchObject({ code: 'ER_PARSE_ERROR' });
    expect(await mysqlCount({ operation: 'OTHER', status: 'error' })).toBe(before + 1);
  });

  test('a transaction on a promise connection is recorded statement by statement', async () => {
    const conn = await promisePool.getConnection();
    const before = {
      start: await mysqlCount({ operation: 'START' }),
      insert: await mysqlCount({ operation: 'INSERT' }),
      rollback: await mysqlCount({ operation: 'ROLLBACK' }),
    };
    try {
      await conn.beginTransaction();
      await conn.execute(`insert into ${table} values (?, ?)`, [99, 'temp']);
      await conn.rollback();
    } finally {
      conn.release();
    }
    expect(await mysqlCount({ operation: 'START' })).toBe(before.start + 1);
    expect(await mysqlCount({ operation: 'INSERT' })).toBe(before.insert + 1);
    expect(await mysqlCount({ operation: 'ROLLBACK' })).toBe(before.rollback + 1);
    const [rows] = await promisePool.query(`select count(*) as n from ${table}`);
    expect(rows).toEqual([{ n: 2 }]);
  });

  test('a streaming query is returned as is, and its error reaches the application listener', async () => {
    const conn = await new Promise<mysql.PoolConnection>((resolve, reject) =>
      pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
    );
    try {
      const names: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        conn
          .query(`select name from ${table} order by id`)
          .on('result', (row) => names.push((row as { name: string }).name))
          .on('error', reject)
          .on('end', () => resolve());
      });
      expect(names).toEqual(['alpha', 'beta']);
      const before = await mysqlCount({ operation: 'SELECT', status: 'error' });
      const err = await new Promise<unknown>((resolve) => {
        conn.query('select * from pw_no_such_stream_table').on('error', resolve);
      });
      expect(err).toMatchObject({ code: 'ER_NO_SUCH_TABLE' });
      expect(await mysqlCount({ operation: 'SELECT', status: 'error' })).toBe(before + 1);
    } finally {
      conn.release();
    }
  });

  test('pool exhaustion shows callers waiting in the pending gauge', async () => {
    const running = Array.from(
      { length: 4 },
      () =>
        new Promise((resolve, reject) =>
          pool.query('select sleep(0.3)', (e, r) => (e ? reject(e) : resolve(r))),
        ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const during = await metrics();
    await Promise.all(running);
    const gauge = (state: string) =>
      series(during, 'db_client_connections', { db_system: 'mysql', pool: 'callback', state })[0].value;
    expect(gauge('used')).toBe(2);
    expect(gauge('pending')).toBe(2);
    expect(
      series(await metrics(), 'db_client_connections', { pool: 'callback', state: 'idle' })[0].value,
    ).toBe(2);
  });

  test('pool gauges report the pool limit', async () => {
    expect(
      series(await metrics(), 'db_client_connections_max', { db_system: 'mysql', pool: 'promise' })[0].value,
    ).toBe(2);
  });
});

describe('knex instrumentation', () => {
  let knex: Knex;
  let kpw: Perfwatch;
  beforeAll(() => {
    kpw = perfwatch({ defaultMetrics: false, queries: { slowThresholdMs: 100, nPlusOneThreshold: 3 } });
    knex = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 2 } });
    kpw.instrumentKnex(knex);
  });
  afterAll(() => knex.destroy());

  test('query events record duration and outcome', async () => {
    expect(await knex(table).where({ id: 1 }).first()).toEqual({ id: 1, name: 'alpha' });
    await expect(knex('pw_no_such_table').select()).rejects.toThrow(/doesn't exist/);
    const text = await kpw.registry.metrics();
    expect(
      series(text, 'db_client_queries_total', { db_system: 'mysql', status: 'ok' })[0].value,
    ).toBeGreaterThanOrEqual(1);
    expect(series(text, 'db_client_queries_total', { db_system: 'mysql', status: 'error' })[0].value).toBe(1);
  });

  test('a slow knex query inside a request names the route', async () => {
    const app = express();
    app.use(kpw.express({ express }));
    app.get('/report/:year', async (_req, res) => {
      await knex.raw('select sleep(0.12)');
      res.send('ok');
    });
    const s = await serve(app);
    await (await fetch(`${s.url}/report/2026`)).text();
    await s.close();
    await settle();
    expect(kpw.slowQuerySamples().find((x) => x.fingerprint === 'select sleep(?)')).toMatchObject({
      route: '/report/:year',
    });
  });

  test('a knex transaction is recorded statement by statement, rollback included', async () => {
    const count = async (operation: string) =>
      series(await kpw.registry.metrics(), 'db_client_queries_total', {
        db_system: 'mysql',
        operation,
      }).reduce((a, s) => a + s.value, 0);
    const before = { insert: await count('INSERT'), rollback: await count('ROLLBACK') };
    await expect(
      knex.transaction(async (trx) => {
        await trx(table).insert({ id: 50, name: 'in-trx' });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await count('INSERT')).toBe(before.insert + 1);
    expect(await count('ROLLBACK')).toBe(before.rollback + 1);
    expect(await knex(table).where({ id: 50 }).first()).toBeUndefined();
  });

  test('knex pool exhaustion shows callers waiting in the pending gauge', async () => {
    kpw.trackKnexPool(knex, 'knex');
    // A knex builder runs when it is awaited (then), not when it is built.
    const running = Array.from({ length: 4 }, () => knex.raw('select sleep(0.6)').then((r) => r));
    const gauge = (text: string, state: string) =>
      series(text, 'db_client_connections', { db_system: 'mysql', pool: 'knex', state })[0].value;
    // The pool opens its second connection while the callers queue: read until both are in use.
    let during = await kpw.registry.metrics();
    for (let i = 0; i < 30 && gauge(during, 'used') < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      during = await kpw.registry.metrics();
    }
    await Promise.all(running);
    expect(gauge(during, 'used')).toBe(2);
    expect(gauge(during, 'pending')).toBe(2);
    expect(series(during, 'db_client_connections_max', { pool: 'knex' })[0].value).toBe(2);
  });

  test('with callSites: always, the first slow knex query names its call site', async () => {
    const apw = perfwatch({ defaultMetrics: false, queries: { slowThresholdMs: 50, callSites: 'always' } });
    const k = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 1 } });
    apw.instrumentKnex(k);
    try {
      await k.raw('select sleep(0.06) as s');
      expect(apw.slowQuerySamples()[0].callSite).toMatch(/queries-mysql\.test\.ts:\d+$/);
    } finally {
      await k.destroy();
    }
  });

  test('repeated knex selects in one request are flagged as N+1', async () => {
    const app = express();
    app.use(kpw.express({ express }));
    app.get('/items', async (_req, res) => {
      for (const id of [1, 2, 1, 2]) await knex(table).where({ id }).first();
      res.send('ok');
    });
    const s = await serve(app);
    await (await fetch(`${s.url}/items`)).text();
    await s.close();
    await settle();
    expect(
      series(await kpw.registry.metrics(), 'db_client_n_plus_one_total', { route: '/items' })[0].value,
    ).toBe(1);
  });
});
