/**
 * docker-compose.yml without a Docker engine: Debian's docker-compose (1.29, which reads the Compose
 * Specification except `create_host_path`) interpolates it with .env.example, and the checks below
 * cover what a user relies on at `docker compose up`: the secret guards, healthchecks that can run
 * in their images, external URLs, ports on loopback, the Grafana app's build output, and the images
 * built here (their runtime is proved by images.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { parse } from 'yaml';
import { which } from '../src/processes';
import { repoRoot } from '../src/stack';
import { parseDockerfile } from './support/dockerfile-replay';

const ROOT = repoRoot();
const COMPOSE = path.join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(ROOT, '.env.example');

type Volume = string | { type: string; source: string; target: string; read_only?: boolean; bind?: object };
interface Service {
  image?: string;
  pull_policy?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  entrypoint?: string[];
  command?: string[];
  volumes?: Volume[];
  ports?: string[];
  pid?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  profiles?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

/** The secrets .env.example leaves empty: compose must refuse to start until each one is set. */
const SECRETS = [
  'PERFWATCH_GRAFANA_TOKEN',
  'PERFWATCH_ALERTMANAGER_TOKEN',
  'GRAFANA_ADMIN_PASSWORD',
  'POSTGRES_PASSWORD',
];

/**
 * What each pinned image has on its PATH for a healthcheck, from the images' own build files:
 * prom/prometheus, prom/alertmanager and prom/node-exporter are FROM quay.io/prometheus/busybox
 * (busybox: sh, wget); axllent/mailpit is FROM alpine with the binary at /mailpit (busybox wget);
 * grafana/grafana's Dockerfile installs curl in both its Alpine and Ubuntu variants (`apk add … curl`
 * / `apt-get install … curl`), and only the Alpine one has busybox's wget; the postgres and redis
 * bookworm images ship pg_isready/psql and redis-cli. Our own images (perfwatch/*) are node:*-slim:
 * node, proved by images.test.ts running their HEALTHCHECKs. The victoriametrics/* images (the
 * optional profile) are built by VictoriaMetrics' deployment/docker/Makefile `FROM $(ROOT_IMAGE)`,
 * alpine:3.18.3 at tag v1.79.14 and alpine:3.20.1 at v1.93.16 (busybox: sh, wget; see
 * deployment/docker/base/Dockerfile and app/<name>/deployment/Dockerfile); only their `-scratch` tags have
 * no shell or wget, so the pattern accepts plain version tags only.
 */
const IMAGE_BINARIES: Array<[RegExp, string[]]> = [
  [/^prom\/(prometheus|alertmanager|node-exporter):/, ['sh', 'wget']],
  [/^axllent\/mailpit:/, ['sh', '/mailpit', 'wget']],
  [/^grafana\/grafana:/, ['sh', 'curl']],
  [/^postgres:\d[\w.]*-bookworm$/, ['sh', 'pg_isready', 'psql']],
  [/^redis:\d[\w.]*-bookworm$/, ['sh', 'redis-cli']],
  [/^perfwatch\//, ['sh', 'node']],
  [/^victoriametrics\/(victoria-metrics|vmagent|vmalert):v\d+\.\d+\.\d+$/, ['sh', 'wget']],
];

/** The optional profile (docker compose --profile victoriametrics up) and its services. */
const VM_PROFILE = 'victoriametrics';
const VM_SERVICES = ['victoriametrics', 'vmagent', 'vmalert'];
const SHELL_BUILTINS = new Set(['test', '[', 'true', 'false', 'exit', 'echo', 'kill']);

function envFile(overrides: Record<string, string | undefined>): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-compose-'));
  const lines = readFileSync(ENV_EXAMPLE, 'utf8')
    .split('\n')
    .filter((l) => {
      const k = /^(\w+)=/.exec(l)?.[1];
      return !k || !(k in overrides);
    });
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) lines.push(`${k}=${v}`);
  const file = path.join(dir, '.env');
  writeFileSync(file, lines.join('\n'));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** docker-compose config with this env file; the error text when it refuses. */
function render(file: string): { ok: true; compose: Compose } | { ok: false; error: string } {
  const r = spawnSync(which('docker-compose')!, ['--env-file', file, '-f', COMPOSE, 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  return r.status === 0 ? { ok: true, compose: parse(r.stdout) as Compose } : { ok: false, error: r.stderr };
}

/** .env.example with the secrets a user generates (`openssl rand -hex 24`) filled in. */
const FILLED = Object.fromEntries(SECRETS.map((k) => [k, `${k.toLowerCase()}-0123456789abcdef`]));

function rendered(overrides: Record<string, string | undefined> = {}): Compose {
  const env = envFile({ ...FILLED, ...overrides });
  try {
    const r = render(env.file);
    if (!r.ok) throw new Error(r.error);
    return r.compose;
  } finally {
    env.cleanup();
  }
}

function exampleValues(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(ENV_EXAMPLE, 'utf8')
      .split('\n')
      .map((l) => /^(\w+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

// `<<:` merge keys are YAML 1.1, which compose reads; the yaml package needs to be told.
const raw = () => parse(readFileSync(COMPOSE, 'utf8'), { merge: true }) as Compose;
const published = (s: Service) => (s.ports ?? []).map(String);

describe('docker-compose.yml with .env.example', () => {
  test('.env.example as copied refuses to start, naming a secret to set', () => {
    const r = render(ENV_EXAMPLE);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(new RegExp(`set (${SECRETS.join('|')}) in \\.env`));
  });

  test("README's step 2 fills in every secret, and the result renders", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const step = readme.slice(readme.indexOf('## Full stack')).split(/\n2\. /)[1];
    const script = /```sh\n([\s\S]*?)```/.exec(step)![1].replace(/^ {3}/gm, '');
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-readme-'));
    try {
      writeFileSync(path.join(dir, '.env.example'), readFileSync(ENV_EXAMPLE));
      execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
      const values = readFileSync(path.join(dir, '.env'), 'utf8');
      for (const k of SECRETS) expect(values).toMatch(new RegExp(`^${k}=[0-9a-f]{48}$`, 'm'));
      expect(render(path.join(dir, '.env')).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(SECRETS)('the guard for %s fires while it alone is empty', (name) => {
    const env = envFile({ ...FILLED, [name]: '' });
    try {
      const r = render(env.file);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toContain(`set ${name} in .env`);
    } finally {
      env.cleanup();
    }
  });

  test('no secret has a placeholder value in .env.example that would pass its guard', () => {
    const values = exampleValues();
    expect(SECRETS.map((k) => [k, values[k]])).toEqual(SECRETS.map((k) => [k, '']));
    // Every other guarded variable has a value that works as it is.
    const guarded = [...readFileSync(COMPOSE, 'utf8').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]);
    for (const k of new Set(guarded))
      if (!SECRETS.includes(k))
        expect({ k, value: values[k] }).toEqual({ k, value: expect.stringMatching(/^https?:\/\//) });
  });

  test('with the secrets set it renders every service; those outside any profile are the default stack', () => {
    // docker-compose 1.29's `config` renders services of every profile, with their `profiles:` key.
    const services = rendered().services;
    const defaults = Object.keys(services).filter((name) => !services[name].profiles);
    expect(defaults.sort()).toEqual(
      [
        'alertmanager',
        'demo-app',
        'demo-load',
        'grafana',
        'mailpit',
        'node-exporter',
        'notify-catcher',
        'perfwatch',
        'postgres',
        'prometheus',
        'redis',
      ].sort(),
    );
  });

  test("Slack posts and on-call webhooks go to the stack's catcher by default", () => {
    const c = rendered();
    expect(c.services.alertmanager.environment?.SLACK_WEBHOOK_URL).toBe('http://notify-catcher:8026/slack');
    const am = readFileSync(path.join(ROOT, 'provisioning/alertmanager/alertmanager.yml'), 'utf8');
    const hooks = [...am.matchAll(/- url: (\S+)/g)].map((m) => m[1]);
    const outside = hooks.filter((u) => !/^http:\/\/(perfwatch:9470|notify-catcher:8026)\//.test(u));
    expect(outside).toEqual([]);
    expect(hooks).toContain('http://notify-catcher:8026/oncall');
  });

  test('every secret file the generated Alertmanager config reads is written at start, from a guarded variable', () => {
    const am = readFileSync(path.join(ROOT, 'provisioning/alertmanager/alertmanager.yml'), 'utf8');
    const files = [
      ...new Set([...am.matchAll(/_file: (\/etc\/alertmanager\/secrets\/\S+)/g)].map((m) => m[1])),
    ];
    expect(files.length).toBeGreaterThan(0);
    const service = raw().services.alertmanager;
    const writes = new Map<string, string>();
    for (const m of (service.command ?? []).join(' ').matchAll(/printf %s "\$\$(\w+)" > (\S+)/g))
      writes.set(m[2], m[1]);
    for (const file of files) {
      const variable = writes.get(file);
      expect({ file, variable }).toEqual({ file, variable: expect.any(String) });
      // Guarded (`:?`) or an explicit optional default (`:-`): never an unset variable written silently.
      expect({ file, value: service.environment?.[variable!] }).toEqual({
        file,
        value: expect.stringMatching(/^\$\{\w+:[?-]/),
      });
    }
  });

  test('no port is published on all interfaces, with or without BIND_ADDRESS in .env', () => {
    for (const c of [rendered(), rendered({ BIND_ADDRESS: undefined })])
      for (const [name, s] of Object.entries(c.services))
        for (const p of published(s))
          expect({ name, p }).toEqual({ name, p: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+/) });
  });

  test("host ports stay off Debian's Prometheus and Alertmanager (9090, 9093) and node_exporter (9100)", () => {
    const hostPorts = Object.values(rendered().services).flatMap((s) =>
      published(s).map((p) => Number(p.split(':')[1])),
    );
    expect(hostPorts.filter((p) => [9090, 9093, 9100].includes(p))).toEqual([]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  test('Prometheus, Alertmanager and Grafana know the URLs people open, on the published ports', () => {
    const c = rendered();
    const values = exampleValues();
    const hostPort = (name: string, containerPort: number) =>
      published(c.services[name])
        .find((p) => p.split(':')[2].startsWith(String(containerPort)))!
        .split(':')[1];
    const url = (u: string) => new URL(u);
    expect(c.services.prometheus.command).toContain(`--web.external-url=${values.PROMETHEUS_EXTERNAL_URL}`);
    expect(url(values.PROMETHEUS_EXTERNAL_URL).port).toBe(hostPort('prometheus', 9090));
    expect(c.services.alertmanager.command?.join(' ')).toContain(
      // docker-compose config writes the file back with `$` escaped as `$$`.
      '--web.external-url="$$ALERTMANAGER_EXTERNAL_URL"',
    );
    expect(c.services.alertmanager.environment?.ALERTMANAGER_EXTERNAL_URL).toBe(
      values.ALERTMANAGER_EXTERNAL_URL,
    );
    expect(url(values.ALERTMANAGER_EXTERNAL_URL).port).toBe(hostPort('alertmanager', 9093));
    expect(c.services.grafana.environment?.GF_SERVER_ROOT_URL).toBe(values.GRAFANA_EXTERNAL_URL);
    expect(url(values.GRAFANA_EXTERNAL_URL).port).toBe(hostPort('grafana', 3000));
  });

  test("every service's healthcheck runs a program its image has", () => {
    for (const [name, s] of Object.entries(rendered().services)) {
      const test = s.healthcheck?.test ?? [];
      expect({ name, kind: test[0] }).toEqual({ name, kind: expect.stringMatching(/^CMD(-SHELL)?$/) });
      const has = IMAGE_BINARIES.find(([re]) => re.test(s.image ?? ''))?.[1];
      expect({ name, image: s.image, known: Boolean(has) }).toEqual({ name, image: s.image, known: true });
      const programs =
        test[0] === 'CMD'
          ? [test[1]]
          : test[1]
              .split(/&&|\|\||;|\|/)
              .map((part) => part.trim().split(/\s+/)[0])
              .filter((p) => p && !SHELL_BUILTINS.has(p));
      for (const p of programs)
        expect({ name, program: p, inImage: has!.includes(p) }).toEqual({ name, program: p, inImage: true });
    }
  });

  test('every service has a healthcheck and dependencies wait for health', () => {
    for (const [name, s] of Object.entries(raw().services)) {
      expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
      for (const [dep, d] of Object.entries(s.depends_on ?? {}))
        expect({ name, dep, condition: d.condition }).toEqual({ name, dep, condition: 'service_healthy' });
    }
  });

  test("PostgreSQL's healthcheck asks over TCP, which the first-time init server does not answer", () => {
    expect(rendered().services.postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready .*-h 127\.0\.0\.1/);
  });

  test('no password is interpolated into a URL; PostgreSQL clients get PGPASSWORD', () => {
    const c = rendered({ POSTGRES_PASSWORD: 'p@ss/w:rd#1' });
    for (const [name, s] of Object.entries(c.services))
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        expect({ name, k, credentialsInUrl: /:\/\/[^/@\s:]*:[^/@\s]*@/.test(String(v)) }).toEqual({
          name,
          k,
          credentialsInUrl: false,
        });
        if (/^postgres(ql)?:\/\//.test(String(v)))
          expect({ name, PGPASSWORD: s.environment?.PGPASSWORD }).toEqual({
            name,
            PGPASSWORD: 'p@ss/w:rd#1',
          });
      }
  });

  test('the password is applied to the existing database at every start, not only the first', () => {
    const cmd = rendered().services.postgres.command?.join(' ') ?? '';
    expect(cmd).toContain(`ALTER ROLE perfwatch PASSWORD :'pw'`);
    expect(cmd).toContain('-v pw="$$POSTGRES_PASSWORD"');
    expect(rendered().services.postgres.healthcheck?.test.join(' ')).toContain(
      'test -f /tmp/password-applied',
    );
  });

  test('Alertmanager runs single-node and Mailpit keeps its mail in its volume', () => {
    const c = rendered();
    expect(c.services.alertmanager.command?.join(' ')).toMatch(/--cluster\.listen-address=(\s|$)/);
    expect(c.services.mailpit.environment?.MP_DATABASE).toBe('/data/mailpit.db');
    expect(c.services.mailpit.volumes).toContainEqual(expect.stringMatching(/^mailpit-data:\/data(:rw)?$/));
  });

  test("Grafana credits incident actions to the person: the data proxy sends the user's login", () => {
    expect(rendered().services.grafana.environment?.GF_DATAPROXY_SEND_USER_HEADER).toBe('true');
  });

  test("the node job scrapes a node_exporter that sees the host's root and processes", () => {
    const c = rendered();
    const ne = c.services['node-exporter'];
    expect(ne.command).toContain('--path.rootfs=/host');
    expect(ne.pid).toBe('host');
    expect(ne.volumes).toContainEqual(
      expect.objectContaining({ type: 'bind', source: '/', target: '/host', read_only: true }),
    );
    const prom = parse(readFileSync(path.join(ROOT, 'provisioning/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{
        job_name: string;
        metrics_path?: string;
        static_configs: Array<{ targets: string[] }>;
      }>;
    };
    const node = prom.scrape_configs.find((j) => j.job_name === 'node')!;
    expect(node.static_configs[0].targets).toEqual(['node-exporter:9100']);
    expect(node.metrics_path ?? '/metrics').toBe('/metrics');
  });
});

describe("the Grafana app's build output", () => {
  const PLUGIN_TARGET = '/var/lib/grafana/plugins/perfwatch-app';

  test('is mounted with the long bind syntax, so a missing dist stops compose instead of becoming an empty directory', () => {
    const mount = rendered().services.grafana.volumes?.find(
      (v) => typeof v !== 'string' && v.target === PLUGIN_TARGET,
    );
    expect(mount).toEqual({
      type: 'bind',
      source: path.join(ROOT, 'grafana-app-plugin/dist'),
      target: PLUGIN_TARGET,
      read_only: true,
    });
    // The short syntax (`./dist:/target`) is what implies create_host_path.
    expect(readFileSync(COMPOSE, 'utf8')).not.toMatch(/grafana-app-plugin\/dist:/);
  });

  test('a dist without plugin.json stops Grafana with the command that builds it', () => {
    const g = rendered().services.grafana;
    expect(g.entrypoint).toEqual(['/bin/sh', '-c']);
    expect(existsSync(path.join(PLUGIN_TARGET, 'plugin.json'))).toBe(false);
    // The same script, run here where that path does not exist either.
    const r = spawnSync('/bin/sh', ['-c', g.command![0]], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('run npm ci && npm run build, then docker compose up');
  });

  test('is built by the plugin workspace, whose own compose runs the same Grafana version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'grafana-app-plugin/package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    expect(typeof pkg.scripts?.build).toBe('string');
    const base = readFileSync(path.join(ROOT, 'grafana-app-plugin/.config/docker-compose-base.yaml'), 'utf8');
    const pluginVersion = /GRAFANA_VERSION:-([\d.]+)\}/.exec(base)?.[1];
    expect(raw().services.grafana.image).toBe(`grafana/grafana:${pluginVersion}`);
  });
});

describe('images and mounts', () => {
  test('every image is pinned to a version', () => {
    for (const [name, s] of Object.entries(raw().services)) {
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/),
      });
    }
  });

  test('images named perfwatch/* are built here, never pulled, from a stage of the Dockerfile', () => {
    const { stages } = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const names = stages.map((s) => s.name);
    for (const [name, s] of Object.entries(rendered().services)) {
      if (!s.image?.startsWith('perfwatch/')) {
        expect({ name, build: s.build }).toEqual({ name, build: undefined });
        continue;
      }
      expect({ name, pull_policy: s.pull_policy, context: s.build?.context }).toEqual({
        name,
        pull_policy: 'build',
        context: ROOT,
      });
      expect(names).toContain(s.build?.target);
    }
  });

  test('.dockerignore keeps host installs, builds, secrets and git out of the build context', () => {
    const ig = dockerignore().add(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
    for (const p of [
      'node_modules/x/index.js',
      'exporter/node_modules/lru-cache/package.json',
      'exporter/dist/cli.js',
      'stack/dist/sinks-cli.js',
      '.git/HEAD',
      '.env',
      'grafana-app-plugin/src/module.tsx',
    ])
      expect({ p, ignored: ig.ignores(p) }).toEqual({ p, ignored: true });
    // …and lets through everything the Dockerfile copies from the context.
    const { stages } = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    for (const ins of stages.flatMap((s) => s.instructions))
      if (ins.keyword === 'COPY' && !ins.flags.some(([k]) => k === 'from'))
        for (const src of ins.rest.trim().split(/\s+/).slice(0, -1)) {
          expect({ src, ignored: ig.ignores(src.replace(/\/$/, '')) }).toEqual({ src, ignored: false });
          expect({ src, exists: existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
        }
  });

  test('every bind-mounted path exists, except the app build output (see above)', () => {
    for (const [name, s] of Object.entries(rendered().services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (!source.startsWith('/')) continue; // named volume
        if (source === '/' || source === path.join(ROOT, 'grafana-app-plugin/dist')) continue;
        const rel = path.relative(ROOT, source);
        expect({ name, mount: rel, exists: existsSync(source) }).toEqual({ name, mount: rel, exists: true });
      }
    }
  });

  test('every named volume is declared and used', () => {
    const c = raw();
    const used = new Set<string>();
    for (const s of Object.values(c.services))
      for (const v of s.volumes ?? []) {
        if (typeof v !== 'string') continue;
        const source = v.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) used.add(source);
      }
    expect([...used].sort()).toEqual(Object.keys(c.volumes).sort());
  });

  test('the Grafana service provides every ${VAR} the provisioning files read', () => {
    const grafana = rendered().services.grafana;
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

describe('the victoriametrics profile (docker compose --profile victoriametrics up)', () => {
  type Job = { job_name: string; static_configs: Array<{ targets: string[] }> };
  const scrapeFile = (name: string) =>
    parse(readFileSync(path.join(ROOT, 'provisioning/prometheus', name), 'utf8')) as {
      global: { scrape_interval: string };
      scrape_configs: Job[];
    };
  const flag = (s: Service, name: string) =>
    (s.command ?? [])
      .filter((a) => a === `-${name}` || a.startsWith(`-${name}=`))
      .map((a) => a.split('=')[1]);
  /** Where a bind mount of `source` (relative to the repository) lands in the service's container. */
  const mountOf = (s: Service, source: string) =>
    (s.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
      .find(([from]) => from === path.join(ROOT, source))?.[1];
  const version = (image?: string) => (/:v(\d+)\.(\d+)\.(\d+)$/.exec(image ?? '') ?? []).slice(1).map(Number);

  test('its services start only with the profile, and no default service depends on one of them', () => {
    const services = rendered().services;
    const profiled = Object.keys(services).filter((name) => services[name].profiles);
    expect(profiled.sort()).toEqual([...VM_SERVICES].sort());
    for (const name of VM_SERVICES)
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: [VM_PROFILE] });
    for (const [name, s] of Object.entries(services))
      if (!s.profiles)
        for (const dep of Object.keys(s.depends_on ?? {}))
          expect({ name, dep, profiled: VM_SERVICES.includes(dep) }).toEqual({ name, dep, profiled: false });
  });

  test('VictoriaMetrics and vmagent are the 1.79 line the native scale test runs; vmalert is >= 1.92.0, which reads keep_firing_for', () => {
    const c = raw().services;
    expect(c.victoriametrics.image).toMatch(/^victoriametrics\/victoria-metrics:v1\.79\.\d+$/);
    expect(c.vmagent.image).toMatch(/^victoriametrics\/vmagent:v1\.79\.\d+$/);
    // Debian's build prints an empty -version; its package version says which line it is.
    const debian = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'victoria-metrics'], {
      encoding: 'utf8',
    });
    expect(debian).toMatch(/^1\.79\.\d+/);
    // The committed rules need it: vmalert 1.79 refuses them (stack/test/scale/victoriametrics.test.ts).
    const rules = readFileSync(path.join(ROOT, 'alert-rules/sla-post-api-checkout.yml'), 'utf8');
    expect(rules).toContain('keep_firing_for:');
    const [major, minor] = version(c.vmalert.image);
    expect({ image: c.vmalert.image, atLeast1_92: major > 1 || (major === 1 && minor >= 92) }).toEqual({
      image: c.vmalert.image,
      atLeast1_92: true,
    });
  });

  test('vmalert evaluates the mounted alert-rules against VictoriaMetrics and never notifies Alertmanager', () => {
    const vmalert = rendered().services.vmalert;
    const rulesDir = mountOf(vmalert, 'alert-rules');
    expect(rulesDir).toBeDefined();
    expect(flag(vmalert, 'rule')).toEqual([`${rulesDir}/*.yml`]);
    for (const f of ['datasource.url', 'remoteWrite.url', 'remoteRead.url'])
      expect({ f, url: flag(vmalert, f) }).toEqual({ f, url: ['http://victoriametrics:8428'] });
    // Prometheus evaluates the same rules and notifies: a second notifier would page twice.
    expect(flag(vmalert, 'notifier.blackhole')).toEqual([undefined]);
    expect([...flag(vmalert, 'notifier.url'), ...flag(vmalert, 'notifier.config')]).toEqual([]);
  });

  test("vmagent scrapes prometheus.yml's jobs (Prometheus itself by service name) into VictoriaMetrics", () => {
    const vmagent = rendered().services.vmagent;
    expect(flag(vmagent, 'remoteWrite.url')).toEqual(['http://victoriametrics:8428/api/v1/write']);
    expect(flag(vmagent, 'promscrape.config')).toEqual([
      mountOf(vmagent, 'provisioning/prometheus/vmagent.yml'),
    ]);
    const prom = scrapeFile('prometheus.yml');
    const agent = scrapeFile('vmagent.yml');
    const expected = prom.scrape_configs.map((j) =>
      j.job_name === 'prometheus' ? { ...j, static_configs: [{ targets: ['prometheus:9090'] }] } : j,
    );
    expect(agent.scrape_configs).toEqual(expected);
    expect(agent.global.scrape_interval).toBe(prom.global.scrape_interval);
  });

  test("Debian's vmagent 1.79 accepts vmagent.yml, and refuses prometheus.yml (rule_files, alerting)", () => {
    const dryRun = (name: string) =>
      spawnSync(
        which('vmagent')!,
        [
          `-promscrape.config=${path.join(ROOT, 'provisioning/prometheus', name)}`,
          '-promscrape.config.dryRun',
          '-loggerLevel=ERROR',
        ],
        { encoding: 'utf8' },
      );
    const ok = dryRun('vmagent.yml');
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const refused = dryRun('prometheus.yml');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('field rule_files not found');
  });

  test('VictoriaMetrics drops the replica label and deduplicates at the scrape interval', () => {
    const vm = rendered().services.victoriametrics;
    expect(flag(vm, 'dedup.minScrapeInterval')).toEqual([
      scrapeFile('prometheus.yml').global.scrape_interval,
    ]);
    const relabel = 'provisioning/victoriametrics/relabel.yml';
    expect(flag(vm, 'relabelConfig')).toEqual([mountOf(vm, relabel)]);
    expect(parse(readFileSync(path.join(ROOT, relabel), 'utf8'))).toEqual([
      { action: 'labeldrop', regex: 'replica' },
    ]);
  });
});
