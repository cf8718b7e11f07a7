// Store-read benchmark: how long a slow-query aggregate over N stored samples holds the event loop, with
// reads on the SQLite worker thread (as shipped) and, side by side, run on the event loop as before
// (`await queryBuilder` through knex's synchronous better-sqlite3 driver). A 1 ms ticker measures the
// longest gap the loop could not run it. Results: bench/STORE-READS.md.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SlowQueryRepository } from '../exporter/dist/queries/repository.js';
import { openStore } from '../exporter/dist/store/store.js';
import { sampleFactory } from './slow-query-samples.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FINGERPRINTS = Number(process.env.BENCH_FINGERPRINTS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * BENCH_WRITES=1: while each aggregate runs, the main thread also commits 50 samples every 20 ms as
 * ingestion does, and the longest single commit is reported: what a read on the worker still costs
 * the write path (WAL checkpoints run in the committing connection, on the event loop).
 */
const WRITES = Boolean(process.env.BENCH_WRITES);
/**
 * `worker,loop` (default), any subset, or with `idle`: the same ticker (and writes) with no read at all
 * for as long as the last worker read took, the baseline of what the machine alone does to the ticker.
 * At 5 M rows the loop mode holds the process for minutes.
 */
const MODES = (process.env.BENCH_MODES ?? 'worker,loop').split(',');

// BENCH_DB=<file>: seed it once and keep it, so later runs at 5 M rows skip the seeding.
const keep = process.env.BENCH_DB;
const dir = keep ? path.dirname(path.resolve(keep)) : mkdtempSync(path.join(os.tmpdir(), 'pw-bench-reads-'));
const file = keep ? path.resolve(keep) : path.join(dir, 'perfwatch.db');
const url = `sqlite:${file}`;

async function seed() {
  const store = await openStore(url);
  await store.migrate();
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const insert = db.prepare(
    `insert into slow_query_samples (fingerprint_id, fingerprint, sample, duration_ms, db_system, database,
      operation, route, request_id, call_site, error, n_plus_one, sampled_out, sampled_out_ms, captured_at)
     values (?, ?, ?, ?, 'postgresql', 'shop', 'SELECT', ?, null, null, 0, 0, 0, 0, ?)`,
  );
  const now = Date.now();
  const many = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const f = i % FINGERPRINTS;
      const id = f.toString(16).padStart(16, '0');
      insert.run(
        id,
        `select * from t${f} where id = ?`,
        `select * from t${f} where id = ?`,
        100 + (i % 900),
        `/r${f % 50}`,
        now - (i % 86_400_000),
      );
    }
  });
  for (let i = 0; i < ROWS; i += 100_000) many(i, Math.min(ROWS, i + 100_000));
  db.close();
}

/** `n` fresh samples as ingestion would commit them. */
const samples = sampleFactory({ fingerprints: FINGERPRINTS, routes: 50 });

/**
 * CPU time of this process's main thread alone (its thread id is the pid), in ms, 10 ms resolution:
 * how much the event loop's thread itself worked, whatever the worker or the rest of the machine did.
 */
function mainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Runs `work` while a 1 ms ticker records the longest gap between its ticks; beside it, the longest GC
 * pause on this thread and how much of the wall time the loop was busy (event-loop utilisation), to tell
 * the loop's own work from a thread that was simply not scheduled.
 */
async function blocking(work) {
  let last = performance.now();
  let worst = 0;
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuMs();
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  clearInterval(ticker);
  worst = Math.max(worst, performance.now() - last);
  const elu = performance.eventLoopUtilization(elu0);
  gc.disconnect();
  return { wall, worst, gcMax, busy: elu.active, cpu: mainThreadCpuMs() - cpu0 };
}

const t0 = performance.now();
if (!keep || !existsSync(file)) await seed();
console.log(
  `seeded ${ROWS} rows (${FINGERPRINTS} fingerprints) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const store = await openStore(url);
const onLoop = {
  ...store,
  readRows: async (qb) => await qb,
  readColumns: async (qb) => {
    const rows = await qb;
    const columns = {};
    if (rows.length) for (const n of Object.keys(rows[0])) columns[n] = rows.map((r) => r[n]);
    return { length: rows.length, columns };
  },
};
const filter = { from: Date.now() - 86_400_000, to: Date.now() + 1000 };
const results = { worker: [], idle: [], autocheckpoint: [], loop: [] };
for (let r = 0; r < ROUNDS; r++)
  for (const [mode, s] of [
    ['worker', store],
    ['idle', store],
    // The worker read with SQLite's automatic WAL checkpoints back on the writing connection, as before
    // the checkpointer worker (store/sqlite-checkpointer.ts): a checkpoint then runs inside a commit.
    ['autocheckpoint', store],
    ['loop', onLoop],
  ].filter(([m]) => MODES.includes(m))) {
    const repo = new SlowQueryRepository(s);
    let writing = WRITES;
    let longestCommit = 0;
    let commits = 0;
    const writer = (async () => {
      while (writing) {
        const t = performance.now();
        await repo.insert(samples(50));
        longestCommit = Math.max(longestCommit, performance.now() - t);
        commits++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const idleMs = results.worker.at(-1)?.wall ?? 30_000;
    if (mode === 'autocheckpoint') await store.db.raw('pragma wal_autocheckpoint = 1000');
    const r = await blocking(() =>
      mode === 'idle'
        ? new Promise((resolve) => setTimeout(resolve, idleMs))
        : repo.aggregate(filter, 'totalTime', 'desc'),
    );
    writing = false;
    await writer;
    results[mode].push({ ...r, longestCommit, commits });
    if (mode === 'autocheckpoint') await store.db.raw('pragma wal_autocheckpoint = 0');
    // Every mode starts from an empty WAL.
    await store.db.raw('pragma wal_checkpoint(truncate)');
  }
await store.close();
if (!keep) rmSync(dir, { recursive: true, force: true });

const fmt = (xs, k) => xs.map((x) => x[k].toFixed(0)).join(' / ');
console.log(`\nslow-query aggregate over ${ROWS} rows, ${ROUNDS} rounds (ms):`);
for (const [mode, label] of [
  ['worker', 'reads on the worker:    '],
  ['idle', 'no read (baseline):     '],
  ['autocheckpoint', 'worker, checkpoints in commits (before):'],
  ['loop', 'reads on the event loop:'],
])
  if (results[mode].length)
    console.log(
      `  ${label} wall ${fmt(results[mode], 'wall')}   longest event-loop block ${fmt(results[mode], 'worst')}   longest GC pause ${fmt(results[mode], 'gcMax')}   loop busy ${fmt(results[mode], 'busy')}   main-thread CPU ${fmt(results[mode], 'cpu')}${WRITES ? `   commits ${fmt(results[mode], 'commits')}, longest ${fmt(results[mode], 'longestCommit')}` : ''}`,
    );
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
