/**
 * SQLite WAL checkpoints run on a worker, never inside a commit on the event loop (issue 12, item 8;
 * bench/STORE-READS.md: a checkpoint inside an ingestion commit held the loop for up to 1.2 s), and the
 * WAL stays bounded: once no reader needs it, the next commit starts it over and cuts it back to its limit.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CheckpointOptions, CheckpointResult } from '../src/store/sqlite-checkpointer';
import { openStore, type Store } from '../src/store/store';
import { startTestService } from './support/service';

const MB = 1024 * 1024;

interface Opened {
  store: Store;
  file: string;
  results: CheckpointResult[];
}

const opened: Array<{ store: Store; dir: string }> = [];
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function open(checkpoints: Partial<CheckpointOptions>): Promise<Opened> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-fix12-ckpt-'));
  const file = path.join(dir, 'perfwatch.db');
  const results: CheckpointResult[] = [];
  const store = await openStore(`sqlite:${file}`, [], {
    checkpoints: { ...checkpoints, onCheckpoint: (r) => results.push(r) },
  });
  opened.push({ store, dir });
  await store.db.schema.createTable('fill', (t) => {
    t.increments('id');
    t.binary('payload');
  });
  return { store, file, results };
}

/** `mb` megabytes of incompressible rows in commits of 256 KiB, yielding between commits like ingestion. */
async function fill(store: Store, mb: number): Promise<void> {
  for (let i = 0; i < mb * 4; i++) {
    await store.db('fill').insert(Array.from({ length: 4 }, () => ({ payload: randomBytes(64 * 1024) })));
    await new Promise((r) => setTimeout(r, 5));
  }
}

function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  return b;
}

const walSize = (file: string) => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("the service's connection has automatic checkpoints off", async () => {
  const { store } = await open({});
  expect(await store.db.raw('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
});

test('commits leave every frame in the WAL for the checkpointer', async () => {
  // No checkpoint round during the test: whatever empties the WAL would be a commit's own checkpoint.
  const { store, file } = await open({ intervalMs: 3_600_000 });
  await fill(store, 8);
  // SQLite's automatic checkpoint at 1 000 pages (~4 MB) would have restarted the WAL from its start.
  expect(walSize(file)).toBeGreaterThan(8 * MB);
});

test('after steady commits, the first commit once a round copied every frame cuts the WAL back to its limit', async () => {
  // Commits alone would leave 8 MB. SQLite cuts the file back in the commit that starts the WAL over,
  // which it does once a checkpoint has copied every frame and no reader needs them; how much piles up
  // between rounds meanwhile depends on how fast the rounds run, so the test waits for one.
  const { store, file, results } = await open({ intervalMs: 20, walLimitBytes: 1 * MB });
  await fill(store, 8);
  const filled = results.length;
  await until('a round copied every frame written', () =>
    results.slice(filled).some((r) => r.outcome === 'complete'),
  );
  await store.db('fill').insert({ payload: randomBytes(1024) });
  expect(walSize(file)).toBeLessThanOrEqual(1 * MB);
  expect(results.every((r) => r.outcome !== 'error')).toBe(true);
});

test('a reader holding the WAL lets it grow until it finishes, then the next commit cuts it back', async () => {
  const { store, file, results } = await open({ intervalMs: 20, walLimitBytes: 1 * MB });
  await fill(store, 1);
  const reader = new Database(file, { readonly: true });
  try {
    // An open read transaction pins its snapshot, as a long aggregate on the reader worker does.
    reader.prepare('begin').run();
    reader.prepare('select count(*) from fill').get();
    const before = results.length;
    await fill(store, 4);
    await until('a checkpoint round ran while the reader held the WAL', () => results.length > before + 3);
    expect(results.slice(before).some((r) => r.outcome === 'partial')).toBe(true);
    expect(walSize(file)).toBeGreaterThan(4 * MB);
    reader.prepare('commit').run();
    const released = results.length;
    await until('a round copied every frame after the reader finished', () =>
      results.slice(released).some((r) => r.outcome === 'complete'),
    );
    await store.db('fill').insert({ payload: randomBytes(1024) });
    expect(walSize(file)).toBeLessThanOrEqual(1 * MB);
  } finally {
    reader.close();
  }
});

test('a transaction that reads before it writes is never refused while checkpoints run', async () => {
  // A webhook or an incident action reads, then writes, in one transaction. SQLite answers SQLITE_BUSY
  // at once (no busy handler) when such a transaction asks for the writer lock another connection
  // holds; a TRUNCATE checkpoint on the worker held it, and 9 in 22 000 fuzz inputs answered 500.
  const { store } = await open({ intervalMs: 1, walLimitBytes: 16 * 1024 });
  const refused = new Map<string, number>();
  for (let i = 0; i < 3_000; i++) {
    try {
      await store.db.transaction(async (trx) => {
        await trx('fill').count({ n: '*' });
        await trx('fill').insert({ payload: Buffer.alloc(8 * 1024, i) });
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err).slice(0, 80);
      refused.set(code, (refused.get(code) ?? 0) + 1);
    }
    // Let the checkpointer's rounds fall between the transactions as well as inside them.
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  expect(Object.fromEntries(refused)).toEqual({});
});

test('the service counts its checkpoint rounds in /metrics', async () => {
  const svc = await startTestService();
  try {
    const counted = /perfwatch_sqlite_checkpoints_total\{mode="passive",outcome="complete"\} [1-9]/;
    let metrics = '';
    const end = Date.now() + 10_000;
    while (!counted.test(metrics) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      metrics = await (await svc.api('/metrics')).text();
    }
    expect(metrics).toMatch(counted);
    expect(metrics).toMatch(/^perfwatch_sqlite_wal_bytes \d+/m);
  } finally {
    await svc.close();
  }
});
