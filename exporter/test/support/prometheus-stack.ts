import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort, start, waitForHttp } from '../../library/test/support/processes';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
export const AMTOOL = '/usr/bin/amtool';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Alertmanager on loopback with clustering off (a single node has no peers to gossip with). */
export async function startAlertmanager(configFile: string, dataDir: string): Promise<string> {
  const port = await freePort();
  mkdirSync(dataDir, { recursive: true });
  const child = start(ALERTMANAGER, [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/-/ready`).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  return url;
}

export interface PrometheusOptions {
  dir: string;
  ruleFiles: string[];
  targets: Array<{ job: string; target: string; metricsPath?: string }>;
  scrapeInterval: string;
  evaluationInterval: string;
  alertmanager?: string;
  /** Seconds between re-sends of firing alerts to Alertmanager (default 1m; tests use 1s). */
  resendDelay?: string;
  /** How long Prometheus keeps blocks (default 15d); tests with backfilled history need more. */
  retention?: string;
}

export async function startPrometheus(o: PrometheusOptions): Promise<string> {
  const port = await freePort();
  const config = {
    global: { scrape_interval: o.scrapeInterval, evaluation_interval: o.evaluationInterval },
    rule_files: o.ruleFiles,
    ...(o.alertmanager
      ? {
          alerting: {
            alertmanagers: [{ static_configs: [{ targets: [new URL(o.alertmanager).host] }] }],
          },
        }
      : {}),
    scrape_configs: o.targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath ?? '/metrics',
      static_configs: [{ targets: [t.target] }],
    })),
  };
  const configFile = path.join(o.dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const child = start(PROMETHEUS, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(o.dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--rules.alert.resend-delay=${o.resendDelay ?? '1m'}`,
    ...(o.retention ? [`--storage.tsdb.retention.time=${o.retention}`] : []),
    '--log.level=warn',
  ]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/-/ready`, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  return url;
}

export async function promQuery(url: string, expr: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await res.json()) as { status: string; data: { result: PromSample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
  return body.data.result;
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`,
  );
}
