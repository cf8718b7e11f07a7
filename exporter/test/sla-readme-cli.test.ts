/*
 * README's commands work as written. Every line of README's `sh` code blocks is either run here,
 * verbatim, from the repository root (as a reader would), or listed below with the reason it cannot
 * run in a test, so a new command in README is never silently untested.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killAll } from './support/processes';
import { startPrometheus } from './support/prometheus-stack';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');

/** Commands that cannot run inside a test, and why. */
const NOT_HERE: Record<string, string> = {
  'npm ci && npm start': 'reinstalls node_modules and starts a long-running server',
  'npm test': 'the whole test suite, this test included',
  'docker compose up': 'no Docker engine on these machines',
  'npm run stack': 'a long-running stack (stack/test/e2e.test.ts runs it)',
};

/** Lines of README's ```sh blocks, without comments. */
export function readmeCommands(readme: string): string[] {
  const out: string[] = [];
  for (const block of readme.matchAll(/^```sh\n([\s\S]*?)^```/gm))
    for (const line of block[1].split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) out.push(command);
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
const runnable = commands.filter((c) => !(c in NOT_HERE));

test('every README command either runs here or is listed with its reason', () => {
  expect(commands.length).toBeGreaterThan(0);
  expect(commands.filter((c) => c in NOT_HERE).sort()).toEqual(Object.keys(NOT_HERE).sort());
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
