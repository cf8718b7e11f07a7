/*
 * README's commands work as written. Every line of README's `sh` code blocks is either run here,
 * verbatim, from the repository root (as a reader would), or listed below with the reason it cannot
 * run in a test, so a new command in README is never silently untested.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killAll } from '../library/test/support/processes';
import { startPrometheus } from './support/prometheus-stack';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');

/**
 * Commands that cannot run inside a test, and why, by how they start. Each must still match a README
 * command, so a stale entry fails too.
 */
const NOT_HERE: Record<string, string> = {
  'npm ci && npm start': 'reinstalls node_modules and starts a long-running server',
  'npm ci && npm run build': 'npm ci would reinstall node_modules under the running tests',
  'npm test': 'the whole test suite, this test included',
  'cp .env.example .env':
    "writes the checkout's .env; stack/test/compose.test.ts runs step 2 in a scratch copy",
  'for k in PERFWATCH_GRAFANA_TOKEN':
    "edits the checkout's .env; stack/test/compose.test.ts runs it in a scratch copy",
  'docker compose': 'no Docker engine on these machines',
};

const notHere = (command: string) => Object.keys(NOT_HERE).find((prefix) => command.startsWith(prefix));

/**
 * Commands of README's ```sh blocks (also those indented under a numbered step), without comments.
 * A loop is one command: its lines mean nothing on their own.
 */
export function readmeCommands(readme: string): string[] {
  const out: string[] = [];
  for (const block of readme.matchAll(/^ *```sh\n([\s\S]*?)^ *```/gm)) {
    let pending = '';
    for (const raw of block[1].split('\n')) {
      const line = raw.replace(/(?<!\s)\s+#.*$/, '').trim();
      if (!line || line.startsWith('#')) continue;
      pending = pending ? `${pending}\n${line}` : line;
      const opened = pending.match(/\bdo$/gm)?.length ?? 0;
      const closed = pending.match(/^done\b/gm)?.length ?? 0;
      if (opened === closed) {
        out.push(pending);
        pending = '';
      }
    }
    if (pending) out.push(pending);
  }
  return out;
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const commands = readmeCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
const runnable = commands.filter((c) => notHere(c) === undefined);

test('every README command either runs here or is listed with its reason', () => {
  expect(commands.length).toBeGreaterThan(0);
  const used = new Set(commands.map(notHere).filter((p) => p !== undefined));
  expect([...used].sort()).toEqual(Object.keys(NOT_HERE).sort());
  expect(runnable).toContain('npx perfwatch rules generate');
});

describe('README commands, verbatim from the repository root', () => {
  let dir: string;
  let prometheus: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-readme-'));
    // `sla report` reads Prometheus; an empty one gives a report of endpoints without data.
    prometheus = await startPrometheus({
      dir,
      ruleFiles: [],
      targets: [],
      scrapeInterval: '15s',
      evaluationInterval: '15s',
    });
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(runnable)('%s', async (command) => {
    const r = await sh(command, {
      ...process.env,
      PERFWATCH_PROMETHEUS_URL: prometheus,
      // npx must find the workspace's own bin; offline, a missing one fails instead of downloading.
      npm_config_offline: 'true',
      npm_config_yes: 'false',
    });
    expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
  });
});
