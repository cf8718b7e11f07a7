// Fuzz run: hostile inputs (bench/fuzz-inputs.js) against every /api/v1 route and the Alertmanager
// webhook of a real `perfwatch serve` (built CLI, SQLite store, a real Prometheus for /sla/report).
// Checks every answer is 2xx or a 4xx JSON body with a message, never 5xx; the process never exits or
// restarts (same pid); the event loop never blocks > 100 ms (the service's own
// nodejs_eventloop_lag_max_seconds, read every second); RSS stays under BENCH_FUZZ_RSS_MB.
// BENCH_FUZZ_INPUTS (default 1 000 000) and BENCH_FUZZ_MINUTES (a time cap, default none) bound the run.
// Inputs are generated ahead on worker threads (bench/fuzz-generator.mjs), so the sender waits on the
// service, not on fast-check. The service runs at nice -5 (BENCH_FUZZ_NICE) when this runs as root:
// the machine is shared, and the bound is about the service's own loop, not about its turn on a core.
// Results: bench/FUZZ.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { violation } = require('./fuzz-inputs.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const INPUTS = Number(process.env.BENCH_FUZZ_INPUTS ?? 1_000_000);
const MINUTES = Number(process.env.BENCH_FUZZ_MINUTES ?? Infinity);
const CONCURRENCY = Number(process.env.BENCH_FUZZ_CONCURRENCY ?? 16);
const RSS_MB = Number(process.env.BENCH_FUZZ_RSS_MB ?? 512);
const NICE = Number(process.env.BENCH_FUZZ_NICE ?? -5);
const WORKERS = Number(process.env.BENCH_FUZZ_WORKERS ?? Math.max(1, os.availableParallelism() - 1));
const CHUNK = 500;
// Event-loop blocks over this are reported with the requests in flight around them.
const BLOCK_MS = Number(process.env.BENCH_FUZZ_BLOCK_MS ?? 100);
const TOKENS = {
  read: 'fuzz-read-token-0123456789',
  write: 'fuzz-write-token-0123456789',
  ingest: 'fuzz-ingest-token-0123456789',
  alertmanager: 'fuzz-am-token-0123456789',
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-fuzz-'));
const freePort = () => {
  const r = spawnSync(process.execPath, [
    '-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ]);
  return Number(String(r.stdout).trim());
};

// A real Prometheus, so /sla/report answers from it rather than 503 "not configured".
const promPort = freePort();
writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
const prometheus = spawn(
  'prometheus',
  [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ],
  { stdio: 'ignore' },
);
// A real Alertmanager, so incident silences are created and expired in it rather than refused.
const amPort = freePort();
writeFileSync(path.join(dir, 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
const alertmanager = spawn(
  '/usr/bin/prometheus-alertmanager',
  [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(dir, 'am')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
  ],
  { stdio: 'ignore' },
);

writeFileSync(
  path.join(dir, 'perfwatch.yml'),
  `sla:\n  endpoints:\n    - route: /users/:id\n      method: GET\n      latency: { target: "p95 < 300ms" }\n`,
);
// BENCH_FUZZ_PROFILE_DIR=<dir> writes a CPU profile of the service: what held the loop in a block.
const profile = process.env.BENCH_FUZZ_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_FUZZ_PROFILE_DIR)}`]
  : [];
const svc = spawn(
  process.execPath,
  [...profile, path.join(here, '..', 'exporter', 'dist', 'cli.js'), 'serve'],
  {
    env: {
      ...process.env,
      PERFWATCH_PORT: '0',
      PERFWATCH_HOST: '127.0.0.1',
      PERFWATCH_STORE_URL: `sqlite:${path.join(dir, 'perfwatch.db')}`,
      PERFWATCH_PROMETHEUS_URL: `http://127.0.0.1:${promPort}`,
      PERFWATCH_ALERTMANAGER_URL: `http://127.0.0.1:${amPort}`,
      PERFWATCH_SYSTEM_METRICS: 'false',
      PERFWATCH_TOKEN_READ: TOKENS.read,
      PERFWATCH_TOKEN_WRITE: TOKENS.write,
      PERFWATCH_TOKEN_INGEST: TOKENS.ingest,
      PERFWATCH_TOKEN_ALERTMANAGER: TOKENS.alertmanager,
    },
    // stdout carries the JSON log: read for the listening line, then drained.
    stdio: ['ignore', 'pipe', 'ignore'],
    // Its own session, so its own scheduling group (see the renice below).
    detached: true,
  },
);
let exited = null;
// Stopped early (Ctrl-C, kill): the service is in a session of its own and would outlive this script.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    for (const child of [svc, prometheus, alertmanager]) child.kill('SIGTERM');
    process.exit(130);
  });
const serviceErrors = [];
svc.once('exit', (code, signal) => (exited = code ?? signal));
const base = await new Promise((resolve, reject) => {
  readline.createInterface({ input: svc.stdout }).on('line', (line) => {
    try {
      const e = JSON.parse(line);
      if (e.msg === 'perfwatch listening') resolve(e.url);
      // The service's errors explain a 5xx the contract check reports; the rest of the log is drained.
      else if (e.level >= 50 && serviceErrors.length < 20) serviceErrors.push(line.slice(0, 2000));
    } catch {
      // not JSON
    }
  });
  svc.once('exit', () => reject(new Error('perfwatch exited before listening')));
});
const pid = svc.pid;
// With the kernel's autogroup scheduling on (sched_autogroup_enabled, the default on desktop and many
// server kernels), a nice value only ranks a process within its session's group, and every session
// gets an equal share of the CPU whatever its nice: renicing the service did nothing against other
// sessions' jobs. The service runs in a session of its own (detached) and its group gets the nice too.
const reniced =
  process.getuid?.() === 0 &&
  spawnSync('renice', ['-n', String(NICE), '-p', String(pid)]).status === 0 &&
  renicedGroup(pid);
let autogroup = '0';
try {
  autogroup = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
} catch {
  // not Linux, or no autogroup
}
if (autogroup === '1')
  console.log(
    'note: autogroup scheduling is on: other sessions share the CPU equally whatever their nice; on a shared machine (as root) `echo 0 > /proc/sys/kernel/sched_autogroup_enabled` makes the nice values count',
  );
function renicedGroup(p) {
  try {
    writeFileSync(`/proc/${p}/autogroup`, String(NICE));
  } catch {
    // No autogroup in this kernel: the plain nice is all there is.
  }
  return true;
}
console.log(
  `perfwatch serve pid ${pid} at ${base}${reniced ? ` (nice ${NICE})` : ''}; Prometheus on ${promPort}, Alertmanager on ${amPort}; ${INPUTS} inputs, ${CONCURRENCY} at a time, ${WORKERS} generator thread(s)`,
);

// Generator threads: each answers { seed, n } with n ready-to-send requests. Up to AHEAD chunks are
// asked for ahead of the sender, round-robin, and taken in seed order so a run is reproducible.
const AHEAD = 4 * WORKERS;
const generators = Array.from(
  { length: WORKERS },
  () =>
    new Worker(new URL('./fuzz-generator.mjs', import.meta.url), { workerData: { base, tokens: TOKENS } }),
);
const pending = new Map();
let nextSeed = 1;
function ask() {
  const seed = nextSeed++;
  const w = generators[seed % generators.length];
  pending.set(
    seed,
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m.seed !== seed) return;
        w.off('message', onMessage);
        resolve(m.requests);
      };
      w.on('message', onMessage);
      w.postMessage({ seed, n: CHUNK });
    }),
  );
}
async function chunk(seed) {
  while (nextSeed <= seed + AHEAD) ask();
  const out = await pending.get(seed);
  pending.delete(seed);
  return out;
}

const byRoute = new Map();
const violations = [];
let done = 0;
let worstMs = 0;
let worstRequest = '';
let worstLagMs = 0;
let maxRssMb = 0;
let lagSamples = 0;
const p99s = [];
const lagOver = { 20: 0, 50: 0, 100: 0 };
const started = Date.now();
// What was in flight around an event-loop block over the bound: the requests that may have caused it.
const inFlight = new Set();
const recent = [];
const blocks = [];

const routeKey = (r) => {
  const p = r.path
    .replace(/^\/(incidents)\/[^/]+\/(\w+)$/, '/$1/{id}/$2')
    .replace(/^\/(incidents|slow-queries)\/(?!stats$|bulk)[^/]+$/, '/$1/{id}');
  return `${r.method} ${/^\/(status|whoami|slow-queries|events|health|alertmanager|incidents|sla)/.test(p) ? p.replace(/\/$/, '') : '(other path)'}`;
};

const monitor = setInterval(async () => {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const lag = Number(/^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1] ?? 0) * 1000;
    const rss = Number(/^process_resident_memory_bytes (\S+)/m.exec(text)?.[1] ?? 0) / 2 ** 20;
    p99s.push(Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1] ?? 0) * 1000);
    worstLagMs = Math.max(worstLagMs, lag);
    maxRssMb = Math.max(maxRssMb, rss);
    lagSamples++;
    for (const t of Object.keys(lagOver)) if (lag > Number(t)) lagOver[t]++;
    if (lag > BLOCK_MS && blocks.length < 20) {
      const block = {
        lagMs: Math.round(lag),
        at: Math.round((Date.now() - started) / 1000),
        requests: [...inFlight, ...recent].map((r) => `${r.ms ?? 'open'} ms ${r.what}`).slice(0, 40),
      };
      blocks.push(block);
      // As it happens too: a run stopped early (BENCH_FUZZ_MINUTES, Ctrl-C) still shows its blocks.
      console.log(`BLOCK ${JSON.stringify(block)}`);
    }
    recent.length = 0;
  } catch {
    // counted by the pid/exit check
  }
}, 1000);

async function one(r) {
  const { url, init } = r;
  const t0 = performance.now();
  const flight = { what: `${r.method} ${url.slice(base.length, base.length + 100)}` };
  inFlight.add(flight);
  let status = 0;
  let problem;
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    status = res.status;
    problem = violation(status, res.headers.get('content-type'), text);
  } catch (err) {
    // undici says only "fetch failed"; the cause (reset, refused, timeout) is what tells them apart.
    const cause = err.cause ? `: ${err.cause.code ?? ''} ${err.cause.message ?? ''}`.trimEnd() : '';
    problem = `request failed: ${err.message}${cause}`;
  }
  const ms = performance.now() - t0;
  inFlight.delete(flight);
  flight.ms = Math.round(ms);
  if (recent.length < 5000) recent.push(flight);
  if (ms > worstMs) {
    worstMs = ms;
    worstRequest = `${r.method} ${url.slice(base.length, base.length + 120)}`;
  }
  const key = routeKey(r);
  const s = byRoute.get(key) ?? { n: 0, '2xx': 0, '4xx': 0, bad: 0 };
  s.n++;
  if (problem) {
    s.bad++;
    // Printed at once too: a long run's violations should not wait for its end to be seen.
    if (violations.length < 50) console.log(`VIOLATION ${key}: ${problem.slice(0, 300)}`);
    if (violations.length < 50)
      violations.push({
        key,
        url: url.slice(base.length, base.length + 200),
        body: String(init.body ?? '').slice(0, 300),
        problem,
      });
  } else s[status < 300 ? '2xx' : '4xx']++;
  byRoute.set(key, s);
  done++;
}

// CONCURRENCY senders, each taking the next input as soon as its last answer came: no batch waits for
// its slowest request.
let seed = 1;
let queue = [];
let cursor = 0;
let refilling;
async function next() {
  while (cursor >= queue.length) {
    refilling ??= chunk(seed++).then((c) => {
      queue = c;
      cursor = 0;
      refilling = undefined;
    });
    await refilling;
  }
  return queue[cursor++];
}
let sent = 0;
const progress = setInterval(
  () =>
    console.log(
      `${done} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s, ${violations.length} violations, worst ${worstMs.toFixed(0)} ms, lag ${worstLagMs.toFixed(0)} ms (${lagOver[100]} s over 100 ms), rss ${maxRssMb.toFixed(0)} MB, load ${os.loadavg()[0].toFixed(1)}`,
    ),
  30_000,
);
const stop = () => exited !== null || (Date.now() - started) / 60_000 >= MINUTES;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (sent < INPUTS && !stop()) {
      sent++;
      await one(await next());
    }
  }),
);
for (const w of generators) void w.terminate();
clearInterval(progress);
clearInterval(monitor);
const seconds = (Date.now() - started) / 1000;
const alive = exited === null && svc.pid === pid;
svc.kill('SIGTERM');
prometheus.kill('SIGTERM');
alertmanager.kill('SIGTERM');
await new Promise((r) => (exited !== null ? r() : svc.once('exit', r)));
rmSync(dir, { recursive: true, force: true });

const lines = [
  `inputs: ${done} of ${INPUTS} in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s), ${CONCURRENCY} concurrent`,
  `contract violations (5xx, non-JSON 4xx, 4xx without message, failed requests): ${violations.length}`,
  `process: ${alive ? `alive, same pid ${pid}` : `EXITED (${exited})`}`,
  `worst request latency: ${worstMs.toFixed(0)} ms (${worstRequest})`,
  `worst event-loop block (nodejs_eventloop_lag_max_seconds, per second): ${worstLagMs.toFixed(0)} ms (bound 100 ms)`,
  `one-second windows with the loop blocked over 20 / 50 / 100 ms: ${lagOver[20]} / ${lagOver[50]} / ${lagOver[100]} of ${lagSamples}`,
  `event-loop lag p99 per second, median: ${(p99s.sort((x, y) => x - y)[Math.floor(p99s.length / 2)] ?? 0).toFixed(0)} ms`,
  `max RSS: ${maxRssMb.toFixed(0)} MB (bound ${RSS_MB} MB)`,
  '',
  '| route | inputs | 2xx | 4xx JSON | violations |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...[...byRoute.entries()]
    .sort()
    .map(([k, s]) => `| ${k} | ${s.n} | ${s['2xx']} | ${s['4xx']} | ${s.bad} |`),
  '',
  `node ${process.version}, ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
];
console.log(lines.join('\n'));
for (const v of violations.slice(0, 20)) console.log(JSON.stringify(v));
for (const b of blocks) console.log(JSON.stringify(b));
for (const e of serviceErrors) console.log(`SERVICE ERROR ${e}`);
process.exitCode = violations.length === 0 && alive && worstLagMs <= 100 && maxRssMb <= RSS_MB ? 0 : 1;
