import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { MIGRATIONS, type Migration } from '../src/store/migrations';
import { redactUrl } from '@perfwatch/node/internal';
import { openStore } from '../src/store/store';
import { pgUrlWithSchema } from '../library/test/support/env';

const sqliteUrl = () =>
  `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), 'pw-store-')), 'nested', 'perfwatch.db')}`;

const extra: Migration = {
  name: '999_probe',
  up: (k: Knex) => k.schema.createTable('probe', (t) => t.increments('id')),
  down: (k: Knex) => k.schema.dropTable('probe'),
};

describe.each(['sqlite', 'postgres'])('%s store', (kind) => {
  let url: string;
  let cleanup = async () => {};
  beforeAll(async () => {
    if (kind === 'sqlite') url = sqliteUrl();
    else ({ url, drop: cleanup } = await pgUrlWithSchema());
  });
  afterAll(() => cleanup());

  test('migrations run at open and record the schema version in the meta table', async () => {
    const store = await openStore(url);
    const version = await store.migrate();
    expect(store.kind).toBe(kind);
    expect(version).toBe(Math.max(...MIGRATIONS.map((m) => Number(m.name.slice(0, 3)))));
    const row = await store.db('perfwatch_meta').where({ key: 'schema_version' }).first();
    expect(row.value).toBe(String(version));
    await store.close();
  });

  test('running migrations again is a no-op', async () => {
    const store = await openStore(url);
    const before = await store.migrate();
    expect(await store.migrate()).toBe(before);
    await store.close();
  });

  test('a new migration is applied on the next start and raises the version', async () => {
    const store = await openStore(url, [...MIGRATIONS, extra]);
    expect(await store.migrate()).toBe(999);
    await store.db('probe').insert({});
    expect(await store.db('probe').count({ n: '*' })).toEqual([{ n: kind === 'postgres' ? '1' : 1 }]);
    await store.close();
  });

  test('a store migrated to 005 before 004 landed gets the service column on its next start', async () => {
    const fresh = kind === 'sqlite' ? { url: sqliteUrl(), drop: async () => {} } : await pgUrlWithSchema();
    const without004 = MIGRATIONS.filter((m) => m.name !== '004_slow_query_service');
    const old = await openStore(fresh.url, without004);
    expect(await old.migrate()).toBe(5);
    expect(await old.db.schema.hasColumn('slow_query_samples', 'service')).toBe(false);
    await old.close();
    const store = await openStore(fresh.url);
    expect(await store.migrate()).toBe(5);
    expect(await store.db.schema.hasColumn('slow_query_samples', 'service')).toBe(true);
    await store.close();
    await fresh.drop();
  });

  test('ping succeeds on a reachable store', async () => {
    const store = await openStore(url);
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});

test('ping fails on an unreachable PostgreSQL', async () => {
  const store = await openStore('postgres://postgres@127.0.0.1:1/test');
  await expect(store.ping()).rejects.toThrow();
  await store.close();
});

test('store URLs are logged without passwords', () => {
  expect(redactUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
});

test('processes migrating one empty PostgreSQL schema at the same moment all succeed, each migration once', async () => {
  const { url, drop } = await pgUrlWithSchema();
  const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url)));
  try {
    const versions = await Promise.all(stores.map((s) => s.migrate()));
    expect(new Set(versions).size).toBe(1);
    const names = (await stores[0].db('perfwatch_migrations').orderBy('id').pluck('name')) as string[];
    expect(names).toEqual(MIGRATIONS.map((m) => m.name));
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await drop();
  }
});
