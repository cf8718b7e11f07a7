/**
 * docker-compose.yml without a Docker engine: Debian's docker-compose parses and interpolates it,
 * and the checks below cover what `docker compose up` would trip over first — missing mounted
 * files, unpinned images, services without healthchecks, secrets .env.example does not name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { which } from '../src/processes';
import { repoRoot } from '../src/stack';

const ROOT = repoRoot();
const COMPOSE = path.join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(ROOT, '.env.example');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

/** Mounted paths that are build output: the workspace whose `npm run build` produces each. */
const BUILD_OUTPUTS: Record<string, string> = { 'grafana-app-plugin/dist': 'grafana-app-plugin' };

/** The file as docker-compose resolves it with .env.example as the environment file. */
function resolved(): Compose {
  const out = execFileSync(which('docker-compose')!, ['--env-file', ENV_EXAMPLE, '-f', COMPOSE, 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  return parse(out) as Compose;
}

const raw = () => parse(readFileSync(COMPOSE, 'utf8')) as Compose;

describe('docker-compose.yml', () => {
  test("Debian's docker-compose parses it and resolves every variable from .env.example", () => {
    expect(which('docker-compose')).toBeDefined();
    const c = resolved();
    expect(Object.keys(c.services).sort()).toEqual(
      [
        'alertmanager',
        'demo-app',
        'demo-load',
        'grafana',
        'mailpit',
        'perfwatch',
        'postgres',
        'prometheus',
        'redis',
      ].sort(),
    );
  });

  test('it refuses to start without the secrets, naming the variable to set', () => {
    let message = '';
    const empty = path.join(mkdtempSync(path.join(tmpdir(), 'pw-compose-')), 'empty.env');
    writeFileSync(empty, '');
    try {
      execFileSync(which('docker-compose')!, ['--env-file', empty, '-f', COMPOSE, 'config'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { PATH: process.env.PATH ?? '' },
      });
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    } finally {
      rmSync(path.dirname(empty), { recursive: true, force: true });
    }
    expect(message).toMatch(/SLACK_WEBHOOK_URL|PERFWATCH_GRAFANA_TOKEN|PERFWATCH_ALERTMANAGER_TOKEN/);
  });

  test('every image is pinned to a version', () => {
    for (const [name, s] of Object.entries(raw().services)) {
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/),
      });
    }
  });

  test('every bind-mounted path exists (or is the build output of a workspace with a build script)', () => {
    for (const [name, s] of Object.entries(resolved().services)) {
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0];
        if (!source.startsWith('/') && !source.startsWith('.')) continue; // named volume
        const rel = path.relative(ROOT, path.resolve(ROOT, source));
        const workspace = BUILD_OUTPUTS[rel];
        if (workspace) {
          const pkg = JSON.parse(readFileSync(path.join(ROOT, workspace, 'package.json'), 'utf8'));
          expect({ name, mount: rel, build: typeof pkg.scripts?.build }).toEqual({
            name,
            mount: rel,
            build: 'string',
          });
          continue;
        }
        expect({ name, mount: rel, exists: existsSync(path.join(ROOT, rel)) }).toEqual({
          name,
          mount: rel,
          exists: true,
        });
      }
    }
  });

  test('every named volume is declared and used', () => {
    const c = raw();
    const used = new Set<string>();
    for (const s of Object.values(c.services))
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) used.add(source);
      }
    expect([...used].sort()).toEqual(Object.keys(c.volumes).sort());
  });

  test('every service has a healthcheck and dependencies wait for health', () => {
    for (const [name, s] of Object.entries(raw().services)) {
      expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
      for (const [dep, d] of Object.entries(s.depends_on ?? {}))
        expect({ name, dep, condition: d.condition }).toEqual({ name, dep, condition: 'service_healthy' });
    }
  });

  test("every build's Dockerfile exists and every file it copies from the context exists", () => {
    for (const [name, s] of Object.entries(raw().services)) {
      if (!s.build) continue;
      const dockerfile = path.join(ROOT, s.build.context, s.build.dockerfile);
      expect({ name, dockerfile: existsSync(dockerfile) }).toEqual({ name, dockerfile: true });
      for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
        const m = /^COPY\s+(?!--from)(\S.*)$/.exec(line.trim());
        if (!m) continue;
        const parts = m[1].split(/\s+/);
        for (const src of parts.slice(0, -1)) {
          const p = path.join(ROOT, s.build.context, src);
          expect({ name, src, exists: existsSync(p) }).toEqual({ name, src, exists: true });
        }
      }
    }
  });

  test('the Grafana service provides every ${VAR} the provisioning files read', () => {
    const grafana = resolved().services.grafana;
    const dir = path.join(ROOT, 'provisioning', 'grafana');
    const files = execFileSync('find', [dir, '-name', '*.yml'], { encoding: 'utf8' }).trim().split('\n');
    for (const f of files) {
      expect(statSync(f).isFile()).toBe(true);
      for (const m of readFileSync(f, 'utf8').matchAll(/\$\{([A-Z0-9_]+)\}/g))
        expect({
          file: path.relative(ROOT, f),
          variable: m[1],
          set: Boolean(grafana.environment?.[m[1]]),
        }).toEqual({
          file: path.relative(ROOT, f),
          variable: m[1],
          set: true,
        });
    }
  });
});
