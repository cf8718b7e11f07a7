/**
 * Starting Prometheus, Alertmanager and node_exporter — and, for the scale path, VictoriaMetrics,
 * vmalert and vmagent — on loopback with the flags the stack needs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManagedProcess, waitForHttp } from './processes';

export interface Daemon {
  proc: ManagedProcess;
  url: string;
}

export interface AlertmanagerOptions {
  bin: string;
  name: string;
  configFile: string;
  dataDir: string;
  logDir: string;
  webPort: number;
  /** Cluster port (gossip); omit to run without clustering. */
  clusterPort?: number;
  peers?: string[];
  /** How long a peer waits per position before notifying (HA de-duplication); 15 s by default. */
  peerTimeout?: string;
  gossipInterval?: string;
  /** The URL people open (links in notifications: `.ExternalURL`); the listen URL when omitted. */
  externalUrl?: string;
}

export async function startAlertmanager(o: AlertmanagerOptions): Promise<Daemon> {
  const storage = path.join(o.dataDir, o.name);
  mkdirSync(storage, { recursive: true });
  const args = [
    `--config.file=${o.configFile}`,
    `--storage.path=${storage}`,
    `--web.listen-address=127.0.0.1:${o.webPort}`,
    `--web.external-url=${o.externalUrl ?? `http://127.0.0.1:${o.webPort}`}`,
    `--log.level=info`,
  ];
  if (o.clusterPort !== undefined) {
    args.push(
      `--cluster.listen-address=127.0.0.1:${o.clusterPort}`,
      // Loopback is not a private address, so it must be advertised explicitly.
      `--cluster.advertise-address=127.0.0.1:${o.clusterPort}`,
      `--cluster.peer-timeout=${o.peerTimeout ?? '15s'}`,
      `--cluster.gossip-interval=${o.gossipInterval ?? '200ms'}`,
      '--cluster.pushpull-interval=2s',
      '--cluster.probe-interval=200ms',
      '--cluster.settle-timeout=5s',
      ...(o.peers ?? []).map((p) => `--cluster.peer=${p}`),
    );
  } else {
    args.push('--cluster.listen-address=');
  }
  const proc = new ManagedProcess(o.name, o.bin, args, path.join(o.logDir, `${o.name}.log`));
  const url = `http://127.0.0.1:${o.webPort}`;
  await waitForHttp(`${url}/-/ready`, { proc, timeoutMs: 30_000 });
  return { proc, url };
}

export interface PrometheusOptions {
  bin: string;
  /** Process, log and data directory name; `prometheus` by default (replicas need their own). */
  name?: string;
  configFile: string;
  dataDir: string;
  logDir: string;
  webPort: number;
  /** How soon an alert is re-sent to Alertmanager (and a new one first sent); 1 m by default. */
  resendDelay?: string;
  /** The URL people open (alerts' generatorURL); the listen URL when omitted. */
  externalUrl?: string;
}

export async function startPrometheus(o: PrometheusOptions): Promise<Daemon> {
  const name = o.name ?? 'prometheus';
  const storage = path.join(o.dataDir, name);
  mkdirSync(storage, { recursive: true });
  const proc = new ManagedProcess(
    name,
    o.bin,
    [
      `--config.file=${o.configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${o.webPort}`,
      `--web.external-url=${o.externalUrl ?? `http://127.0.0.1:${o.webPort}`}`,
      '--web.enable-lifecycle',
      `--rules.alert.resend-delay=${o.resendDelay ?? '1m'}`,
      '--storage.tsdb.retention.time=2d',
      '--log.level=info',
    ],
    path.join(o.logDir, `${name}.log`),
  );
  const url = `http://127.0.0.1:${o.webPort}`;
  await waitForHttp(`${url}/-/ready`, { proc, timeoutMs: 60_000 });
  return { proc, url };
}

export async function startNodeExporter(o: { bin: string; logDir: string; port: number }): Promise<Daemon> {
  const proc = new ManagedProcess(
    'node-exporter',
    o.bin,
    [`--web.listen-address=127.0.0.1:${o.port}`],
    path.join(o.logDir, 'node-exporter.log'),
  );
  const url = `http://127.0.0.1:${o.port}`;
  await waitForHttp(`${url}/metrics`, { proc, timeoutMs: 30_000 });
  return { proc, url };
}

export interface VictoriaMetricsOptions {
  bin: string;
  name: string;
  dataDir: string;
  logDir: string;
  port: number;
  /** One sample per series per interval is kept (HA pairs); the scrape interval. Off when omitted. */
  dedupInterval?: string;
  /** Labels removed at ingestion, so that the replicas of an HA pair write one series, not two. */
  dropLabels?: string[];
}

/** VictoriaMetrics single-node: remote_write target and Prometheus-compatible query API on one port. */
export async function startVictoriaMetrics(o: VictoriaMetricsOptions): Promise<Daemon> {
  const storage = path.join(o.dataDir, o.name);
  mkdirSync(storage, { recursive: true });
  const args = [
    `-storageDataPath=${storage}`,
    `-httpListenAddr=127.0.0.1:${o.port}`,
    '-retentionPeriod=1d',
    // Samples become queryable after 30 s by default (to hide half-written last points); tests and a
    // live stack want what was just written.
    '-search.latencyOffset=1s',
    '-search.disableCache',
    '-loggerLevel=WARN',
  ];
  if (o.dedupInterval) args.push(`-dedup.minScrapeInterval=${o.dedupInterval}`);
  if (o.dropLabels?.length) {
    const relabel = path.join(storage, 'relabel.yml');
    writeFileSync(relabel, `- action: labeldrop\n  regex: ${o.dropLabels.join('|')}\n`);
    args.push(`-relabelConfig=${relabel}`);
  }
  const proc = new ManagedProcess(o.name, o.bin, args, path.join(o.logDir, `${o.name}.log`));
  const url = `http://127.0.0.1:${o.port}`;
  await waitForHttp(`${url}/health`, { proc, timeoutMs: 30_000 });
  return { proc, url };
}

export interface VmalertOptions {
  bin: string;
  logDir: string;
  port: number;
  /** Rule files or globs (Prometheus rule-file format). */
  rules: string[];
  /** Where rules are evaluated, and where recording-rule results and alert state are written. */
  datasource: string;
  alertmanagers: string[];
  evaluationInterval: string;
  /** How soon a firing alert is re-sent to Alertmanager (Prometheus' --rules.alert.resend-delay). */
  resendDelay?: string;
}

/** vmalert: evaluates Prometheus rule files against VictoriaMetrics and notifies Alertmanager. */
export async function startVmalert(o: VmalertOptions): Promise<Daemon> {
  const url = `http://127.0.0.1:${o.port}`;
  const proc = new ManagedProcess(
    'vmalert',
    o.bin,
    [
      ...o.rules.map((r) => `-rule=${r}`),
      `-datasource.url=${o.datasource}`,
      `-remoteWrite.url=${o.datasource}`,
      `-remoteRead.url=${o.datasource}`,
      ...o.alertmanagers.map((a) => `-notifier.url=${a}`),
      `-evaluationInterval=${o.evaluationInterval}`,
      `-rule.resendDelay=${o.resendDelay ?? '1m'}`,
      `-remoteWrite.flushInterval=1s`,
      `-httpListenAddr=127.0.0.1:${o.port}`,
      `-external.url=${url}`,
      '-loggerLevel=WARN',
    ],
    path.join(o.logDir, 'vmalert.log'),
  );
  await waitForHttp(`${url}/health`, { proc, timeoutMs: 30_000 });
  return { proc, url };
}

export interface VmagentOptions {
  bin: string;
  dataDir: string;
  logDir: string;
  port: number;
  scrapeConfigFile: string;
  remoteWrite: string;
}

/** vmagent: scrapes like Prometheus (same scrape config) and ships everything with remote_write. */
export async function startVmagent(o: VmagentOptions): Promise<Daemon> {
  const buffer = path.join(o.dataDir, 'vmagent');
  mkdirSync(buffer, { recursive: true });
  const url = `http://127.0.0.1:${o.port}`;
  const proc = new ManagedProcess(
    'vmagent',
    o.bin,
    [
      `-promscrape.config=${o.scrapeConfigFile}`,
      `-remoteWrite.url=${o.remoteWrite}`,
      `-remoteWrite.tmpDataPath=${buffer}`,
      '-remoteWrite.flushInterval=1s',
      `-httpListenAddr=127.0.0.1:${o.port}`,
      '-loggerLevel=WARN',
    ],
    path.join(o.logDir, 'vmagent.log'),
  );
  await waitForHttp(`${url}/health`, { proc, timeoutMs: 30_000 });
  return { proc, url };
}
