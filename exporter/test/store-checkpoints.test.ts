/**
 * SQLite WAL checkpoints run on a worker, never inside a commit on the event loop (issue 12, item 8;
 * bench/STORE-READS.md: a checkpoint inside an ingestion commit held the loop for up to 1.2 s), and the
 * WAL stays bounded: it is truncated once it passes its bound and no reader needs it.
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

test('steady commits leave the WAL within its bound', async () => {
  // Either the rounds keep up (the next commit then restarts the WAL from its start) or the WAL passes
  // its bound and is truncated; commits alone would leave 8 MB.
  const { store, file, results } = await open({ intervalMs: 20, truncateBytes: 1 * MB });
  await fill(store, 8);
  await until('the WAL is within its bound', () => walSize(file) <= 1 * MB);
  expect(results.every((r) => r.outcome !== 'error')).toBe(true);
});

test('a reader holding the WAL defers the truncate until it finishes', async () => {
  const { store, file, results } = await open({ intervalMs: 20, truncateBytes: 1 * MB });
  await fill(store, 1);
  const reader = new Database(file, { readonly: true });
  try {
    // An open read transaction pins its snapshot, as a long aggregate on the reader worker does.
    reader.prepare('begin').run();
    reader.prepare('select count(*) from fill').get();
    const before = results.length;
    await fill(store, 4);
    await until('a checkpoint round ran while the reader held the WAL', () => results.length > before + 3);
    expect(results.slice(before).some((r) => r.mode === 'passive' && r.outcome === 'partial')).toBe(true);
    expect(walSize(file)).toBeGreaterThan(4 * MB);
    reader.prepare('commit').run();
    // Counted from the commit: a truncate may complete before fill() while the reader's snapshot still
    // needs no WAL frame, and that one says nothing about the frames written since.
    const released = results.length;
    await until('a truncate completed after the reader finished', () =>
      results.slice(released).some((r) => r.mode === 'truncate' && r.outcome === 'complete'),
    );
    expect(walSize(file)).toBeLessThanOrEqual(1 * MB);
  } finally {
    reader.close();
  }
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
