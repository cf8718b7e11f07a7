/**
 * The images docker-compose.yml builds, proved without a Docker engine: each Dockerfile is read and
 * replayed stage by stage on this machine (support/dockerfile-replay.ts says how and where it differs
 * from an engine), then the image's own command is started as compose starts it and its own
 * HEALTHCHECK and /metrics are checked. A runtime stage that lacks a module the code needs crashes
 * here exactly as its container would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../src/processes';
import { repoRoot } from '../src/stack';
import { buildImages, type Container, type Image, startContainer } from './support/dockerfile-replay';

const ROOT = repoRoot();
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Building two images (npm ci with and without dev dependencies, tsc) on a shared 2-core machine.
jest.setTimeout(15 * 60_000);

/**
 * In a real build better-sqlite3's install script downloads its prebuilt binary for the image's Node
 * (published for Node 20–25 on linux x64/arm64). This machine cannot reach that host, so the replay
 * serves the binary the repository's own `npm ci` compiled from the same locked version for this
 * Node, under the file name prebuild-install looks for. Without it the replay still works, compiling
 * from source (about a minute more per install).
 */
function betterSqlitePrebuilds(dir: string): Record<string, string> {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const locked = lock.packages['node_modules/better-sqlite3']?.version;
  const installedDir = path.join(ROOT, 'node_modules', 'better-sqlite3');
  const installed = (
    JSON.parse(readFileSync(path.join(installedDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  if (!locked || locked !== installed) return {};
  const file = `better-sqlite3-v${locked}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const r = spawnSync('tar', [
    '-czf',
    path.join(dir, file),
    '-C',
    installedDir,
    'build/Release/better_sqlite3.node',
  ]);
  if (r.status !== 0) return {};
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

/** What the daemon hands a build: proxy settings and the CA bundle the registry needs here. */
function daemonBuildEnv(): Record<string, string> {
  const keys = [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'NODE_EXTRA_CA_CERTS',
  ];
  return Object.fromEntries(keys.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
}

async function untilHealthy(c: Container, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (c.process.exitCode !== null || c.process.signalCode !== null)
      throw new Error(
        `the container exited (${c.process.exitCode ?? c.process.signalCode}):\n${c.output().slice(-4000)}`,
      );
    if ((await c.healthcheck()) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`HEALTHCHECK still failing after ${timeoutMs} ms:\n${c.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The numeric uid the container's main process runs as (from /proc). */
function uidOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
}

let scratch: string;
let images: Record<string, Image>;

// One replay for both targets, as `docker compose build` shares the build stage between them.
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pw-images-'));
  images = buildImages({
    context: ROOT,
    dockerfile: 'Dockerfile',
    scratch,
    buildEnv: { ...daemonBuildEnv(), ...betterSqlitePrebuilds(scratch) },
    log: (l) => process.stderr.write(`${l}\n`),
  });
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('Dockerfile, target exporter (the default)', () => {
  let container: Container | undefined;
  let port: number;

  beforeAll(async () => {
    // A plain `docker build .` builds the service.
    expect(images.default.stage.name).toBe('exporter');
    port = await freePort();
    // As docker-compose.yml runs it, with the port and address moved off the shared machine's 9470.
    container = startContainer(images.exporter, {
      PERFWATCH_PORT: String(port),
      PERFWATCH_HOST: '127.0.0.1',
      PERFWATCH_TOKEN_WRITE: randomBytes(16).toString('hex'),
      PERFWATCH_TOKEN_ALERTMANAGER: randomBytes(16).toString('hex'),
    });
  });

  afterAll(async () => {
    await container?.stop();
  });

  test('the container turns healthy by its own HEALTHCHECK', async () => {
    await untilHealthy(container!, 60_000);
  });

  test('it runs as the unprivileged node user and can write its SQLite store', async () => {
    expect(uidOf(container!.process.pid!)).toBe(1000);
    const r = await container!.exec(['sh', '-c', 'ls data/']);
    expect(r).toEqual({ code: 0, output: expect.stringMatching(/perfwatch\.db/) });
  });

  test('/metrics serves the Perfwatch and node_exporter families', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^perfwatch_build_info\{/m);
    expect(body).toMatch(/^process_cpu_seconds_total /m);
  });
});

describe('Dockerfile, target demo-app', () => {
  let container: Container | undefined;
  let port: number;
  const schema = `pw_image_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    port = await freePort();
    container = startContainer(images['demo-app'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: PG_URL,
      DEMO_SCHEMA: schema,
      REDIS_URL,
      DEMO_QUEUE_PREFIX: schema,
    });
  });

  afterAll(async () => {
    await container?.stop();
    const pg = new Client({ connectionString: PG_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.end();
  });

  test('the container turns healthy by its own HEALTHCHECK', async () => {
    await untilHealthy(container!, 60_000);
  });

  test('/metrics records the requests it served', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/api/products/1`)).status).toBe(200);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(body).toMatch(/^http_server_request_duration_seconds_count\{[^}]*route="\/api\/products\/:id"/m);
  });

  test('the same image runs the load generator (the demo-load service)', async () => {
    const r = await container!.exec([
      'node',
      'examples/demo-app/dist/load-cli.js',
      `--target=http://127.0.0.1:${port}`,
      '--rps=5',
      '--duration=2',
    ]);
    expect(r).toEqual({ code: 0, output: expect.stringContaining('"msg":"load started"') });
  });
});

describe('Dockerfile, target notify-catcher', () => {
  let container: Container | undefined;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    container = startContainer(images['notify-catcher'], {
      CATCHER_HTTP_PORT: String(port),
      CATCHER_SMTP_PORT: '0',
      CATCHER_HOST: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await container?.stop();
  });

  test('the container turns healthy by its own HEALTHCHECK', async () => {
    await untilHealthy(container!, 60_000);
  });

  test('it keeps what Alertmanager posts to /slack and /oncall and lists it', async () => {
    for (const kind of ['slack', 'oncall'])
      expect(
        (
          await fetch(`http://127.0.0.1:${port}/${kind}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: `hello ${kind}` }),
          })
        ).status,
      ).toBe(200);
    const listed = (await (await fetch(`http://127.0.0.1:${port}/api/messages`)).json()) as {
      webhooks: Array<{ kind: string; body: unknown }>;
    };
    expect(listed.webhooks.map((w) => [w.kind, w.body])).toEqual([
      ['slack', { text: 'hello slack' }],
      ['oncall', { text: 'hello oncall' }],
    ]);
  });
});
