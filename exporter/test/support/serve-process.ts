/**
 * The built CLI (`perfwatch serve`) as a child process, for tests that must see the real process:
 * whether it keeps answering while one request is processed, or what survives a SIGKILL.
 * Needs `npm run build -w @perfwatch/exporter` (npm test builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { TOKENS } from './service';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** fetch with the token of a scope. */
  api(pathname: string, init?: RequestInit & { scope?: keyof typeof TOKENS }): Promise<Response>;
  /** SIGTERM (graceful) or SIGKILL, and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function serveProcess(
  storeUrl: string,
  env: Record<string, string> = {},
  configFile?: string,
): Promise<ServeProcess> {
  const args = [CLI, 'serve', ...(configFile ? ['--config', configFile] : [])];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PERFWATCH_PORT: '0',
      PERFWATCH_HOST: '127.0.0.1',
      PERFWATCH_STORE_URL: storeUrl,
      PERFWATCH_TOKEN_READ: TOKENS.read,
      PERFWATCH_TOKEN_WRITE: TOKENS.write,
      PERFWATCH_TOKEN_INGEST: TOKENS.ingest,
      PERFWATCH_TOKEN_ALERTMANAGER: TOKENS.alertmanager,
      PERFWATCH_SYSTEM_METRICS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'perfwatch listening' && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before listening`)));
  });
  return {
    child,
    url,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (init.scope) headers.set('authorization', `Bearer ${TOKENS[init.scope]}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(`${url}${pathname}`, { ...init, headers });
    },
    stop(signal = 'SIGTERM') {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}
