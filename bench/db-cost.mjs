// Per-query cost of the DB hooks on a busy machine: the bench:db unit of work (9 short queries, an N+1
// loop among them) run N times by ONE process, bare or instrumented, printing the CPU time it took.
// Wall-time throughput on a shared machine says little; CPU time says more, and instruction counts
// (valgrind) are repeatable: run it under callgrind with two unit counts and divide the difference by
// the difference in queries, so start-up, table set-up and JIT warm-up cancel out:
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node bench/db-cost.mjs pg perfwatch 200
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node bench/db-cost.mjs pg perfwatch 600
//   (the "Collected" totals in each /tmp/cg.* file, or callgrind_annotate's first line)
//
// Arguments: driver (pg | mysql2), variant (bare | perfwatch | perfwatch-no-context), units (default
// 2000). BENCH_CONCURRENCY units at once (default 4). Needs PostgreSQL and MariaDB as bench/db.mjs does.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [driver = 'pg', variant = 'perfwatch', unitsArg = '2000'] = process.argv.slice(2);
const UNITS = Number(unitsArg);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.PERFWATCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ROWS = 1000;
const N_PLUS_ONE_LOOP = 6;
if (!['pg', 'mysql2'].includes(driver) || !['bare', 'perfwatch', 'perfwatch-no-context'].includes(variant))
  throw new Error('usage: db-cost.mjs pg|mysql2 bare|perfwatch|perfwatch-no-context [units]');

let pw;
let workContext;
if (variant !== 'bare') {
  // PERFWATCH_LIB: another build of the library (a copy of dist/ before a change), to compare.
  const lib = require(process.env.PERFWATCH_LIB ?? '../exporter/library/dist/index.js');
  workContext = lib.workContext;
  // PERFWATCH_CALL_SITES: off | adaptive | always, to split the call sites' share from the rest.
  const callSites = process.env.PERFWATCH_CALL_SITES;
  // PERFWATCH_SLOW_MS: the slow-query threshold (default 100 ms); a high one keeps a slowed run (a busy
  // machine, valgrind) from turning every statement slow, so only the N+1 loop asks for call sites.
  const slowMs = process.env.PERFWATCH_SLOW_MS;
  pw = lib.perfwatch({
    queries: {
      ...(callSites ? { callSites } : {}),
      ...(slowMs ? { slowThresholdMs: Number(slowMs) } : {}),
    },
  });
}
const table = `pw_bench_cost_${process.pid}`;
let q;
let close;
if (driver === 'pg') {
  const pg = require('pg');
  if (pw) pw.instrumentPg(pg);
  const pool = new pg.Pool({ connectionString: PG_URL, max: CONCURRENCY });
  const cache = new Map();
  const numbered = (sql) => {
    let s = cache.get(sql);
    if (s === undefined) {
      let n = 0;
      s = sql.replace(/\?/g, () => `$${++n}`);
      cache.set(sql, s);
    }
    return s;
  };
  q = (sql, params) => pool.query(numbered(sql), params);
  close = () => pool.end();
} else {
  const mysql = require('mysql2');
  if (pw) pw.instrumentMysql2(mysql);
  const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: CONCURRENCY }).promise();
  q = (sql, params) => pool.query(sql, params);
  close = () => pool.end();
}
await q(`drop table if exists ${table}`);
await q(`create table ${table} (id int primary key, name varchar(64) not null, score int not null)`);
const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'user ${i + 1}', ${i % 97})`);
await q(`insert into ${table} (id, name, score) values ${values.join(', ')}`);

// Fixed seed: the same statements in every run, so instruction counts compare.
let seed = 12345;
const rand = (n) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return 1 + (seed % n);
};
const unit = async () => {
  await q(`select id, name, score from ${table} where id = ?`, [rand(ROWS)]);
  const k = rand(10);
  const ids = Array.from({ length: k }, () => rand(ROWS));
  await q(`select id, score from ${table} where id in (${ids.map(() => '?').join(', ')})`, ids);
  for (let i = 0; i < N_PLUS_ONE_LOOP; i++) await q(`select name from ${table} where id = ?`, [rand(ROWS)]);
  await q(`update ${table} set score = score + 1 where id = ?`, [rand(ROWS)]);
  return 3 + N_PLUS_ONE_LOOP;
};
let n = 0;
const request =
  pw && variant === 'perfwatch'
    ? () => {
        const work = { kind: 'request', route: '/bench/:id', id: `r${n++}`, queryCount: 0 };
        return workContext.run(work, unit).then((count) => {
          if (work.queryCount > 0) pw.recorder.recordQueriesPerUnit(work.route, work.queryCount);
          return count;
        });
      }
    : unit;

let left = UNITS;
let queries = 0;
const cpu = process.cpuUsage();
const start = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (left-- > 0) {
      const done = await request();
      queries += done;
    }
  }),
);
const used = process.cpuUsage(cpu);
const wallMs = performance.now() - start;
await q(`drop table if exists ${table}`);
await close();
if (pw) await pw.close?.();
console.log(
  JSON.stringify({
    driver,
    variant,
    callSites: process.env.PERFWATCH_CALL_SITES,
    queries,
    cpuUsPerQuery: +((used.user + used.system) / queries).toFixed(1),
    userUsPerQuery: +(used.user / queries).toFixed(1),
    wallMs: Math.round(wallMs),
    samples: pw ? pw.slowQuerySamples().length : undefined,
  }),
);
