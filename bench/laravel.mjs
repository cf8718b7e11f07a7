// Overhead of the Laravel client (clients/laravel) on the example app (examples/laravel-app), Debian's
// PHP 8.2 and Laravel 8.83 served by `php -S`, against MariaDB: requests per second of one worker
// without the client (PERFWATCH_ENABLED=false: no middleware, no listeners), with it sending to a real
// Perfwatch service, and with it while Perfwatch is down (connection refused). Variants run side by side
// in alternating rounds; ratios are what to read, absolute numbers depend on the machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const APP = path.join(here, '..', 'examples', 'laravel-app');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MYSQL_URL = process.env.PERFWATCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const TOKEN = 'bench-ingest-token-0123456789';
const ENDPOINTS = ['/fast', '/invoices/3', '/books'];

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
// Two cores: PHP on CPU 0; this process (load generator and the Perfwatch service) on CPU 1.
if (hasTaskset && !process.env.BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const { parseConfig } = require('../exporter/dist/config/load.js');
const { startService } = require('../exporter/dist/server/service.js');
const { createLogger } = require('../exporter/dist/logger.js');
const mysql = require('mysql2/promise');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'perfwatch-bench-laravel-'));
const service = await startService(
  parseConfig({
    server: { port: 0, host: '127.0.0.1', systemMetrics: false },
    store: { url: `sqlite:${path.join(dir, 'perfwatch.db')}` },
    tokens: [{ name: 'bench', token: TOKEN, scopes: ['ingest', 'read'] }],
    log: { level: 'silent' },
  }),
  { logger: createLogger('silent') },
);
const database = `pw_bench_laravel_${process.pid}`;
const admin = await mysql.createConnection(MYSQL_URL);
await admin.query(`create database ${database}`);
const u = new URL(MYSQL_URL);
const baseEnv = {
  ...process.env,
  DB_CONNECTION: 'mysql',
  DB_HOST: u.hostname,
  DB_PORT: u.port || '3306',
  DB_DATABASE: database,
  DB_USERNAME: decodeURIComponent(u.username) || 'root',
  DB_PASSWORD: decodeURIComponent(u.password),
  PERFWATCH_TOKEN: TOKEN,
  PERFWATCH_APP: 'bench',
  REDIS_PREFIX: `pw_bench_${process.pid}_`,
};

function storageEnv(name) {
  const s = path.join(dir, name);
  for (const d of ['app', 'logs', 'framework/views', 'framework/cache'])
    mkdirSync(path.join(s, d), { recursive: true });
  return {
    APP_STORAGE_PATH: s,
    APP_SERVICES_CACHE: path.join(s, 'services.php'),
    APP_PACKAGES_CACHE: path.join(s, 'packages.php'),
  };
}

const setup = spawnSync('php', ['artisan', 'app:setup'], {
  cwd: APP,
  env: { ...baseEnv, ...storageEnv('setup'), PERFWATCH_ENABLED: 'false' },
  encoding: 'utf8',
});
if (setup.status !== 0) throw new Error(`app:setup failed: ${setup.stderr}${setup.stdout}`);

const closedPort = await freePort();
const variants = {
  'without client': { PERFWATCH_ENABLED: 'false' },
  'with client': { PERFWATCH_URL: service.url },
  'with client, Perfwatch down': { PERFWATCH_URL: `http://127.0.0.1:${closedPort}` },
};

const servers = [];
// php -S outlives this process unless killed: also on a crash.
process.on('exit', () => {
  for (const c of servers) c.kill('SIGTERM');
});
async function serve(name, env) {
  const port = await freePort();
  const child = spawn(
    hasTaskset ? 'taskset' : 'php',
    [
      ...(hasTaskset ? ['-c', '0', 'php'] : []),
      // As in production (PHP-FPM with OPcache): scripts are compiled once, not on every request.
      '-d',
      'opcache.enable_cli=1',
      '-S',
      `127.0.0.1:${port}`,
      '-t',
      'public',
      'public/index.php',
    ],
    { cwd: APP, env: { ...baseEnv, ...storageEnv(name.replace(/\W+/g, '-')), ...env }, stdio: 'ignore' },
  );
  servers.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/fast`)).ok) return url;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name}: php -S did not come up`);
}

const urls = {};
for (const [name, env] of Object.entries(variants)) urls[name] = await serve(name, env);

// One request at a time: php -S runs one at a time, and so does a PHP-FPM worker. (autocannon cannot
// drive php -S, which ends every response by closing the connection.) A request is over when its body
// has arrived; the client's send after the response shows in the next request, which waits for the
// worker, so requests per second include it.
async function run(url) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    const t0 = performance.now();
    try {
      const res = await fetch(url, { headers: { accept: 'application/json', connection: 'close' } });
      await res.arrayBuffer();
      if (!res.ok) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: latencies.length / ((performance.now() - start) / 1000), p50: q(0.5), p99: q(0.99), errors };
}

const results = {};
for (const endpoint of ENDPOINTS) {
  for (const name of Object.keys(variants)) await run(`${urls[name]}${endpoint}`); // warm-up
  for (let round = 0; round < ROUNDS; round++)
    for (const name of Object.keys(variants)) {
      (results[`${endpoint}\u0000${name}`] ??= []).push(await run(`${urls[name]}${endpoint}`));
    }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [];
for (const endpoint of ENDPOINTS) {
  const base = median(results[`${endpoint}\u0000without client`].map((x) => x.rps));
  for (const name of Object.keys(variants)) {
    const rs = results[`${endpoint}\u0000${name}`];
    const rps = median(rs.map((x) => x.rps));
    lines.push(
      `| ${endpoint} | ${name} | ${rps.toFixed(1)} | ${(rps / base).toFixed(3)} | ${median(rs.map((x) => x.p50)).toFixed(2)} | ${median(rs.map((x) => x.p99)).toFixed(2)} | ${rs.reduce((n, x) => n + x.errors, 0)} |`,
    );
  }
}
const table = [
  `Laravel client overhead: ${ROUNDS} alternating rounds of ${SECONDS} s per variant and endpoint, one connection,`,
  `PHP ${spawnSync('php', ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' }).stdout} on ${os.cpus()[0].model}, ${os.cpus().length} cores (PHP pinned to CPU 0), ${new Date().toISOString()}`,
  '',
  '| endpoint | variant | req/s (median) | ratio to without | p50 ms | p99 ms | errors |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...lines,
].join('\n');
console.log(table);
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${table}\n`);

for (const c of servers) c.kill('SIGTERM');
await service.stop();
await admin.query(`drop database if exists ${database}`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
