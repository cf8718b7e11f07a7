/** Starting Prometheus, Alertmanager and node_exporter on loopback with the flags the stack needs. */
import { mkdirSync } from 'node:fs';
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
  const storage = path.join(o.dataDir, 'prometheus');
  mkdirSync(storage, { recursive: true });
  const proc = new ManagedProcess(
    'prometheus',
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
    path.join(o.logDir, 'prometheus.log'),
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
