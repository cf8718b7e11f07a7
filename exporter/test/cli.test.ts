import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pgUrlWithSchema } from '../library/test/support/env';

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the service URL from the "perfwatch listening" log line; collects every log line. */
function listening(child: ChildProcess, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'perfwatch listening' && entry.url) resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

describe('perfwatch CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('serve exits with an error when its store cannot be migrated, instead of hanging', async () => {
    // A table in the way of a migration: the connection pool is open when the migration fails.
    const { url, drop } = await pgUrlWithSchema();
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('create table slow_query_samples (x int)');
    await c.end();
    try {
      const child = run(['serve'], {
        PERFWATCH_STORE_URL: url,
        PERFWATCH_PORT: '0',
        PERFWATCH_HOST: '127.0.0.1',
        PERFWATCH_LOG_LEVEL: 'silent',
      });
      const code = await Promise.race([
        exited(child),
        new Promise<string>((r) => setTimeout(() => r('still running'), 15_000)),
      ]);
      if (code === 'still running') child.kill('SIGKILL');
      expect(code).toBe(1);
    } finally {
      await drop();
    }
  });

  test('serve starts on SQLite, serves /metrics and stops cleanly on SIGTERM', async () => {
    const token = 'cli-secret-token-0123456789';
    const child = run(['serve'], {
      PERFWATCH_PORT: '0',
      PERFWATCH_HOST: '127.0.0.1',
      PERFWATCH_STORE_URL: `sqlite:${dir}/pw.db`,
      PERFWATCH_TOKEN_READ: token,
    });
    const lines: string[] = [];
    const url = await listening(child, lines);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('node_cpu_seconds_total');
    expect(
      (await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(lines.some((l) => l.includes('perfwatch stopped'))).toBe(true);
    expect(lines.join('\n')).not.toContain(token);
  });

  test('a bad config file fails at start-up naming the field', async () => {
    const child = run(['serve', '--config', path.join(dir, 'missing.yml')]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(stderr).toMatch(/cannot read config file .*missing\.yml/);
  });

  test('openapi check passes on what openapi generate wrote and fails once it is edited', async () => {
    const out = path.join(dir, 'openapi.yaml');
    expect(await exited(run(['openapi', 'generate', '--out', out]))).toBe(0);
    expect(await exited(run(['openapi', 'check', '--out', out]))).toBe(0);
    appendFileSync(out, '# edited by hand\n');
    expect(await exited(run(['openapi', 'check', '--out', out]))).toBe(1);
  });

  test('an unknown command prints usage and exits 2', async () => {
    const child = run(['frobnicate']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(stderr).toMatch(/unknown command "frobnicate"/);
    expect(stderr).toMatch(/serve/);
  });
});
