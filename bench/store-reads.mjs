// Store-read benchmark: how long a slow-query aggregate over N stored samples holds the event loop, with
// reads on the SQLite worker thread (as shipped) and, side by side, run on the event loop as before
// (`await queryBuilder` through knex's synchronous better-sqlite3 driver). A 1 ms ticker measures the
// longest gap the loop could not run it. Results: bench/STORE-READS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SlowQueryRepository } from '../exporter/dist/queries/repository.js';
import { openStore } from '../exporter/dist/store/store.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FINGERPRINTS = Number(process.env.BENCH_FINGERPRINTS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-bench-reads-'));
const file = path.join(dir, 'perfwatch.db');
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

/** Runs `work` while a 1 ms ticker records the longest gap between its ticks. */
async function blocking(work) {
  let last = performance.now();
  let worst = 0;
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
  return { wall, worst };
}

const t0 = performance.now();
await seed();
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
const results = { worker: [], loop: [] };
for (let r = 0; r < ROUNDS; r++)
  for (const [mode, s] of [
    ['worker', store],
    ['loop', onLoop],
  ]) {
    const repo = new SlowQueryRepository(s);
    results[mode].push(await blocking(() => repo.aggregate(filter, 'totalTime', 'desc')));
  }
await store.close();
rmSync(dir, { recursive: true, force: true });

const fmt = (xs, k) => xs.map((x) => x[k].toFixed(0)).join(' / ');
console.log(`\nslow-query aggregate over ${ROWS} rows, ${ROUNDS} rounds (ms):`);
console.log(
  `  reads on the worker:     wall ${fmt(results.worker, 'wall')}   longest event-loop block ${fmt(results.worker, 'worst')}`,
);
console.log(
  `  reads on the event loop: wall ${fmt(results.loop, 'wall')}   longest event-loop block ${fmt(results.loop, 'worst')}`,
);
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
