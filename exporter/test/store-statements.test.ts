/**
 * The service's SQLite connection keeps its prepared statements (issue 12): knex prepared every query
 * anew on the event loop. Reused statements must answer exactly as fresh ones, bindings and schema
 * changes included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../src/store/store';

let dir: string;
let store: Store;
const prepare = jest.spyOn(Database.prototype, 'prepare');
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-statements-'));
  store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
  await store.migrate();
  await store.db.schema.createTable('statements_t', (t) => {
    t.increments('id');
    t.string('name');
  });
  await store.db('statements_t').insert(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}` })));
});
afterAll(async () => {
  prepare.mockRestore();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const preparedTimes = (sql: string) => prepare.mock.calls.filter(([s]) => s === sql).length;

test('the same SQL run many times with different bindings is prepared once', async () => {
  prepare.mockClear();
  const q = (id: number) => store.db('statements_t').where('id', id).select('id', 'name');
  const { sql } = q(1).toSQL();
  for (let id = 1; id <= 20; id++) expect(await q(id)).toEqual([{ id, name: `n${id - 1}` }]);
  expect(preparedTimes(sql)).toBe(1);
});

test('a statement kept across a schema change answers with the new shape', async () => {
  const q = () => store.db('statements_t').where('id', 1).select('*');
  expect(await q()).toEqual([{ id: 1, name: 'n0' }]);
  await store.db.schema.alterTable('statements_t', (t) => t.integer('extra').defaultTo(7));
  expect(await q()).toEqual([{ id: 1, name: 'n0', extra: 7 }]);
});

test('a failed statement leaves the connection and the kept statement usable', async () => {
  await store.db('statements_t').insert({ id: 100, name: 'x' });
  const insert = () => store.db('statements_t').insert({ id: 100, name: 'y' });
  // Matched by message, not toThrow: after another test file in the same jest worker loaded
  // better-sqlite3, its SqliteError belongs to that file's realm and is no `instanceof Error` here.
  const unique = { message: expect.stringMatching(/UNIQUE/) };
  await expect(insert()).rejects.toMatchObject(unique);
  await expect(insert()).rejects.toMatchObject(unique);
  expect(await store.db('statements_t').where('id', 100).select('name')).toEqual([{ name: 'x' }]);
});
