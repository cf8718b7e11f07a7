import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URL, pgUrlWithSchema } from '../library/test/support/env';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

/*
 * POST /api/v1/slow-queries/{id}/explain against the real PostgreSQL and MariaDB on this machine:
 * PostgreSQL in a private schema, MariaDB in tables named for this branch and process.
 */
const T = `feat18_explain_${process.pid}`;
const MYSQL_ENV = 'PERFWATCH_FEAT18_EXPLAIN_MYSQL_URL';

let svc: TestService;
let pgSchema: { url: string; drop: () => Promise<void> };
let my: mysql.Connection;

function record(dbSystem: string, database: string, sql: string) {
  svc.ctx.recorder.recordQuery({ dbSystem, database, sql, durationSeconds: 0.5, route: '/explain-test' });
}

/** The stored id of a fingerprint (the same text seen on two databases has one id). */
async function idOf(fingerprint: string): Promise<string> {
  const res = await svc.api(`/api/v1/slow-queries?q=${encodeURIComponent(fingerprint)}`, { scope: 'read' });
  const body = (await res.json()) as { items: Array<{ id: string; fingerprint: string }> };
  const exact = body.items.filter((i) => i.fingerprint === fingerprint);
  expect(exact).toHaveLength(1);
  return exact[0].id;
}

async function explain(id: string, body?: object) {
  const res = await svc.api(`/api/v1/slow-queries/${id}/explain`, {
    method: 'POST',
    scope: 'read',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read nested plan fields
}

async function pgCount(): Promise<number> {
  const c = new pg.Client({ connectionString: pgSchema.url });
  await c.connect();
  try {
    return Number((await c.query(`select count(*) as n from ${T}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  pgSchema = await pgUrlWithSchema();
  const c = new pg.Client({ connectionString: pgSchema.url });
  await c.connect();
  await c.query(`create table ${T} (id int primary key, email text)`);
  await c.query(`create index ${T}_email on ${T} (email)`);
  await c.query(`insert into ${T} select g, 'u' || g || '@example.com' from generate_series(1, 1000) g`);
  await c.query(`analyze ${T}`);
  // Immutable and argument-less, so the planner folds it, i.e. runs it while planning: it stands for
  // any statement whose planning takes too long.
  await c.query(
    `create function ${T}_slow() returns int language plpgsql immutable as $$ begin perform pg_sleep(3); return 1; end $$`,
  );
  // Advances a sequence when folded at plan time (PostgreSQL itself forbids an INSERT in an immutable
  // function, not nextval): only the READ ONLY transaction stops it.
  await c.query(`create sequence ${T}_seq`);
  await c.query(
    `create function ${T}_writer() returns bigint language plpgsql immutable as $$ begin return nextval('${T}_seq'); end $$`,
  );
  await c.end();

  my = await mysql.createConnection({ uri: MYSQL_URL });
  await my.query(`create table ${T} (id int primary key, email varchar(200), key email_idx (email))`);
  await my.query(`insert into ${T} values (1, 'a@example.com'), (2, 'b@example.com')`);

  process.env[MYSQL_ENV] = MYSQL_URL;
  svc = await startTestService({
    queries: {
      explain: {
        statementTimeoutMs: 1_000,
        connections: {
          shop: { client: 'pg', url: pgSchema.url },
          legacy: { client: 'mysql2', urlEnv: MYSQL_ENV },
          broken: { client: 'pg', url: 'postgres://feat18:s3cretPassw0rd@127.0.0.1:1/test' },
        },
      },
    },
  });
  record('postgresql', 'shop', `select * from ${T} where email = 'x@example.com'`);
  record('postgresql', 'shop', `delete from ${T}`);
  record('postgresql', 'shop', `select ${T}_slow()`);
  record('postgresql', 'shop', `select ${T}_writer()`);
  record('postgresql', 'shop', `select 1; delete from ${T} where id = 2`);
  record('postgresql', 'shop', `select * into ${T}_copy from ${T}`);
  record('postgresql', 'unconfigured', `select * from ${T}_elsewhere where id = 1`);
  record('postgresql', 'broken', `select * from ${T}_broken where id = 1`);
  record('mysql', 'legacy', `select * from ${T} where email = 'a@example.com'`);
  record('mysql', 'legacy', `select email from ${T} order by email`);
  record('mysql', 'legacy', `delete from ${T} where email like 'a%'`);
}, 30_000);

afterAll(async () => {
  await svc?.close();
  delete process.env[MYSQL_ENV];
  await pgSchema?.drop();
  await my?.query(`drop table if exists ${T}`);
  await my?.end();
});

describe('EXPLAIN on PostgreSQL', () => {
  test('returns the generic plan as text and as a tree, with numbered parameters', async () => {
    const { status, body } = await explain(await idOf(`select * from ${T} where email = ?`), {
      database: 'shop',
    });
    expect(status).toBe(200);
    expect(body.statement).toBe(`select * from ${T} where email = $1`);
    expect(body.genericPlan).toBe(true);
    expect(body.connection).toBe('shop');
    expect(body.text).toMatch(new RegExp(`Index Scan using ${T}_email on ${T}`));
    expect(body.text).toContain('$1');
    expect(body.tree.label).toBe(`Index Scan on ${T}`);
    expect(body.tree.details['Index Name']).toBe(`${T}_email`);
  });

  test('plans a DELETE without running it', async () => {
    const { status, body } = await explain(await idOf(`delete from ${T}`));
    expect(status).toBe(200);
    expect(body.tree.details.Operation).toBe('Delete');
    expect(await pgCount()).toBe(1000);
  });

  test('plans inside a READ ONLY transaction, so a function folded while planning cannot write (422)', async () => {
    const { status, body } = await explain(await idOf(`select ${T}_writer()`));
    expect(status).toBe(422);
    expect(body.error.message).toMatch(/read-only transaction/);
    const c = new pg.Client({ connectionString: pgSchema.url });
    await c.connect();
    const seq = await c.query(`select is_called from ${T}_seq`);
    await c.end();
    expect(seq.rows[0].is_called).toBe(false);
  });

  test('stops a statement that takes longer than the statement timeout (504)', async () => {
    const { status, body } = await explain(await idOf(`select ${T}_slow()`));
    expect(status).toBe(504);
    expect(body.error.code).toBe('explain_timeout');
  });

  test('runs one EXPLAIN at a time per connection and refuses the second (429)', async () => {
    const id = await idOf(`select ${T}_slow()`);
    const [a, b] = await Promise.all([explain(id), explain(id)]);
    expect([a.status, b.status].sort()).toEqual([429, 504]);
  });

  test('reports an unreachable connection (502) without its URL or password', async () => {
    const { status, body } = await explain(await idOf(`select * from ${T}_broken where id = ?`));
    expect(status).toBe(502);
    expect(body.error.code).toBe('explain_unavailable');
    expect(JSON.stringify(body)).not.toMatch(/s3cretPassw0rd|feat18:/);
  });
});

describe('EXPLAIN on MariaDB', () => {
  test('returns the plan as the tabular text and as a tree with placeholders bound to NULL', async () => {
    const { status, body } = await explain(await idOf(`select email from ${T} order by email`));
    expect(status).toBe(200);
    expect(body.genericPlan).toBe(false);
    expect(body.text).toMatch(/^id +\| select_type/);
    expect(body.text).toContain(T);
    expect(body.tree.label).toBe('query_block');
    expect(JSON.stringify(body.tree)).toContain(`"table ${T}"`);
    expect(body.notes).toEqual([]);
  });

  test('the same fingerprint seen on two databases is explained on the one asked for', async () => {
    const id = await idOf(`select * from ${T} where email = ?`);
    expect((await explain(id, { database: 'legacy' })).body.client).toBe('mysql2');
    expect((await explain(id, { database: 'shop' })).body.client).toBe('pg');
  });

  test('says when a NULL parameter made the WHERE impossible', async () => {
    const { status, body } = await explain(await idOf(`select * from ${T} where email = ?`), {
      database: 'legacy',
    });
    expect(status).toBe(200);
    expect(body.notes.join(' ')).toMatch(/Impossible WHERE/);
  });

  test('plans a DELETE without running it', async () => {
    const { status, body } = await explain(await idOf(`delete from ${T} where email like ?`));
    expect(status).toBe(200);
    expect(body.statement).toBe(`delete from ${T} where email like ?`);
    const [rows] = await my.query<mysql.RowDataPacket[]>(`select count(*) as n from ${T}`);
    expect(Number(rows[0].n)).toBe(2);
  });
});

describe('EXPLAIN refusals', () => {
  test('a fingerprint holding two statements is refused (422)', async () => {
    const { status, body } = await explain(await idOf(`select ?; delete from ${T} where id = ?`));
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ code: 'explain_refused', details: { reason: 'multiple_statements' } });
    expect(await pgCount()).toBe(1000);
  });

  test('SELECT … INTO is refused (422)', async () => {
    const { status, body } = await explain(await idOf(`select * into ${T}_copy from ${T}`));
    expect(status).toBe(422);
    expect(body.error.details.reason).toBe('writes_file');
  });

  test('a database without a configured connection is refused with what to configure (409)', async () => {
    const { status, body } = await explain(await idOf(`select * from ${T}_elsewhere where id = ?`));
    expect(status).toBe(409);
    expect(body.error.code).toBe('explain_not_configured');
    expect(body.error.message).toContain('"unconfigured"');
    expect(body.error.message).toContain('queries.explain.connections');
  });

  test('an unknown fingerprint is a 404', async () => {
    expect((await explain('0123456789abcdef')).status).toBe(404);
  });

  test('an unknown body field is a 400', async () => {
    const id = await idOf(`select * from ${T}_elsewhere where id = ?`);
    expect((await explain(id, { sql: 'drop table x' })).status).toBe(400);
  });

  test('needs the read scope', async () => {
    const res = await svc.api('/api/v1/slow-queries/0123456789abcdef/explain', { method: 'POST' });
    expect(res.status).toBe(401);
  });

  test('counts outcomes in perfwatch_explain_requests_total', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const count = (outcome: string) =>
      series(text, 'perfwatch_explain_requests_total', { outcome })[0]?.value ?? 0;
    expect(count('refused')).toBeGreaterThanOrEqual(2);
    expect(count('not_configured')).toBeGreaterThanOrEqual(1);
    expect(count('busy')).toBeGreaterThanOrEqual(1);
  });
});
