import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// PERFWATCH_EXPORTER_ROOT points at another checkout (to try the pages against a branch's exporter).
const REPO = path.resolve(process.env.PERFWATCH_EXPORTER_ROOT ?? path.resolve(__dirname, '../../..'));
const CLI = path.join(REPO, 'exporter/dist/cli.js');

export const TOKENS = {
  grafana: 'grafana-plugin-token-0123456789abcdef',
  ingest: 'ingest-token-0123456789abcdef',
  alertmanager: 'alertmanager-token-0123456789ab',
};

type Conformance = (method: string, pathname: string, status: number, body: unknown) => string[];

/**
 * What the exporter's contract (exporter/src/<feature>/api-schemas.ts, from the exporter's build) finds
 * wrong with one answer: [] when it conforms; a path the contract lacks is a violation, not a skip.
 */
export function contractViolations(method: string, url: string, status: number, body: unknown): string[] {
  const module = path.join(REPO, 'exporter/dist/openapi/conformance.js');
  if (!existsSync(module)) {
    throw new Error(`${module} is missing: build the exporter (npm run build -w @perfwatch/exporter)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build output found at run time
  const { responseViolations } = require(module) as { responseViolations: Conformance };
  return responseViolations(method, new URL(url).pathname, status, body);
}

/** The SLAs the exporter reports on; Prometheus scrapes the exporter itself as job "demo". */
export const SLA = {
  job: 'demo',
  endpoints: [
    {
      route: '/api/checkout',
      method: 'POST',
      latency: 'p95 < 300ms',
      errorRate: '< 0.5%',
      availability: '99.9%',
      priority: 'critical',
      team: 'payments',
    },
    {
      route: '/api/products/:id',
      method: 'GET',
      latency: 'p99 < 250ms',
      errorRate: '< 1%',
      priority: 'high',
    },
    { route: '/api/search', method: 'GET', latency: 'p95 < 500ms', errorRate: '< 1%', priority: 'medium' },
  ],
};

/**
 * The real PostgreSQL the EXPLAIN connection and a health check use, and the database label the
 * explained slow query carries (queries.explain.connections is keyed by it). The table is this
 * run's own, so parallel runs on the shared server do not meet.
 */
export const EXPLAIN = {
  url: 'postgresql://postgres@127.0.0.1:5432/test',
  database: 'inventory',
  table: `perfwatch_sq18_stock_${process.pid}`,
};

/**
 * The real MariaDB of the MySQL EXPLAIN connection, keyed by the database label its slow query
 * carries. Two tables of this run's own: a stock join whose only parameter sits in a LEFT JOIN's ON,
 * so binding it to NULL leaves a real plan (a parameter in the WHERE plans as "Impossible WHERE").
 */
export const MARIADB = {
  url: 'mysql://root@127.0.0.1:3306/test',
  database: 'warehouse',
  stock: `perfwatch_sq18_mstock_${process.pid}`,
  reservations: `perfwatch_sq18_mresv_${process.pid}`,
};

export interface RunningExporter {
  url: string;
  /** The Prometheus server scraping the exporter, which the SLA report reads. */
  prometheus: string;
  api(pathname: string, init?: RequestInit & { token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * `perfwatch serve` from the repository's build, on an ephemeral loopback port with a throwaway
 * SQLite store. Builds the exporter first when its dist is missing (the root `npm test` builds it).
 */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Debian's Prometheus scraping `target` every second, with its data under `dir`, evaluating the
 * rules `perfwatch rules generate` wrote for the SLA config (the burn-rate table reads them back).
 */
function startPrometheus(dir: string, port: number, target: string, ruleFiles: string): ChildProcess {
  mkdirSync(dir, { recursive: true });
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [ruleFiles],
    scrape_configs: [{ job_name: SLA.job, static_configs: [{ targets: [target] }] }],
  };
  writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config));
  return spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startExporter(): Promise<RunningExporter> {
  if (!existsSync(CLI)) {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', path.join(REPO, 'exporter/tsconfig.build.json')],
      {
        stdio: 'inherit',
      },
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'perfwatch-plugin-browser-'));
  // Prometheus needs the exporter's port and the exporter Prometheus' URL: Prometheus' port is fixed first.
  const prometheusPort = await freePort();
  const config = {
    server: { port: 0, host: '127.0.0.1', systemMetrics: false },
    store: { url: `sqlite:${path.join(dir, 'perfwatch.db')}` },
    sla: SLA,
    prometheus: { url: `http://127.0.0.1:${prometheusPort}` },
    queries: {
      explain: {
        connections: {
          [EXPLAIN.database]: { client: 'pg', url: EXPLAIN.url },
          [MARIADB.database]: { client: 'mysql2', url: MARIADB.url },
        },
      },
    },
    // Two real dependencies that answer and one that cannot (a port nothing listens on).
    health: {
      intervalMs: 1_000,
      checks: [
        { name: 'main-db', type: 'postgres', url: EXPLAIN.url },
        { name: 'cache', type: 'redis', url: 'redis://127.0.0.1:6379' },
        {
          name: 'payments',
          type: 'http',
          url: `http://127.0.0.1:${await freePort()}/healthz`,
          timeoutMs: 1_000,
        },
      ],
    },
    tokens: [
      { name: 'grafana', token: TOKENS.grafana, scopes: ['write'] },
      { name: 'ingester', token: TOKENS.ingest, scopes: ['ingest'] },
      { name: 'alertmanager', token: TOKENS.alertmanager, scopes: ['alertmanager'] },
    ],
    log: { level: 'info' },
  };
  // JSON is YAML, so the config needs no YAML writer.
  writeFileSync(path.join(dir, 'perfwatch.yml'), JSON.stringify(config));
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--config', path.join(dir, 'perfwatch.yml')],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // 60 s: under `nice -n 19` on a loaded 2-core machine (load 18) the niced CLI took over 20 s to listen.
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (line.includes('perfwatch listening')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exporter exited with ${code}:\n${output}`));
    });
  });
  const prometheus = `http://127.0.0.1:${prometheusPort}`;
  execFileSync(
    process.execPath,
    [
      CLI,
      'rules',
      'generate',
      '--config',
      path.join(dir, 'perfwatch.yml'),
      '--out',
      path.join(dir, 'generated'),
    ],
    {
      stdio: 'ignore',
    },
  );
  const prometheusChild = startPrometheus(
    path.join(dir, 'prometheus'),
    prometheusPort,
    new URL(url).host,
    path.join(dir, 'generated/alert-rules/*.yml'),
  );
  const stop = async () => {
    await stopChild(prometheusChild);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('Prometheus to start', async () => (await fetch(`${prometheus}/-/ready`)).ok);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    prometheus,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (init.token) {
        headers.set('authorization', `Bearer ${init.token}`);
      }
      if (init.body !== undefined) {
        headers.set('content-type', 'application/json');
      }
      return fetch(`${url}/api/v1${pathname}`, { ...init, headers });
    },
    stop,
  };
}

/** Sends a batch as the app `app` (the service of its slow queries), or as one naming none. */
async function ingest(exporter: RunningExporter, events: unknown[], app?: string): Promise<void> {
  const res = await exporter.api('/events', {
    method: 'POST',
    token: TOKENS.ingest,
    body: JSON.stringify({ app, events }),
  });
  const body = (await res.json()) as { accepted: number; rejected: unknown[] };
  if (!res.ok || body.rejected.length) {
    throw new Error(`ingesting failed: ${res.status} ${JSON.stringify(body)}`);
  }
}

async function scrapedRequests(exporter: RunningExporter): Promise<number> {
  const query = 'sum(http_server_request_duration_seconds_count{job="demo",route=~"/api/.*"})';
  const res = await fetch(`${exporter.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

/**
 * Request traffic for the SLA report, sent as an app in another language would (ingested request
 * events) and scraped by Prometheus: the checkout breaches its latency SLA (8 % slow against a 5 %
 * budget), products is within its SLA, search burns part of its error budget. One request per
 * endpoint goes first so that Prometheus has seen every series before the counted traffic arrives.
 */
export async function seedSlaTraffic(exporter: RunningExporter): Promise<void> {
  const request = (method: string, route: string, durationMs: number, status = 200) => ({
    kind: 'request',
    method,
    route,
    status,
    durationMs,
  });
  const first = [
    request('POST', '/api/checkout', 120),
    request('POST', '/api/checkout', 120, 500),
    request('GET', '/api/products/:id', 40),
    request('GET', '/api/search', 200),
    request('GET', '/api/search', 200, 500),
  ];
  await ingest(exporter, first);
  await waitUntil(
    'Prometheus to scrape the first requests',
    async () => (await scrapedRequests(exporter)) >= 5,
  );
  const events: unknown[] = [];
  for (let i = 0; i < 500; i++) {
    events.push(
      request('POST', '/api/checkout', i % 25 < 2 ? 420 : 90 + (i % 7) * 20, i % 250 === 0 ? 500 : 200),
    );
    events.push(request('GET', '/api/products/:id', 20 + (i % 11) * 9));
    events.push(request('GET', '/api/search', 150 + (i % 13) * 20, i % 200 === 7 ? 500 : 200));
  }
  for (let i = 0; i < events.length; i += 500) {
    await ingest(exporter, events.slice(i, i + 500));
  }
  await waitUntil(
    'Prometheus to scrape the SLA traffic',
    async () => (await scrapedRequests(exporter)) >= 1505,
  );
}

/**
 * Slow queries as apps would send them, spread over the last hours: from the shop-api service a
 * checkout route with a slow join and an orders page that lists a customer's orders and then loads
 * each one's items (an N+1 loop) in one request; from billing-worker a slow report job.
 */
export async function seedSlowQueries(exporter: RunningExporter): Promise<void> {
  const now = Date.now();
  const events: unknown[] = [];
  for (let i = 0; i < 24; i++) {
    events.push({
      kind: 'query',
      dbSystem: 'postgresql',
      database: 'shop',
      route: 'POST /checkout',
      sql: `SELECT o.id, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'open' AND o.created_at > '2026-11-0${1 + (i % 9)}' ORDER BY o.created_at DESC LIMIT ${10 + i}`,
      durationMs: 180 + ((i * 37) % 400),
      requestId: `checkout-${i}`,
      time: now - (24 - i) * 15 * 60_000,
    });
  }
  // Request orders-page-1: the list first, then the loop 250 ms later (the request page's order).
  events.push({
    kind: 'query',
    dbSystem: 'postgresql',
    database: 'shop',
    route: 'GET /orders/:id',
    sql: 'SELECT id, status, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 8',
    durationMs: 210,
    requestId: 'orders-page-1',
    time: now - 30 * 60_000 - 250,
  });
  for (let i = 0; i < 8; i++) {
    events.push({
      kind: 'query',
      dbSystem: 'postgresql',
      database: 'shop',
      route: 'GET /orders/:id',
      sql: `SELECT * FROM order_items WHERE order_id = ${1000 + i}`,
      durationMs: 120 + i * 5,
      requestId: 'orders-page-1',
      time: now - 30 * 60_000 + i * 100,
    });
  }
  await ingest(exporter, events, 'shop-api');
  const jobs: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    jobs.push({
      kind: 'query',
      dbSystem: 'mysql',
      database: 'reports',
      route: 'queue:reports/monthly',
      sql: `UPDATE invoices SET status = 'sent', sent_at = NOW() WHERE customer_id IN (${i}, ${i + 1}, ${i + 2}) AND status = 'draft'`,
      durationMs: 900 + i * 250,
      time: now - (6 - i) * 40 * 60_000,
    });
  }
  await ingest(exporter, jobs, 'billing-worker');
}

/**
 * A slow query on a table that exists in the real PostgreSQL, so EXPLAIN has a plan to show.
 * Returns its fingerprint id and a function that drops the table.
 */
export async function seedExplainableQuery(
  exporter: RunningExporter,
): Promise<{ id: string; drop: () => void }> {
  const psql = (sql: string) =>
    execFileSync(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', sql],
      {
        stdio: 'pipe',
      },
    );
  psql(
    `CREATE TABLE IF NOT EXISTS ${EXPLAIN.table} (id serial PRIMARY KEY, sku text NOT NULL, warehouse int NOT NULL, qty int NOT NULL); ` +
      `CREATE INDEX IF NOT EXISTS ${EXPLAIN.table}_sku ON ${EXPLAIN.table} (sku)`,
  );
  await ingest(exporter, [
    {
      kind: 'query',
      dbSystem: 'postgresql',
      database: EXPLAIN.database,
      route: 'GET /stock/:sku',
      sql: `SELECT warehouse, qty FROM ${EXPLAIN.table} WHERE sku = 'ab-12' AND qty > 0 ORDER BY qty DESC`,
      durationMs: 340,
      requestId: 'stock-1',
    },
  ]);
  const res = await exporter.api(`/slow-queries?q=${EXPLAIN.table}`, { token: TOKENS.grafana });
  const list = (await res.json()) as { items: Array<{ id: string }> };
  if (list.items.length !== 1) {
    throw new Error(`expected the seeded query in the list: ${JSON.stringify(list)}`);
  }
  return { id: list.items[0].id, drop: () => psql(`DROP TABLE IF EXISTS ${EXPLAIN.table}`) };
}

/**
 * A slow query on two tables that exist in the real MariaDB, so the MySQL EXPLAIN has a plan to show.
 * Returns its fingerprint id and a function that drops the tables.
 */
export async function seedMariadbQuery(exporter: RunningExporter): Promise<{ id: string; drop: () => void }> {
  const mysql = (sql: string) =>
    execFileSync('mysql', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', 'test', '-e', sql], {
      stdio: 'pipe',
    });
  const { stock, reservations } = MARIADB;
  mysql(
    `CREATE TABLE IF NOT EXISTS ${stock} (id int AUTO_INCREMENT PRIMARY KEY, sku varchar(32) NOT NULL, warehouse int NOT NULL, qty int NOT NULL, KEY ${stock}_sku (sku)); ` +
      `CREATE TABLE IF NOT EXISTS ${reservations} (id int AUTO_INCREMENT PRIMARY KEY, sku varchar(32) NOT NULL, qty int NOT NULL, expires_at datetime NOT NULL, KEY ${reservations}_sku (sku, expires_at)); ` +
      `INSERT INTO ${stock} (sku, warehouse, qty) VALUES ('ab-12', 1, 40), ('ab-12', 2, 0), ('cd-34', 1, 7); ` +
      `INSERT INTO ${reservations} (sku, qty, expires_at) VALUES ('ab-12', 3, '2026-12-31 00:00:00')`,
  );
  // Stock no live reservation holds: the literal in the ON becomes the one parameter.
  await ingest(exporter, [
    {
      kind: 'query',
      dbSystem: 'mysql',
      database: MARIADB.database,
      route: 'GET /stock/unreserved',
      sql:
        `SELECT ${stock}.sku, ${stock}.warehouse, ${stock}.qty FROM ${stock} ` +
        `LEFT JOIN ${reservations} ON ${reservations}.sku = ${stock}.sku AND ${reservations}.expires_at > '2026-12-01 00:00:00' ` +
        `WHERE ${reservations}.id IS NULL ORDER BY ${stock}.qty DESC`,
      durationMs: 460,
      requestId: 'stock-2',
    },
  ]);
  const res = await exporter.api(`/slow-queries?q=${stock}`, { token: TOKENS.grafana });
  const list = (await res.json()) as { items: Array<{ id: string }> };
  if (list.items.length !== 1) {
    throw new Error(`expected the seeded query in the list: ${JSON.stringify(list)}`);
  }
  return { id: list.items[0].id, drop: () => mysql(`DROP TABLE IF EXISTS ${stock}, ${reservations}`) };
}
