/**
 * The whole Perfwatch loop on one machine without Docker: Debian's Prometheus, Alertmanager and
 * node_exporter, an in-process SMTP catcher and Slack/on-call sink, the Perfwatch service, the demo
 * shop and its load — the topology of docker-compose.yml on loopback.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { localAlertmanagerConfig } from './alertmanager-config';
import { findBinaries } from './binaries';
import { startAlertmanager, startNodeExporter, startPrometheus } from './daemons';
import { prometheusConfig, type PrometheusConfigInput } from './prometheus-config';
import { freePort, ManagedProcess, portInUse, waitForHttp } from './processes';
import { Sinks } from './sinks';

export interface Ports {
  prometheus: number;
  alertmanager: number;
  nodeExporter: number;
  exporter: number;
  demo: number;
  sinks: number;
  smtp: number;
}

/** Ports `npm run stack` uses: the usual ones of each tool (Mailpit's for the mail sink). */
export const DEFAULT_PORTS: Ports = {
  prometheus: 9090,
  alertmanager: 9093,
  nodeExporter: 9100,
  exporter: 9470,
  demo: 8080,
  sinks: 8025,
  smtp: 1025,
};

export interface StackOptions {
  /** Repository root (found from this file by default). */
  root?: string;
  /** Logs, data and generated configs; `<root>/.tmp/stack` by default. */
  runDir?: string;
  /** Fixed ports (default), or "ephemeral" for tests. */
  ports?: Partial<Ports> | 'ephemeral';
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Prometheus --rules.alert.resend-delay. */
  resendDelay?: string;
  /** Alertmanager grouping waits override (tests); the generated values otherwise. */
  groupWait?: string;
  groupInterval?: string;
  /** Load: requests per second (0 = no load), initial phase, phase schedule. */
  rps?: number;
  phase?: string;
  schedule?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** PostgreSQL schema and BullMQ prefix of the demo shop (tests use private ones). */
  demoSchema?: string;
  queuePrefix?: string;
  /** perfwatch.yml for the service and the demo (SLA targets, buckets, slow-query settings). */
  perfwatchConfig?: string;
  /** The generated Alertmanager config to point at the local stand-ins. */
  alertmanagerConfig?: string;
  /** Directory of the generated Prometheus rules (every *.yml in it is loaded). */
  rulesDir?: string;
  /** Prometheus as one replica of an HA pair shipping to long-term storage (docs/scaling.md). */
  ha?: Pick<PrometheusConfigInput, 'externalLabels' | 'remoteWrite' | 'alertDropLabels'>;
  /**
   * Also serve examples/laravel-app (Debian's PHP and Laravel, see scripts/install-system-deps.sh)
   * with its scheduler and queue worker, reporting through clients/laravel; on this port (8081 by
   * default, a free one with ephemeral ports).
   */
  laravel?: boolean;
  laravelPort?: number;
  /** PostgreSQL schema and Redis key prefix of the Laravel example (tests use private ones). */
  laravelSchema?: string;
  laravelPrefix?: string;
  log?: (line: string) => void;
}

export interface RunningStack {
  urls: {
    prometheus: string;
    alertmanager: string;
    nodeExporter: string;
    exporter: string;
    demo: string;
    sinks: string;
    smtp: string;
    /** The Laravel example app, when started. */
    laravel?: string;
  };
  tokens: { write: string; alertmanager: string; ingest: string; admin: string };
  sinks: Sinks;
  runDir: string;
  processes: Record<string, ManagedProcess>;
  /** What Prometheus was configured from: another replica or vmagent can scrape the same. */
  scrape: PrometheusConfigInput;
  /** Switches the demo shop's phase (see examples/demo-app/src/phases.ts). */
  setPhase(phase: string): Promise<void>;
  stop(): Promise<void>;
}

export function repoRoot(): string {
  // src/ or dist/ of the stack workspace, one level under the repository root.
  return path.resolve(__dirname, '..', '..');
}

const token = () => randomBytes(24).toString('hex');

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function resolvePorts(p: StackOptions['ports']): Promise<Ports> {
  if (p === 'ephemeral') {
    const entries = await Promise.all(
      Object.keys(DEFAULT_PORTS).map(async (k) => [k, await freePort()] as const),
    );
    return Object.fromEntries(entries) as unknown as Ports;
  }
  const ports = { ...DEFAULT_PORTS, ...p };
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) if (await portInUse(port)) busy.push(`${name} (${port})`);
  if (busy.length)
    throw new Error(
      `ports already in use: ${busy.join(', ')}. Stop what uses them, or run: npm run stack -- --ephemeral-ports`,
    );
  return ports;
}

/**
 * examples/laravel-app on PostgreSQL (schema perfwatch_laravel) and Redis: `php -S`, `schedule:work`
 * (which also sends the client's heartbeat every minute) and `queue:work`, all reporting to the service.
 */
async function startLaravel(a: {
  root: string;
  runDir: string;
  logDir: string;
  databaseUrl: string;
  redisUrl: string;
  port: number;
  processes: Record<string, ManagedProcess>;
  urls: RunningStack['urls'];
  tokens: RunningStack['tokens'];
  schema: string;
  prefix: string;
}): Promise<void> {
  const appDir = path.join(a.root, 'examples', 'laravel-app');
  const storage = path.join(a.runDir, 'laravel-storage');
  for (const d of ['app', 'logs', 'framework/views', 'framework/cache'])
    mkdirSync(path.join(storage, d), { recursive: true });
  const db = new URL(a.databaseUrl);
  const redis = new URL(a.redisUrl);
  const env = {
    ...process.env,
    DB_CONNECTION: 'pgsql',
    DB_HOST: db.hostname,
    DB_PORT: db.port || '5432',
    DB_DATABASE: db.pathname.slice(1),
    DB_USERNAME: decodeURIComponent(db.username) || 'postgres',
    DB_PASSWORD: decodeURIComponent(db.password),
    DB_SCHEMA: a.schema,
    REDIS_HOST: redis.hostname,
    REDIS_PORT: redis.port || '6379',
    REDIS_PREFIX: a.prefix,
    APP_STORAGE_PATH: storage,
    APP_SERVICES_CACHE: path.join(storage, 'services.php'),
    APP_PACKAGES_CACHE: path.join(storage, 'packages.php'),
    PERFWATCH_URL: a.urls.exporter,
    PERFWATCH_TOKEN: a.tokens.ingest,
    PERFWATCH_APP: 'laravel-example',
  };
  const setup = spawnSync('php', ['artisan', 'app:setup'], {
    cwd: appDir,
    env: { ...env, PERFWATCH_ENABLED: 'false' },
    encoding: 'utf8',
  });
  if (setup.error || setup.status !== 0)
    throw new Error(
      `the Laravel example could not set up its tables (is PHP installed? bash scripts/install-system-deps.sh): ${
        setup.error?.message ?? `${setup.stderr}${setup.stdout}`.trim().slice(-500)
      }`,
    );
  const php = (name: string, args: string[]) =>
    new ManagedProcess(name, 'php', args, path.join(a.logDir, `${name}.log`), { cwd: appDir, env });
  a.processes.laravel = php('laravel', ['-S', `127.0.0.1:${a.port}`, '-t', 'public', 'public/index.php']);
  await waitForHttp(`${a.urls.laravel}/fast`, { proc: a.processes.laravel });
  a.processes['laravel-scheduler'] = php('laravel-scheduler', ['artisan', 'schedule:work']);
  a.processes['laravel-queue'] = php('laravel-queue', ['artisan', 'queue:work', '--sleep=1']);
}

export async function startStack(o: StackOptions = {}): Promise<RunningStack> {
  const root = o.root ?? repoRoot();
  const log = o.log ?? (() => undefined);
  const bins = findBinaries(['prometheus', 'alertmanager', 'nodeExporter']);
  const built = {
    cli: path.join(root, 'exporter', 'dist', 'cli.js'),
    demo: path.join(root, 'examples', 'demo-app', 'dist', 'main.js'),
    load: path.join(root, 'examples', 'demo-app', 'dist', 'load-cli.js'),
  };
  for (const f of Object.values(built))
    if (!existsSync(f)) throw new Error(`${path.relative(root, f)} is missing: run npm run build first`);

  const perfwatchConfig =
    o.perfwatchConfig ??
    [path.join(root, 'perfwatch.yml'), path.join(root, 'perfwatch.example.yml')].find((f) => existsSync(f))!;
  const amSource =
    o.alertmanagerConfig ?? path.join(root, 'provisioning', 'alertmanager', 'alertmanager.yml');
  if (!existsSync(amSource))
    throw new Error(
      `${path.relative(root, amSource)} is missing: it is generated from the SLA config (perfwatch rules generate)`,
    );
  const rulesDir = o.rulesDir ?? path.join(root, 'alert-rules');

  const databaseUrl = o.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = o.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await reachable(databaseUrl, 5432)))
    throw new Error(
      `PostgreSQL is not reachable at ${new URL(databaseUrl).host}: start it or set DATABASE_URL`,
    );
  if (!(await reachable(redisUrl, 6379)))
    throw new Error(`Redis is not reachable at ${new URL(redisUrl).host}: start it or set REDIS_URL`);

  const ports = await resolvePorts(o.ports);
  const runDir = path.resolve(o.runDir ?? path.join(root, '.tmp', 'stack'));
  const logDir = path.join(runDir, 'logs');
  const dataDir = path.join(runDir, 'data');
  const secretsDir = path.join(runDir, 'secrets');
  for (const d of [logDir, dataDir, secretsDir]) mkdirSync(d, { recursive: true, mode: 0o700 });

  const tokens = { write: token(), alertmanager: token(), ingest: token(), admin: token() };
  const host = '127.0.0.1';
  const urls: RunningStack['urls'] = {
    prometheus: `http://${host}:${ports.prometheus}`,
    alertmanager: `http://${host}:${ports.alertmanager}`,
    nodeExporter: `http://${host}:${ports.nodeExporter}`,
    exporter: `http://${host}:${ports.exporter}`,
    demo: `http://${host}:${ports.demo}`,
    sinks: `http://${host}:${ports.sinks}`,
    smtp: `${host}:${ports.smtp}`,
  };

  // One SQLite file shared by the service and the demo (WAL: one writer at a time, readers alongside).
  const storeUrl = `sqlite:${path.join(dataDir, 'perfwatch.db')}`;
  const processes: Record<string, ManagedProcess> = {};
  const sinks = new Sinks({ host, smtpPort: ports.smtp, httpPort: ports.sinks });
  let stopped = false;
  const scrape: PrometheusConfigInput = {
    scrapeInterval: o.scrapeInterval ?? '5s',
    evaluationInterval: o.evaluationInterval ?? o.scrapeInterval ?? '5s',
    ruleFiles: [path.join(rulesDir, '*.yml')],
    alertmanagers: [`${host}:${ports.alertmanager}`],
    targets: {
      exporter: `${host}:${ports.exporter}`,
      demo: `${host}:${ports.demo}`,
      node: `${host}:${ports.nodeExporter}`,
      prometheus: `${host}:${ports.prometheus}`,
      alertmanager: [`${host}:${ports.alertmanager}`],
    },
    ...o.ha,
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse order of start: load first, so nothing talks to a stopped service.
    for (const name of [
      'load',
      'prometheus',
      'laravel-scheduler',
      'laravel-queue',
      'laravel',
      'demo',
      'node-exporter',
      'exporter',
      'alertmanager',
    ]) {
      const p = processes[name];
      if (p) {
        log(`stopping ${name}`);
        await p.stop();
      }
    }
    await sinks.stop();
  };

  try {
    await sinks.start();
    log(`mail and webhook sink on ${urls.sinks} (SMTP ${urls.smtp})`);

    const amConfig = path.join(runDir, 'alertmanager.yml');
    writeFileSync(
      amConfig,
      localAlertmanagerConfig(readFileSync(amSource, 'utf8'), {
        smtp: urls.smtp,
        slackUrl: `${urls.sinks}/slack`,
        oncallUrl: `${urls.sinks}/oncall`,
        exporterUrl: urls.exporter,
        exporterToken: tokens.alertmanager,
        secretsDir,
        sourceDir: path.dirname(amSource),
        groupWait: o.groupWait,
        groupInterval: o.groupInterval,
      }),
    );
    const am = await startAlertmanager({
      bin: bins.alertmanager,
      name: 'alertmanager',
      configFile: amConfig,
      dataDir,
      logDir,
      webPort: ports.alertmanager,
      externalUrl: urls.alertmanager,
    });
    processes.alertmanager = am.proc;
    log(`alertmanager on ${urls.alertmanager}`);

    const baseEnv = { ...process.env, PERFWATCH_CONFIG: perfwatchConfig };
    processes.exporter = new ManagedProcess(
      'exporter',
      process.execPath,
      [built.cli, 'serve'],
      path.join(logDir, 'exporter.log'),
      {
        cwd: runDir,
        env: {
          ...baseEnv,
          PERFWATCH_PORT: String(ports.exporter),
          PERFWATCH_HOST: host,
          PERFWATCH_STORE_URL: storeUrl,
          // node_exporter runs beside it: serve no node_* twice.
          PERFWATCH_SYSTEM_METRICS: 'false',
          PERFWATCH_TOKEN_WRITE: tokens.write,
          PERFWATCH_TOKEN_ALERTMANAGER: tokens.alertmanager,
          PERFWATCH_TOKEN_INGEST: tokens.ingest,
          PERFWATCH_PROMETHEUS_URL: urls.prometheus,
          PERFWATCH_ALERTMANAGER_URL: urls.alertmanager,
        },
      },
    );
    await waitForHttp(`${urls.exporter}/readyz`, { proc: processes.exporter });
    log(`perfwatch service on ${urls.exporter}`);

    const ne = await startNodeExporter({ bin: bins.nodeExporter, logDir, port: ports.nodeExporter });
    processes['node-exporter'] = ne.proc;
    log(`node_exporter on ${urls.nodeExporter}`);

    processes.demo = new ManagedProcess(
      'demo',
      process.execPath,
      [built.demo],
      path.join(logDir, 'demo.log'),
      {
        env: {
          ...baseEnv,
          PORT: String(ports.demo),
          HOST: host,
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          DEMO_SCHEMA: o.demoSchema ?? 'perfwatch_demo',
          DEMO_QUEUE_PREFIX: o.queuePrefix ?? 'perfwatch-demo',
          UPLOAD_DIR: path.join(runDir, 'uploads'),
          DEMO_ADMIN_TOKEN: tokens.admin,
          DEMO_PHASE: o.phase ?? 'normal',
          PERFWATCH_STORE_URL: storeUrl,
        },
      },
    );
    await waitForHttp(`${urls.demo}/healthz`, { proc: processes.demo });
    log(`demo shop on ${urls.demo}`);

    if (o.laravel) {
      const port = o.laravelPort ?? (o.ports === 'ephemeral' ? await freePort() : 8081);
      urls.laravel = `http://${host}:${port}`;
      await startLaravel({
        root,
        runDir,
        logDir,
        databaseUrl,
        redisUrl,
        port,
        processes,
        urls,
        tokens,
        schema: o.laravelSchema ?? 'perfwatch_laravel',
        prefix: o.laravelPrefix ?? 'perfwatch_laravel_',
      });
      log(`laravel example on ${urls.laravel} (scheduler and queue worker beside it)`);
    }

    const promConfig = path.join(runDir, 'prometheus.yml');
    writeFileSync(promConfig, prometheusConfig(scrape));
    const prom = await startPrometheus({
      bin: bins.prometheus,
      configFile: promConfig,
      dataDir,
      logDir,
      webPort: ports.prometheus,
      externalUrl: urls.prometheus,
      resendDelay: o.resendDelay ?? '5s',
    });
    processes.prometheus = prom.proc;
    log(`prometheus on ${urls.prometheus}`);

    if ((o.rps ?? 10) > 0) {
      const args = [built.load, '--target', urls.demo, '--rps', String(o.rps ?? 10)];
      if (o.schedule) args.push('--schedule', o.schedule, '--loop');
      processes.load = new ManagedProcess('load', process.execPath, args, path.join(logDir, 'load.log'), {
        env: { ...process.env, DEMO_ADMIN_TOKEN: tokens.admin },
      });
      log(`load: ${o.rps ?? 10} requests/s${o.schedule ? `, schedule ${o.schedule}` : ''}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    urls,
    tokens,
    sinks,
    runDir,
    processes,
    scrape,
    async setPhase(phase) {
      const res = await fetch(`${urls.demo}/admin/phase`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
        body: JSON.stringify({ phase }),
      });
      if (!res.ok) throw new Error(`setting phase ${phase}: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}
