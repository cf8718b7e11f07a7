// Prepared-statement cache on the service's SQLite connection: main-thread CPU per slow-query commit
// (what an acknowledged ingestion batch waits for: 50 samples and 8 tallies in one transaction) with the
// cache (shipped) and with every statement prepared anew (knex's own behaviour), alternated in one run.
// CPU time, not wall time: the machine is shared. Results: bench/STORE-READS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SlowQueryRepository } from '../exporter/dist/queries/repository.js';
import { openStore } from '../exporter/dist/store/store.js';
import { sampleFactory } from './slow-query-samples.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 300);

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-bench-statements-'));
const store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
await store.migrate();
const conn = await store.db.client.acquireConnection();
const cached = conn.prepare;
const uncached = Database.prototype.prepare;
await store.db.client.releaseConnection(conn);
const repo = new SlowQueryRepository(store);

const samples = sampleFactory({ fingerprints: 200, routes: 20 });
function batch() {
  const tallies = Array.from({ length: 8 }, (_, i) => ({
    fingerprint: `select * from t${i} where id = ?`,
    count: 3,
    ms: 300,
    maxMs: 100,
    dbSystem: 'postgresql',
    database: 'shop',
    operation: 'SELECT',
    route: '/r0',
    at: Date.now(),
  }));
  return [samples(50), tallies];
}

// Warm-up, both ways: JIT, the page cache, the table's first pages.
for (const p of [cached, uncached]) {
  conn.prepare = p;
  for (let i = 0; i < 100; i++) await repo.insert(...batch());
}
const cpu = { cached: [], uncached: [] };
for (let round = 0; round < ROUNDS; round++)
  for (const mode of round % 2 === 0 ? ['cached', 'uncached'] : ['uncached', 'cached']) {
    conn.prepare = mode === 'cached' ? cached : uncached;
    const c0 = process.cpuUsage();
    for (let i = 0; i < COMMITS; i++) await repo.insert(...batch());
    const c = process.cpuUsage(c0);
    cpu[mode].push((c.user + c.system) / COMMITS);
  }
conn.prepare = cached;
await store.close();
rmSync(dir, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const us = (xs) => xs.map((x) => x.toFixed(0)).join(' / ');
console.log(`CPU µs per commit of 50 samples + 8 tallies, ${ROUNDS} rounds of ${COMMITS}:`);
console.log(`  statements kept (shipped):  ${us(cpu.cached)}   mean ${mean(cpu.cached).toFixed(0)}`);
console.log(`  prepared anew (knex alone): ${us(cpu.uncached)}   mean ${mean(cpu.uncached).toFixed(0)}`);
console.log(`  ratio kept / anew: ${(mean(cpu.cached) / mean(cpu.uncached)).toFixed(3)}`);
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
