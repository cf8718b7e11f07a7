import { spawnSync } from 'node:child_process';
import path from 'node:path';
import express from 'express';
import pg from 'pg';
import { perfwatch, type Perfwatch } from '../src';
import { PG_URL } from './support/env';
import { serve, settle } from './support/http-app';
import { series } from './support/prom-text';

let pw: Perfwatch;
let pool: pg.Pool;
let app: { url: string; close: () => Promise<void> };
const table = `pw_users_${process.pid}`;
const SHARED_VALUES = [7];

beforeAll(async () => {
  pw = perfwatch({ defaultMetrics: false, queries: { slowThresholdMs: 100, nPlusOneThreshold: 5 } });
  pw.instrumentPg(pg);
  pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  pw.trackPgPool(pool, 'main');
  await pool.query(`create table ${table} (id int primary key, email text)`);
  await pool.query(
    `insert into ${table} select g, 'user' || g || '@example.com' from generate_series(1, 20) g`,
  );

  const a = express();
  a.use(pw.express({ express }));
  a.get('/slow/:id', async (req, res) => {
    const r = await pool.query(
      `select pg_sleep(0.15), email from ${table} where email = 'user${req.params.id}@example.com'`,
    );
    res.json(r.rows.length);
  });
  a.get('/n-plus-one', async (_req, res) => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    for (const id of ids) await pool.query(`select email from ${table} where id = $1`, [id]);
    res.send('ok');
  });
  a.get('/queued/:n', async (req, res) => {
    // Half the requests share one values array, as an app with a constant parameter list would.
    const values = Number(req.params.n) % 2 === 0 ? SHARED_VALUES : [7];
    await pool.query(`select pg_sleep(0.12), email from ${table} where id = $1`, values);
    res.send('ok');
  });
  a.get('/batched', async (_req, res) => {
    await pool.query(`select email from ${table} where id = any($1)`, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    res.send('ok');
  });
  app = await serve(a);
});

afterAll(async () => {
  await app.close();
  await pool.query(`drop table if exists ${table}`);
  await pool.end();
});

const metrics = () => pw.registry.metrics();

describe('pg instrumentation', () => {
  test('a query keeps its result and is counted by operation', async () => {
    const r = await pool.query(`select count(*)::int as n from ${table}`);
    expect(r.rows[0].n).toBe(20);
    expect(
      series(await metrics(), 'db_client_queries_total', {
        db_system: 'postgresql',
        operation: 'SELECT',
        status: 'ok',
      })[0].value,
    ).toBeGreaterThan(0);
  });

  test('a failing query rejects with the driver error and is counted as an error', async () => {
    await expect(pool.query('select * from no_such_table_pw')).rejects.toMatchObject({ code: '42P01' });
    expect(
      series(await metrics(), 'db_client_queries_total', { operation: 'SELECT', status: 'error' })[0].value,
    ).toBeGreaterThanOrEqual(1);
  });

  test('a query config object (rowMode, prepared-statement name) returns what the driver returns', async () => {
    const r = await pool.query({
      text: `select id, email from ${table} where id = $1`,
      values: [3],
      rowMode: 'array',
      name: `pw_stmt_${process.pid}`,
    });
    expect(r.rows).toEqual([[3, 'user3@example.com']]);
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'email']);
  });

  test('the callback form returns undefined, as the driver does', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    let ret: unknown = 'not called';
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      ret = client.query('select 1 as one', (err: Error | null, r: pg.QueryResult) =>
        err ? reject(err) : resolve(r.rows),
      );
    });
    await client.end();
    expect(ret).toBeUndefined();
    expect(rows).toEqual([{ one: 1 }]);
  });

  test('a submittable query is returned as is and recorded when it ends', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const before = series(await metrics(), 'db_client_queries_total', {
      operation: 'SELECT',
      status: 'ok',
    })[0].value;
    const query = new pg.Query('select generate_series(1, 3) as n');
    const rows: unknown[] = [];
    const returned = client.query(query);
    expect(returned).toBe(query);
    await new Promise<void>((resolve, reject) => {
      query.on('row', (row: unknown) => rows.push(row));
      query.on('end', () => resolve());
      query.on('error', reject);
    });
    await client.end();
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(
      series(await metrics(), 'db_client_queries_total', { operation: 'SELECT', status: 'ok' })[0].value,
    ).toBe(before + 1);
  });

  test('a rejection nobody handles still reaches unhandledRejection', () => {
    // Jest intercepts unhandled rejections, so this runs in a plain Node process on the built package
    // (npm test builds it first): instrumented, a forgotten catch must still crash as it did before.
    const script = `
      const pg = require('pg');
      const { Registry } = require('prom-client');
      const { Recorder } = require('./dist/core/recorder');
      const { instrumentPg } = require('./dist/instrument/pg');
      instrumentPg(pg, { recorder: new Recorder(new Registry()) });
      process.on('unhandledRejection', (reason) => {
        console.log('unhandled ' + reason.code);
        process.exit(0);
      });
      const client = new pg.Client({ connectionString: process.env.PG_URL });
      client.connect().then(() => { client.query('select * from pw_no_such_table_unhandled'); });
      setTimeout(() => { console.log('no unhandled rejection'); process.exit(1); }, 5000);
    `;
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, PG_URL },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.stdout.trim()).toBe('unhandled 42P01');
  });

  test('an error inside a transaction is counted and the rollback recorded', async () => {
    const client = await pool.connect();
    const errorsBefore =
      series(await metrics(), 'db_client_queries_total', { operation: 'INSERT', status: 'error' })[0]
        ?.value ?? 0;
    try {
      await client.query('BEGIN');
      await expect(client.query(`insert into ${table} (id, email) values (1, 'dup')`)).rejects.toMatchObject({
        code: '23505',
      });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(
      series(await metrics(), 'db_client_queries_total', { operation: 'INSERT', status: 'error' })[0].value,
    ).toBe(errorsBefore + 1);
  });

  test('the callback form still gets its result', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const n = await new Promise<number>((resolve, reject) =>
      client.query('select 41 + 1 as n', (err: Error | null, r: pg.QueryResult) =>
        err ? reject(err) : resolve(r.rows[0].n),
      ),
    );
    await client.end();
    expect(n).toBe(42);
  });

  test('a transaction is recorded statement by statement', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`update ${table} set email = email where id = 1`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const text = await metrics();
    expect(series(text, 'db_client_queries_total', { operation: 'BEGIN' })[0].value).toBeGreaterThanOrEqual(
      1,
    );
    expect(series(text, 'db_client_queries_total', { operation: 'UPDATE' })[0].value).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      series(text, 'db_client_queries_total', { operation: 'ROLLBACK' })[0].value,
    ).toBeGreaterThanOrEqual(1);
  });

  test('a slow query inside a request is sampled with its route, request id and redacted literals', async () => {
    await (await fetch(`${app.url}/slow/7`)).text();
    await settle();
    const sample = pw.slowQuerySamples().find((s) => s.fingerprint.includes('pg_sleep'));
    expect(sample).toMatchObject({
      route: '/slow/:id',
      dbSystem: 'postgresql',
      database: 'test',
      operation: 'SELECT',
      fingerprint: `select pg_sleep(?), email from ${table} where email = ?`,
      nPlusOne: false,
      error: false,
    });
    expect(sample!.durationMs).toBeGreaterThanOrEqual(150);
    expect(sample!.sample).toBe(`select pg_sleep(?), email from ${table} where email = ?`);
    expect(sample!.sample).not.toContain('user7@example.com');
    expect(sample!.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(
      series(await metrics(), 'db_client_slow_queries_total', {
        db_system: 'postgresql',
        operation: 'SELECT',
      })[0].value,
    ).toBeGreaterThanOrEqual(1);
  });

  test('after a slow sample without a stack, the next slow run of the statement names its call site', async () => {
    // Adaptive call sites: the first slow run above was not expected to be slow, so its stack was not
    // taken; its statement (and, briefly, every statement) now gets one.
    const before = pw.slowQuerySamples().filter((s) => s.fingerprint.includes('pg_sleep')).length;
    await (await fetch(`${app.url}/slow/8`, { headers: { 'x-request-id': 'req-pg-8' } })).text();
    await settle();
    const samples = pw.slowQuerySamples().filter((s) => s.fingerprint.includes('pg_sleep'));
    expect(samples).toHaveLength(before + 1);
    expect(samples[samples.length - 1]).toMatchObject({ requestId: 'req-pg-8', route: '/slow/:id' });
    expect(samples[samples.length - 1].callSite).toMatch(/(^|\/)test\/queries-pg\.test\.ts:\d+$/);
  });

  test('a loop of single-row selects in one request is flagged as N+1', async () => {
    await (await fetch(`${app.url}/n-plus-one`)).text();
    await settle();
    expect(series(await metrics(), 'db_client_n_plus_one_total', { route: '/n-plus-one' })[0].value).toBe(1);
    const sample = pw.slowQuerySamples().find((s) => s.nPlusOne && s.route === '/n-plus-one');
    expect(sample?.fingerprint).toBe(`select email from ${table} where id = ?`);
  });

  test('queries per request are observed by route', async () => {
    const text = await metrics();
    expect(series(text, 'db_client_queries_per_request_sum', { route: '/n-plus-one' })[0].value).toBe(10);
  });

  test('queries waiting for a pooled connection keep the request that issued them', async () => {
    // Six requests on a pool of two: four queries wait and start from another request's callback.
    const ids = Array.from({ length: 6 }, (_, n) => `req-queued-${n}`);
    await Promise.all(
      ids.map(async (id, n) =>
        (await fetch(`${app.url}/queued/${n}`, { headers: { 'x-request-id': id } })).text(),
      ),
    );
    await settle();
    const samples = pw.slowQuerySamples().filter((s) => s.route === '/queued/:n');
    expect(samples.map((s) => s.requestId).sort()).toEqual(ids);
  });

  test('a batched query is not flagged', async () => {
    await (await fetch(`${app.url}/batched`)).text();
    await settle();
    expect(series(await metrics(), 'db_client_n_plus_one_total', { route: '/batched' })).toHaveLength(0);
  });

  test('pool exhaustion shows callers waiting in the pending gauge', async () => {
    const running = Array.from({ length: 5 }, () => pool.query('select pg_sleep(0.3)'));
    await new Promise((r) => setTimeout(r, 100));
    const during = await metrics();
    await Promise.all(running);
    expect(series(during, 'db_client_connections', { pool: 'main', state: 'used' })[0].value).toBe(2);
    expect(series(during, 'db_client_connections', { pool: 'main', state: 'pending' })[0].value).toBe(3);
    expect(series(during, 'db_client_connections_max', { pool: 'main' })[0].value).toBe(2);
  });
});
