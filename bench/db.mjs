// Database hooks: a workload of short queries on a real PostgreSQL (pg) and MariaDB (mysql2), bare and
// instrumented by Perfwatch (recording, slow-query sampling, N+1 fingerprinting), side by side in one run.
// Each variant is its own process (patching a driver cannot be undone), kept alive across rounds; the
// rounds alternate the variants and rotate their order, so a busy moment on a shared machine hurts none
// alone. Reported: queries/s and their ratio to bare, and the client's CPU time per query (user + system
// of the worker process, process.cpuUsage()), whose difference to bare is Perfwatch's cost per query.
// Needs PostgreSQL and MariaDB: PERFWATCH_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
// and PERFWATCH_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/test).
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.PERFWATCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Units of work (requests) in flight at once, each on its own pooled connection. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const ROWS = 1000;
/** Queries per unit: a lookup, an IN list, an N+1 loop of 6 lookups, an update. */
const N_PLUS_ONE_LOOP = 6;
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'pg,mysql2').split(',');
const VARIANTS = {
  bare: 'the driver alone',
  perfwatch:
    'pw.instrumentPg / pw.instrumentMysql2 with the default slow-query capture (threshold 100 ms, N+1 over 5 per request, call sites adaptive); each unit runs in a request context, as under the Express middleware',
  'perfwatch-no-context':
    'the same hooks, but the units run outside any request context (no AsyncLocalStorage, so no route attribution and no N+1 detection): splits the cost of the context from that of the hooks',
  'perfwatch-all-slow':
    'the same with a 1 µs slow-query threshold: every query is fingerprinted and sampled (50 kept per second, the rest tallied); a worst case, not a goal',
};

/** Variants run; bare always. */
const RUN = [
  'bare',
  ...(process.env.BENCH_VARIANTS ?? 'perfwatch,perfwatch-no-context,perfwatch-all-slow').split(','),
].filter((v, i, all) => v in VARIANTS && all.indexOf(v) === i);

if (process.argv[2] === 'worker') await worker(process.argv[3], process.argv[4]);
else await main();

/** One variant of one driver, driven over IPC: `{ run: seconds }` → `{ queries, cpuUs, seconds }`. */
async function worker(driver, variant) {
  let pw;
  let workContext;
  if (variant !== 'bare') {
    const lib = require('../exporter/library/dist/index.js');
    workContext = lib.workContext;
    pw = lib.perfwatch({
      queries: variant === 'perfwatch-all-slow' ? { slowThresholdMs: 0.001 } : {},
    });
  }
  const table = `pw_bench_db_${process.pid}`;
  let q; // (sql with ? placeholders, params) => Promise
  let close;
  if (driver === 'pg') {
    const pg = require('pg');
    if (pw) pw.instrumentPg(pg);
    const pool = new pg.Pool({ connectionString: PG_URL, max: CONCURRENCY });
    // pg numbers its placeholders.
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

  let seed = process.pid;
  const rand = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return 1 + (seed % n);
  };
  /** One unit of work, as one request of a web app would issue it: 9 queries. */
  const unit = async () => {
    await q(`select id, name, score from ${table} where id = ?`, [rand(ROWS)]);
    const k = rand(10);
    const ids = Array.from({ length: k }, () => rand(ROWS));
    await q(`select id, score from ${table} where id in (${ids.map(() => '?').join(', ')})`, ids);
    for (let i = 0; i < N_PLUS_ONE_LOOP; i++) await q(`select name from ${table} where id = ?`, [rand(ROWS)]);
    await q(`update ${table} set score = score + 1 where id = ?`, [rand(ROWS)]);
    return 3 + N_PLUS_ONE_LOOP;
  };
  let units = 0;
  /** As the Express middleware and request tracker do around a request. */
  const request =
    pw && variant !== 'perfwatch-no-context'
      ? () => {
          const work = { kind: 'request', route: '/bench/:id', id: `r${units++}`, queryCount: 0 };
          return workContext.run(work, unit).then((n) => {
            if (work.queryCount > 0) pw.recorder.recordQueriesPerUnit(work.route, work.queryCount);
            return n;
          });
        }
      : unit;

  const run = async (seconds) => {
    const until = performance.now() + seconds * 1000;
    let queries = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          // Not `queries += await request()`: that reads `queries` before the await, and the units in
          // flight at once overwrite each other's counts (the runs before 2026-12-06 counted about one
          // query in CONCURRENCY, so their queries/s and µs/query were off by that factor).
          const n = await request();
          queries += n;
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { queries, cpuUs: used.user + used.system, seconds: (performance.now() - start) / 1000 };
  };

  /**
   * One more run under the inspector's sampling profiler (never during the measured rounds: it slows
   * the process down): the CPU time in Perfwatch's own frames (the exporter, prom-client, lru-cache, and
   * what they call) per query. Independent of the load on the database servers, unlike the difference
   * of two runs.
   */
  const profile = async (seconds) => {
    const { Session } = await import('node:inspector');
    const session = new Session();
    session.connect();
    const post = (method, params) =>
      new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
    await post('Profiler.start');
    const result = await run(seconds);
    const { profile: p } = await post('Profiler.stop');
    session.disconnect();
    if (process.env.BENCH_PROFILE_OUT)
      writeFileSync(
        path.join(process.env.BENCH_PROFILE_OUT, `${driver}-${variant}.cpuprofile`),
        JSON.stringify(p),
      );
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // The library builds to exporter/library/dist since the split; exporter/dist alone missed its frames.
    const ours = (url) => /exporter\/(library\/)?dist\/|node_modules\/(prom-client|lru-cache)\//.test(url);
    /**
     * Whose the sample is: the first frame up the stack that belongs to a package or to Perfwatch;
     * for Perfwatch's, that frame (file:function), else undefined.
     */
    const owned = (id) => {
      for (let x = id; x !== undefined; x = parent.get(x)) {
        const { url, functionName } = byId.get(x).callFrame;
        if (ours(url)) return `${url.split('/').slice(-2).join('/')}:${functionName || '(anonymous)'}`;
        if (url.includes('node_modules/') || url.includes('/bench/')) return undefined;
      }
      return undefined;
    };
    // Sample intervals are wall time, which a descheduled process stretches: take Perfwatch's share of
    // the busy samples and apply it to the run's CPU time.
    let pwUs = 0;
    let busyUs = 0;
    const frames = new Map();
    p.samples.forEach((id, i) => {
      if (byId.get(id).callFrame.functionName === '(idle)') return;
      busyUs += p.timeDeltas[i];
      const frame = owned(id);
      if (frame === undefined) return;
      pwUs += p.timeDeltas[i];
      frames.set(frame, (frames.get(frame) ?? 0) + p.timeDeltas[i]);
    });
    const top = [...frames]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([frame, us]) => ({ frame, share: us / busyUs }));
    return { ...result, share: pwUs / busyUs, top };
  };

  process.on('message', async (msg) => {
    try {
      if (msg.run !== undefined) process.send({ result: await run(msg.run) });
      else if (msg.profile !== undefined) process.send({ result: await profile(msg.profile) });
      else if (msg.check) {
        // The instrumented variants must have recorded the queries they ran, or the comparison is void.
        const metrics = pw ? await pw.registry.metrics() : '';
        process.send({ metrics });
      } else if (msg.stop) {
        await q(`drop table if exists ${table}`);
        await close();
        process.send({ stopped: true });
        process.exit(0);
      }
    } catch (err) {
      process.send({ error: String(err?.stack ?? err) });
    }
  });
  process.send({ ready: true });
}

function start(driver, variant) {
  // BENCH_CPU_PROF=<dir> writes a CPU profile of each worker there (node --cpu-prof), for finding the cost.
  const prof = process.env.BENCH_CPU_PROF;
  const execArgv = prof
    ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${driver}-${variant}.cpuprofile`]
    : [];
  const child = fork(fileURLToPath(import.meta.url), ['worker', driver, variant], {
    stdio: 'inherit',
    execArgv,
  });
  const pending = [];
  child.on('message', (m) => {
    const p = pending.shift();
    if (!p) return;
    if (m.error) p.reject(new Error(`${driver}/${variant}: ${m.error}`));
    else p.resolve(m);
  });
  child.on('exit', (code) => {
    for (const p of pending.splice(0)) p.reject(new Error(`${driver}/${variant} exited with ${code}`));
  });
  const wait = () => new Promise((resolve, reject) => pending.push({ resolve, reject }));
  const ready = wait();
  return {
    driver,
    variant,
    ready,
    ask: (msg) => {
      const w = wait();
      child.send(msg);
      return w;
    },
    exited: new Promise((resolve) => child.on('exit', resolve)),
    kill: () => child.kill(),
  };
}

async function main() {
  const workers = [];
  try {
    for (const driver of DRIVERS) for (const variant of RUN) workers.push(start(driver, variant));
    await Promise.all(workers.map((w) => w.ready));
    // Warm-up: the JIT, the pools' connections, the fingerprint caches.
    for (const w of workers) await w.ask({ run: WARMUP });
    const results = new Map(workers.map((w) => [w, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const driver of DRIVERS) {
        const group = workers.filter((w) => w.driver === driver);
        const order = group.map((_, i) => group[(i + r) % group.length]);
        for (const w of order) {
          const { result } = await w.ask({ run: SECONDS });
          results.get(w).push(result);
          console.log(
            `round ${r + 1} ${driver} ${w.variant}: ${Math.round(result.queries / result.seconds)} queries/s, ${(result.cpuUs / result.queries).toFixed(1)} µs CPU/query`,
          );
        }
      }
    }
    const profiled = new Map();
    const breakdown = [];
    for (const w of workers.filter((x) => x.variant !== 'bare')) {
      const { result } = await w.ask({ profile: SECONDS });
      profiled.set(w, (result.share * result.cpuUs) / result.queries);
      if (w.variant === 'perfwatch') {
        const perQuery = result.cpuUs / result.queries;
        breakdown.push(
          `### ${w.driver}\n\nPerfwatch's frames: ${(result.share * 100).toFixed(1)} % of the busy samples (${(result.share * perQuery).toFixed(1)} of ${perQuery.toFixed(1)} µs CPU per query in that run). Largest:\n\n| frame | share of busy samples | µs/query |\n| --- | ---: | ---: |\n${result.top
            .map(
              (t) =>
                `| \`${t.frame}\` | ${(t.share * 100).toFixed(2)} % | ${(t.share * perQuery).toFixed(1)} |`,
            )
            .join('\n')}`,
        );
      }
    }
    // The instrumented workers must have counted their queries under the route of their requests.
    for (const w of workers.filter((x) => x.variant !== 'bare')) {
      const { metrics } = await w.ask({ check: true });
      const system = w.driver === 'pg' ? 'postgresql' : 'mysql';
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith(`db_client_queries_per_request_count{route="/bench/:id"}`));
      const counted = metrics.includes(`db_client_query_duration_seconds_count{db_system="${system}"`);
      if ((!line && w.variant !== 'perfwatch-no-context') || !counted)
        throw new Error(`${w.driver}/${w.variant} did not record its queries`);
    }

    const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
    const rows = [];
    const summary = [];
    const goal = [];
    for (const driver of DRIVERS) {
      const group = workers.filter((w) => w.driver === driver);
      const stats = new Map(
        group.map((w) => {
          const rs = results.get(w);
          const queries = sum(rs, (x) => x.queries);
          return [
            w.variant,
            {
              qps: queries / sum(rs, (x) => x.seconds),
              cpuPerQuery: sum(rs, (x) => x.cpuUs) / queries,
              perRound: rs.map((x) => x.queries / x.seconds),
            },
          ];
        }),
      );
      const bare = stats.get('bare');
      for (const [variant, s] of stats) {
        const ratio = s.qps / bare.qps;
        const cost = s.cpuPerQuery - bare.cpuPerQuery;
        // Per round ratios (the same round's bare), to show the spread.
        const roundRatios = s.perRound.map((x, i) => x / bare.perRound[i]);
        const inProfile = profiled.get(group.find((w) => w.variant === variant));
        rows.push(
          `| ${driver} | ${variant} | ${Math.round(s.qps)} | ${variant === 'bare' ? '1.000' : `**${ratio.toFixed(3)}**`} | ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)} | ${s.cpuPerQuery.toFixed(1)} | ${variant === 'bare' ? '' : cost.toFixed(1)} | ${inProfile === undefined ? '' : inProfile.toFixed(1)} |`,
        );
        if (variant === 'perfwatch') goal.push(`${driver} ${ratio.toFixed(3)}×`);
        if (variant === 'perfwatch')
          summary.push(
            `${driver}: ${ratio.toFixed(3)}× bare queries/s; Perfwatch's cost per query ${cost.toFixed(1)} µs CPU by difference (${((cost / bare.cpuPerQuery) * 100).toFixed(1)} % of bare's client CPU), ${inProfile.toFixed(1)} µs in its own frames by profile`,
          );
      }
    }
    const table = [
      '| driver | variant | queries/s | ratio to bare | per-round ratios | client CPU µs/query | Perfwatch µs/query (CPU, minus bare) | Perfwatch µs/query (profile) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n');
    console.log(table);
    console.log(summary.join('\n'));
    const date = new Date().toISOString().slice(0, 10);
    writeFileSync(
      path.join(here, 'DB.md'),
      `# Database hooks benchmark

Written by \`npm run bench:db\` (bench/db.mjs; needs PostgreSQL and MariaDB, see the script's header).

Method: a table of ${ROWS} rows per worker; each unit of work (one request of a web app) issues 9 short
queries: a primary-key lookup, an \`IN\` list of 1–10 placeholders, an N+1 loop of ${N_PLUS_ONE_LOOP}
lookups (which Perfwatch flags) and an update. ${CONCURRENCY} units run at once over a pool of
${CONCURRENCY} connections (\`pg.Pool\`; \`mysql2.createPool().promise()\`), for ${SECONDS} s per variant and
round, ${ROUNDS} rounds after a ${WARMUP} s warm-up, the variants alternating and their order rotated each round.
Each variant is its own Node process. The headline ratio is of queries/s; the per-query cost is the
worker's CPU time (user + system, \`process.cpuUsage()\`) per query, instrumented minus bare, which
the database servers sharing the machine disturb less than throughput. On a loaded machine both drift
(the kernel's loopback TCP work is charged to the client's system time); the last column does not: after
the measured rounds each instrumented worker runs once more under the inspector's sampling profiler, and
the CPU time spent in Perfwatch's own frames (the exporter, prom-client, lru-cache and what they call)
is taken as a share of the busy samples (the profiler's intervals are wall time, which a descheduled
process stretches) and applied to that run's CPU time per query. Garbage collection caused by Perfwatch's
allocations is not in its frames, so this column is a lower bound.

Variants:

${Object.entries(VARIANTS)
  .filter(([v]) => RUN.includes(v))
  .map(([v, d]) => `- \`${v}\`: ${d}.`)
  .join('\n')}

Run on ${date}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores,
load average ${os.loadavg()[0].toFixed(1)} at the end; the database servers run on the same machine, which
is shared, so absolute numbers vary from run to run).

${table}

${summary.map((s) => `- ${s}`).join('\n')}

Goal ≥ 0.97 × bare queries/s with the default capture (\`perfwatch\` rows): **${goal.every((g) => Number(g.split(' ')[1].slice(0, -1)) >= 0.97) ? 'met' : 'not met'}** (${goal.join(', ')}). On a machine this loaded the per-round ratios scatter widely; compare the CPU columns, and re-run on a quiet machine before quoting the ratio.

## Where Perfwatch's time goes (the profiled run of \`perfwatch\`)

Frames are grouped by the first Perfwatch, prom-client or lru-cache frame up the stack (so a function's
share includes what it calls outside the packages, e.g. V8's stack capture); the AsyncLocalStorage
promise hooks and garbage collection are not attributed.

${breakdown.join('\n\n')}
`,
    );
  } finally {
    await Promise.all(
      workers.map((w) =>
        // Waits for the exit, so that a CPU profile is written.
        Promise.race([
          w.ask({ stop: true }).then(() => w.exited),
          new Promise((r) => setTimeout(r, 5000)),
        ]).catch(() => undefined),
      ),
    );
    for (const w of workers) w.kill();
  }
}
