import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The API paths exporter/openapi.yaml documents, to know which pages have a backend on this branch. */
export function documentedPaths(): Set<string> {
  const text = readFileSync(path.join(REPO, 'exporter/openapi.yaml'), 'utf8');
  return new Set([...text.matchAll(/^ {2}(\/[^:\s]+):\s*$/gm)].map((m) => m[1]));
}

export interface RunningExporter {
  url: string;
  api(pathname: string, init?: RequestInit & { token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * `perfwatch serve` from the repository's build, on an ephemeral loopback port with a throwaway
 * SQLite store. Builds the exporter first when its dist is missing (the root `npm test` builds it).
 */
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
  const config = {
    server: { port: 0, host: '127.0.0.1', systemMetrics: false },
    store: { url: `sqlite:${path.join(dir, 'perfwatch.db')}` },
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
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${output}`)), 20_000);
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
  return {
    url,
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
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Slow queries as an app would send them: a checkout route with a slow join, an N+1 loop of
 * single-row selects in one request, and a slow report job, spread over the last hours.
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
  for (let i = 0; i < 6; i++) {
    events.push({
      kind: 'query',
      dbSystem: 'mysql',
      database: 'reports',
      route: 'queue:reports/monthly',
      sql: `UPDATE invoices SET status = 'sent', sent_at = NOW() WHERE customer_id IN (${i}, ${i + 1}, ${i + 2}) AND status = 'draft'`,
      durationMs: 900 + i * 250,
      time: now - (6 - i) * 40 * 60_000,
    });
  }
  const res = await exporter.api('/events', {
    method: 'POST',
    token: TOKENS.ingest,
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as { accepted: number; rejected: unknown[] };
  if (!res.ok || body.rejected.length) {
    throw new Error(`seeding slow queries failed: ${res.status} ${JSON.stringify(body)}`);
  }
}
