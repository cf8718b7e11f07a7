// Side-by-side HTTP overhead benchmark: one hello-world Express app served several ways, each in its own
// process pinned to CPU 0, loaded in turn by autocannon from this process pinned to CPU 1. Ratios to
// "bare" are what matter: absolute numbers drift on shared machines.
//
//   npm run bench:http                      (builds the exporter first)
//   BENCH_ROUNDS=4 BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_WARMUP=3 node bench/http.mjs
//   BENCH_VARIANTS=bare,perfwatch,perfwatch-context node bench/http.mjs
import { fork, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

const ROUNDS = intFromEnv('BENCH_ROUNDS', 4);
const SECONDS = intFromEnv('BENCH_SECONDS', 10);
const CONNECTIONS = intFromEnv('BENCH_CONNECTIONS', 50);
const WARMUP = intFromEnv('BENCH_WARMUP', 3);
const START_TIMEOUT_MS = 30_000;

// How each instrumented server proves it recorded the load: the request-count series carrying the
// route template (express-prom-bundle has no templates; it normalises the raw path to /users/#val).
const COUNT_SERIES = {
  bare: null,
  perfwatch: /^http_server_request_duration_seconds_count\{[^}]*route="\/users\/:id"[^}]*\} (\d+)/m,
  'perfwatch-context': /^http_server_request_duration_seconds_count\{[^}]*route="\/users\/:id"[^}]*\} (\d+)/m,
  'express-prom-bundle': /^http_request_duration_seconds_count\{[^}]*path="\/users\/#val"[^}]*\} (\d+)/m,
  opentelemetry: /^http_server_request_duration_count\{[^}]*http_route="\/users\/:id"[^}]*\} (\d+)/m,
};
const DEFAULT_VARIANTS = ['bare', 'perfwatch', 'express-prom-bundle', 'opentelemetry'];
const VARIANTS = process.env.BENCH_VARIANTS
  ? process.env.BENCH_VARIANTS.split(',').map((v) => v.trim())
  : DEFAULT_VARIANTS;
for (const v of VARIANTS) {
  if (!(v in COUNT_SERIES)) {
    console.error(`unknown variant "${v}"; known: ${Object.keys(COUNT_SERIES).join(', ')}`);
    process.exit(2);
  }
}
if (!VARIANTS.includes('bare')) VARIANTS.unshift('bare');

// Servers on CPU 0, the load generator on CPU 1, so they do not compete for a core. The parent
// re-executes itself under `taskset -c 1`; each server is started under `taskset -c 0`.
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const cpuCount = os.cpus().length;
const pin = hasTaskset && cpuCount >= 2;
if (pin && !process.env.BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

function cpusAllowed(pid) {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

function startServer(variant) {
  return new Promise((resolve, reject) => {
    const script = path.join(here, 'servers', `${variant}.cjs`);
    // fork() keeps the IPC channel through taskset, which execs node in place (same pid).
    const child = fork(script, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execPath: pin ? 'taskset' : process.execPath,
      execArgv: pin ? ['-c', '0', process.execPath] : [],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant}: no port reported within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      if (typeof m?.port !== 'number') reject(new Error(`${variant}: unexpected start message`));
      else resolve({ child, port: m.port, cpus: cpusAllowed(child.pid) });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${variant} exited (${signal ?? code}) before listening`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The server's cumulative CPU time and GC counts (servers/common.cjs). */
function stats(child) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m?.stats) {
        child.off('message', on);
        resolve(m.stats);
      }
    };
    child.on('message', on);
    child.send('stats');
  });
}

async function load(variant, port, seconds) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/users/12345`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${variant}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return r;
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** A Markdown table with padded columns (numbers right-aligned), readable as plain text too. */
function markdownTable(header, rows, rightAligned) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (s, i) => (rightAligned[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const servers = {};
let failed = false;
try {
  for (const v of VARIANTS) {
    servers[v] = await startServer(v);
    console.error(`${v}: listening on ${servers[v].port}, CPUs ${servers[v].cpus}`);
  }
  const sent = Object.fromEntries(VARIANTS.map((v) => [v, 0]));
  for (const v of VARIANTS) {
    // Warm-up: JIT, connection setup, label children created.
    sent[v] += (await load(v, servers[v].port, WARMUP)).requests.total;
  }
  const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const v of order) {
      const before = await stats(servers[v].child);
      const r = await load(v, servers[v].port, SECONDS);
      const after = await stats(servers[v].child);
      sent[v] += r.requests.total;
      const n = r.requests.total;
      results[v].push({
        rps: r.requests.average,
        p99: r.latency.p99,
        p50: r.latency.p50,
        cpuUs: (after.cpuUs - before.cpuUs) / n,
        gcUs: ((after.minorMs - before.minorMs + after.majorMs - before.majorMs) * 1000) / n,
        minorPer10k: ((after.minor - before.minor) * 10_000) / n,
        majorPer10k: ((after.major - before.major) * 10_000) / n,
        gcMaxMs: after.maxMs,
      });
      console.error(
        `round ${round + 1}/${ROUNDS} ${v}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`,
      );
    }
  }

  // Each instrumented server must have counted (nearly) every request sent to it under the route.
  const recorded = {};
  for (const v of VARIANTS) {
    if (!COUNT_SERIES[v]) continue;
    const text = await (await fetch(`http://127.0.0.1:${servers[v].port}/metrics`)).text();
    const m = COUNT_SERIES[v].exec(text);
    if (!m) throw new Error(`${v}: /metrics has no request count series for the route template`);
    recorded[v] = Number(m[1]);
    if (recorded[v] < sent[v] * 0.99) {
      throw new Error(`${v}: recorded ${recorded[v]} requests of ${sent[v]} sent`);
    }
    console.error(`${v}: /metrics counted ${recorded[v]} of ${sent[v]} requests under the route`);
  }

  const bare = mean(results.bare.map((r) => r.rps));
  const header = ['variant', 'mean req/s', 'min–max req/s', 'p99 ms', 'ratio to bare'];
  const rows = VARIANTS.map((v) => {
    const rps = results[v].map((r) => r.rps);
    return [
      v,
      String(Math.round(mean(rps))),
      `${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}`,
      mean(results[v].map((r) => r.p99)).toFixed(1),
      (mean(rps) / bare).toFixed(3),
    ];
  });
  const table = markdownTable(header, rows, [false, true, true, true, true]);
  // Where each variant's time per request goes, from the server's own CPU time and GC entries.
  const bareCpu = mean(results.bare.map((r) => r.cpuUs));
  const bareP99 = mean(results.bare.map((r) => r.p99));
  const costs = markdownTable(
    [
      'variant',
      'p50 ms',
      'p99 ms',
      'p99 / bare',
      'server CPU µs/request',
      'minus bare',
      'GC µs/request',
      'scavenges / 10k requests',
      'mark-sweeps / 10k',
      'longest GC pause ms',
    ],
    VARIANTS.map((v) => {
      const rs = results[v];
      const cpu = mean(rs.map((r) => r.cpuUs));
      return [
        v,
        mean(rs.map((r) => r.p50)).toFixed(1),
        mean(rs.map((r) => r.p99)).toFixed(1),
        (mean(rs.map((r) => r.p99)) / bareP99).toFixed(3),
        cpu.toFixed(1),
        v === 'bare' ? '' : (cpu - bareCpu).toFixed(1),
        mean(rs.map((r) => r.gcUs)).toFixed(1),
        mean(rs.map((r) => r.minorPer10k)).toFixed(1),
        mean(rs.map((r) => r.majorPer10k)).toFixed(2),
        Math.max(...rs.map((r) => r.gcMaxMs)).toFixed(1),
      ];
    }),
    [false, true, true, true, true, true, true, true, true, true],
  );
  const perRound = markdownTable(
    ['variant', ...Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`)],
    VARIANTS.map((v) => [v, ...results[v].map((r) => String(Math.round(r.rps)))]),
    [false, ...Array(ROUNDS).fill(true)],
  );
  console.log(`\n${table}\n\n${costs}\n`);

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const versions = [
    'express',
    'prom-client',
    'express-prom-bundle',
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/exporter-prometheus',
    '@opentelemetry/instrumentation-http',
    '@opentelemetry/instrumentation-express',
    'autocannon',
  ]
    .map((p) => `${p} ${versionOf(p)}`)
    .join(', ');
  const pinning = pin
    ? 'each server pinned to CPU 0 and autocannon to CPU 1 with `taskset`'
    : 'not pinned (no `taskset` or fewer than 2 CPUs): server and load generator share the CPUs';
  writeFileSync(
    path.join(here, 'RESULTS.md'),
    `# HTTP overhead benchmark

\`npm run bench:http\` serves one hello-world Express app (\`GET /users/:id\` returning small JSON) several
ways, each in its own process, and loads them in turn with autocannon from a separate process: a warm-up
per server, then alternating rounds with the order rotated each round, so drift on the machine spreads
over all variants. After the load each instrumented server's \`/metrics\` is scraped and must count the
requests sent to it under the route, so every variant really did its work. These machines are shared and
noisy: absolute req/s drift from run to run; the ratios to bare within one run are what to compare.

Run ${date} UTC on Node ${process.version}, ${cpu} × ${cpuCount}; ${pinning}. Settings: ${ROUNDS} rounds × ${SECONDS} s
per variant (\`BENCH_ROUNDS\`, \`BENCH_SECONDS\`), ${CONNECTIONS} connections (\`BENCH_CONNECTIONS\`), ${WARMUP} s warm-up
(\`BENCH_WARMUP\`). p99 is the mean of the rounds' p99 latencies.

${table}

Where the time goes, per request, from each server's own \`process.cpuUsage()\` and its \`gc\` performance
entries read before and after every round (means of the rounds):

${costs}

Variants:

- **bare**: Express, no metrics.
- **perfwatch**: \`perfwatch({ defaultMetrics: true })\`, \`app.use(pw.express({ express }))\`.
- **perfwatch-context** (opt-in): the same with the per-request AsyncLocalStorage context open, as once a
  DB, queue or upload hook is installed.
- **express-prom-bundle**: defaults (status_code label) plus \`includeMethod\`, \`includePath\`, and
  prom-client's default metrics as Perfwatch has them on.
- **opentelemetry**: \`MeterProvider\` with \`PrometheusExporter\`, http and express instrumentations registered
  before express is loaded, and an AsyncLocalStorage context manager (what NodeSDK installs; without
  it the duration metric gets no \`http_route\`). No tracer provider: spans are no-ops.

<details><summary>req/s per round, requests counted, versions</summary>

${perRound}

Requests counted by each server's \`/metrics\` (warm-up included): ${Object.entries(recorded)
      .map(([v, n]) => `${v} ${n} of ${sent[v]}`)
      .join('; ')}.

Versions: ${versions}.

</details>
`,
  );
  console.error(`wrote ${path.relative(process.cwd(), path.join(here, 'RESULTS.md'))}`);
} catch (err) {
  failed = true;
  console.error(`bench:http failed: ${err.message}`);
} finally {
  for (const s of Object.values(servers)) s.child.kill('SIGINT');
}
process.exitCode = failed ? 1 : 0;
