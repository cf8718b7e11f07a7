// Fuzz run: hostile inputs (bench/fuzz-inputs.js) against every /api/v1 route and the Alertmanager
// webhook of a real `perfwatch serve` (built CLI, SQLite store, a real Prometheus for /sla/report).
// Checks every answer is 2xx or a 4xx JSON body with a message, never 5xx; the process never exits or
// restarts (same pid); the event loop never blocks > 100 ms (the service's own
// nodejs_eventloop_lag_max_seconds, read every second); RSS stays under BENCH_FUZZ_RSS_MB.
// BENCH_FUZZ_INPUTS (default 1 000 000) and BENCH_FUZZ_MINUTES (a time cap, default none) bound the run.
// Results: bench/FUZZ.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const fc = require('fast-check');
const { requests, toFetch, violation } = require('./fuzz-inputs.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const INPUTS = Number(process.env.BENCH_FUZZ_INPUTS ?? 1_000_000);
const MINUTES = Number(process.env.BENCH_FUZZ_MINUTES ?? Infinity);
const CONCURRENCY = Number(process.env.BENCH_FUZZ_CONCURRENCY ?? 16);
const RSS_MB = Number(process.env.BENCH_FUZZ_RSS_MB ?? 512);
const CHUNK = 500;
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

writeFileSync(
  path.join(dir, 'perfwatch.yml'),
  `sla:\n  endpoints:\n    - route: /users/:id\n      method: GET\n      latency: { target: "p95 < 300ms" }\n`,
);
const svc = spawn(process.execPath, [path.join(here, '..', 'exporter', 'dist', 'cli.js'), 'serve'], {
  env: {
    ...process.env,
    PERFWATCH_PORT: '0',
    PERFWATCH_HOST: '127.0.0.1',
    PERFWATCH_STORE_URL: `sqlite:${path.join(dir, 'perfwatch.db')}`,
    PERFWATCH_PROMETHEUS_URL: `http://127.0.0.1:${promPort}`,
    PERFWATCH_SYSTEM_METRICS: 'false',
    PERFWATCH_TOKEN_READ: TOKENS.read,
    PERFWATCH_TOKEN_WRITE: TOKENS.write,
    PERFWATCH_TOKEN_INGEST: TOKENS.ingest,
    PERFWATCH_TOKEN_ALERTMANAGER: TOKENS.alertmanager,
  },
  // stdout carries the JSON log: read for the listening line, then drained.
  stdio: ['ignore', 'pipe', 'ignore'],
});
let exited = null;
svc.once('exit', (code, signal) => (exited = code ?? signal));
const base = await new Promise((resolve, reject) => {
  readline.createInterface({ input: svc.stdout }).on('line', (line) => {
    try {
      const e = JSON.parse(line);
      if (e.msg === 'perfwatch listening') resolve(e.url);
    } catch {
      // not JSON
    }
  });
  svc.once('exit', () => reject(new Error('perfwatch exited before listening')));
});
const pid = svc.pid;
console.log(
  `perfwatch serve pid ${pid} at ${base}; Prometheus on ${promPort}; ${INPUTS} inputs, ${CONCURRENCY} at a time`,
);

const byRoute = new Map();
const violations = [];
let done = 0;
let worstMs = 0;
let worstRequest = '';
let worstLagMs = 0;
let maxRssMb = 0;
const started = Date.now();

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
    worstLagMs = Math.max(worstLagMs, lag);
    maxRssMb = Math.max(maxRssMb, rss);
  } catch {
    // counted by the pid/exit check
  }
}, 1000);

async function one(r) {
  const { url, init } = toFetch(base, TOKENS, r);
  const t0 = performance.now();
  let status = 0;
  let problem;
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    status = res.status;
    problem = violation(status, res.headers.get('content-type'), text);
  } catch (err) {
    problem = `request failed: ${err.message}`;
  }
  const ms = performance.now() - t0;
  if (ms > worstMs) {
    worstMs = ms;
    worstRequest = `${r.method} ${url.slice(base.length, base.length + 120)}`;
  }
  const key = routeKey(r);
  const s = byRoute.get(key) ?? { n: 0, '2xx': 0, '4xx': 0, bad: 0 };
  s.n++;
  if (problem) {
    s.bad++;
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

let seed = 1;
outer: while (done < INPUTS) {
  const batch = requests(fc, seed++, Math.min(CHUNK, INPUTS - done));
  for (let i = 0; i < batch.length; i += CONCURRENCY) {
    await Promise.all(batch.slice(i, i + CONCURRENCY).map(one));
    if (exited !== null || (Date.now() - started) / 60_000 >= MINUTES) break outer;
  }
  if (seed % 20 === 0)
    console.log(
      `${done} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s, ${violations.length} violations, worst ${worstMs.toFixed(0)} ms, lag ${worstLagMs.toFixed(0)} ms, rss ${maxRssMb.toFixed(0)} MB`,
    );
}
clearInterval(monitor);
const seconds = (Date.now() - started) / 1000;
const alive = exited === null && svc.pid === pid;
svc.kill('SIGTERM');
prometheus.kill('SIGTERM');
await new Promise((r) => (exited !== null ? r() : svc.once('exit', r)));
rmSync(dir, { recursive: true, force: true });

const lines = [
  `inputs: ${done} of ${INPUTS} in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s), ${CONCURRENCY} concurrent`,
  `contract violations (5xx, non-JSON 4xx, 4xx without message, failed requests): ${violations.length}`,
  `process: ${alive ? `alive, same pid ${pid}` : `EXITED (${exited})`}`,
  `worst request latency: ${worstMs.toFixed(0)} ms (${worstRequest})`,
  `worst event-loop block (nodejs_eventloop_lag_max_seconds, per second): ${worstLagMs.toFixed(0)} ms (bound 100 ms)`,
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
process.exitCode = violations.length === 0 && alive && worstLagMs <= 100 && maxRssMb <= RSS_MB ? 0 : 1;
