/**
 * SQLite reads run on a worker thread (issue 12, item 8); they must answer exactly what the same knex
 * query answers on the event loop. How much of the loop they spare is measured by bench/store-reads.mjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../src/store/store';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-reader-'));
  store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
  await store.migrate();
  await store.db.schema.createTable('reader_t', (t) => {
    t.increments('id');
    t.string('k');
    t.double('v');
    t.boolean('flag');
  });
  const rows = Array.from({ length: 1000 }, (_, i) => ({
    k: `k${i % 7}`,
    v: (i * 37) % 101,
    flag: i % 3 === 0,
  }));
  await store.db.batchInsert('reader_t', rows, 200);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('rows read on the worker equal the rows knex reads on the event loop, booleans bound alike', async () => {
  const q = () =>
    store.db('reader_t').where('flag', true).andWhere('v', '>', 10).orderBy('id').select('id', 'k', 'v');
  const onLoop = await q();
  expect(onLoop.length).toBeGreaterThan(100);
  expect(await store.readRows(q())).toEqual(onLoop);
  const cols = await store.readColumns(q());
  expect(cols.length).toBe(onLoop.length);
  expect(cols.columns.k).toEqual(onLoop.map((r: { k: string }) => r.k));
});

test('quantiles per key on the worker are the nearest-rank quantiles of each key', async () => {
  const rows = (await store.db('reader_t').select('k', 'v')) as Array<{ k: string; v: number }>;
  const got = await store.readQuantiles(store.db('reader_t').select('k', 'v'), [0.5, 0.95]);
  for (const k of new Set(rows.map((r) => r.k))) {
    const sorted = rows
      .filter((r) => r.k === k)
      .map((r) => r.v)
      .sort((a, b) => a - b);
    const rank = (p: number) => sorted[Math.ceil(p * sorted.length) - 1];
    expect(got.get(k)).toEqual([rank(0.5), rank(0.95)]);
  }
});

test('a query the worker cannot run rejects with the driver message', async () => {
  await expect(store.readRows(store.db('no_such_table').select('*'))).rejects.toThrow(/no such table/);
});
