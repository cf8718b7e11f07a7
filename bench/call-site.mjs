// What taking the stack for call sites costs per query: the stack capture alone, and real pg queries
// with call sites off, adaptive (nothing slow seen yet, the steady state of a healthy app) and always.
// Needs PostgreSQL (PERFWATCH_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { Registry } = require('prom-client');
const { Recorder } = require('../exporter/library/dist/core/recorder.js');
const { instrumentPg } = require('../exporter/library/dist/instrument/pg.js');
const { CallSitePolicy, captureStack } = require('../exporter/library/dist/queries/call-site.js');

const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = 5;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);

// 1. The capture alone, 20 frames below the caller (a typical async route handler + driver depth).
const deep = (n, f) => (n === 0 ? f() : deep(n - 1, f));
const captureNs = deep(20, () => {
  for (let i = 0; i < 20_000; i++) captureStack();
  const start = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) captureStack();
  return Number(process.hrtime.bigint() - start) / 100_000;
});

// 2. Real queries on one connection, modes alternating so a busy moment hurts none alone.
const recorder = new Recorder(new Registry());
instrumentPg(pg, { recorder });
const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
const modes = {
  off: undefined,
  'adaptive (idle)': new CallSitePolicy('adaptive', 100),
  always: new CallSitePolicy('always', 100),
};
const perQuery = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let i = 0; i < 500; i++) await client.query('select $1::int as n', [i]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [mode, advisor] of Object.entries(modes)) {
    recorder.setStackAdvisor(advisor);
    const start = process.hrtime.bigint();
    for (let i = 0; i < QUERIES; i++) await client.query('select $1::int as n', [i]);
    perQuery[mode].push(Number(process.hrtime.bigint() - start) / 1000 / QUERIES);
  }
}
await client.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`captureStack() 20 frames deep: ${(captureNs / 1000).toFixed(2)} µs per call`);
console.log(`pg 'select $1' round trip on loopback, median of ${ROUNDS} × ${QUERIES} queries:`);
const base = median(perQuery.off);
for (const mode of Object.keys(modes)) {
  const m = median(perQuery[mode]);
  console.log(
    `  ${mode.padEnd(16)} ${m.toFixed(1)} µs/query (${(((m - base) / base) * 100).toFixed(1)} % vs off)`,
  );
}
