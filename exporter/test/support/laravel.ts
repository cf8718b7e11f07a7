/**
 * Runs the example Laravel app (examples/laravel-app) on Debian's PHP and Laravel: `php artisan`
 * commands and `php -S` (PHP's built-in web server), each with its own environment.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MYSQL_URL, PG_URL } from '../../library/test/support/env';
import { freePort, start, waitForHttp } from '../../library/test/support/processes';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const LARAVEL_APP = path.join(REPO, 'examples', 'laravel-app');
export const LARAVEL_CLIENT = path.join(REPO, 'clients', 'laravel');

/** Installs PHP and Debian's Laravel when missing, through the project's own install script. */
export function ensurePhp(): void {
  execFileSync('bash', [path.join(REPO, 'scripts', 'install-system-deps.sh')], { stdio: 'inherit' });
}

export type Env = Record<string, string>;

/**
 * A throwaway storage directory (logs, uploads, the client's unsent counter, Laravel's service and
 * package caches) for one app instance, and the environment that points the app at it.
 */
export function laravelStorage(): { path: string; env: Env; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-laravel-'));
  for (const d of ['app', 'logs', 'framework/views', 'framework/cache'])
    mkdirSync(path.join(dir, d), { recursive: true });
  return {
    path: dir,
    env: {
      APP_STORAGE_PATH: dir,
      APP_SERVICES_CACHE: path.join(dir, 'services.php'),
      APP_PACKAGES_CACHE: path.join(dir, 'packages.php'),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A database of its own on the shared MariaDB; `drop` removes it. */
export async function mariadbDatabase(): Promise<{ env: Env; drop: () => Promise<void> }> {
  const { default: mysql } = await import('mysql2/promise');
  const name = `pw_laravel_${process.pid}_${Date.now()}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(MYSQL_URL);
  return {
    env: {
      DB_CONNECTION: 'mysql',
      DB_HOST: u.hostname,
      DB_PORT: u.port || '3306',
      DB_DATABASE: name,
      DB_USERNAME: decodeURIComponent(u.username) || 'root',
      DB_PASSWORD: decodeURIComponent(u.password),
    },
    drop: async () => {
      const c = await mysql.createConnection(MYSQL_URL);
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}

/** A schema of its own on the shared PostgreSQL (Laravel's pgsql `schema` sets the search_path). */
export async function postgresSchema(): Promise<{ env: Env; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `pw_laravel_${process.pid}_${Date.now()}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`create schema ${schema}`);
  const u = new URL(PG_URL);
  return {
    env: {
      DB_CONNECTION: 'pgsql',
      DB_HOST: u.hostname,
      DB_PORT: u.port || '5432',
      DB_DATABASE: u.pathname.slice(1),
      DB_USERNAME: decodeURIComponent(u.username) || 'postgres',
      DB_PASSWORD: decodeURIComponent(u.password),
      DB_SCHEMA: schema,
    },
    drop: () => run(`drop schema if exists ${schema} cascade`),
  };
}

/** `php artisan …` in the example app; resolves with its exit code and output. */
export function artisan(env: Env, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'php',
      ['artisan', ...args],
      { cwd: LARAVEL_APP, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The example app served by `php -S` on a free loopback port until `stop()`. */
export async function startLaravel(env: Env): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = start('php', ['-S', `127.0.0.1:${port}`, '-t', 'public', 'public/index.php'], {
    cwd: LARAVEL_APP,
    env: { ...process.env, ...env },
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`);
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
