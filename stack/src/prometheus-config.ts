import { stringify } from 'yaml';

/**
 * The jobs Prometheus scrapes in every Perfwatch stack. docker-compose (provisioning/prometheus/
 * prometheus.yml) and the native stack use the same job names; a test keeps them in step.
 */
export const JOBS = {
  /** The Perfwatch service: its own API traffic, ingested events, slow-query bookkeeping. */
  exporter: 'perfwatch',
  /** The demo app, instrumented in-process. */
  demo: 'demo',
  /** Host metrics: node_exporter, or Perfwatch's /metrics/node. */
  node: 'node',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
} as const;

export interface PrometheusConfigInput {
  scrapeInterval: string;
  evaluationInterval: string;
  ruleFiles: string[];
  alertmanagers: string[];
  targets: { exporter: string; demo: string; node: string; prometheus: string; alertmanager: string[] };
  /** Path of node_* metrics on the node target (/metrics for node_exporter, /metrics/node for Perfwatch). */
  nodeMetricsPath?: string;
  /** Drop node_* from the exporter's /metrics (when its /metrics/node is scraped as job "node"). */
  dropNodeFromExporter?: boolean;
  /** Labels this server adds to what it sends out (remote_write, alerts): `replica` for an HA pair. */
  externalLabels?: Record<string, string>;
  /**
   * Where to ship samples (long-term storage). Only scraped series are sent: when the store has its own
   * rule evaluator (vmalert, Mimir's ruler), a second copy of every recording would only compete with it.
   */
  remoteWrite?: string[];
  /**
   * External labels Alertmanager must not see, so that the replicas of an HA pair send identical alerts
   * and Alertmanager merges them into one.
   */
  alertDropLabels?: string[];
}

function scrapeConfigs(i: PrometheusConfigInput) {
  const job = (name: string, targets: string[], extra: Record<string, unknown> = {}) => ({
    job_name: name,
    ...extra,
    static_configs: [{ targets }],
  });
  return [
    job(
      JOBS.exporter,
      [i.targets.exporter],
      i.dropNodeFromExporter
        ? { metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'node_.*', action: 'drop' }] }
        : {},
    ),
    job(JOBS.demo, [i.targets.demo]),
    job(JOBS.node, [i.targets.node], i.nodeMetricsPath ? { metrics_path: i.nodeMetricsPath } : {}),
    job(JOBS.prometheus, [i.targets.prometheus]),
    job(JOBS.alertmanager, i.targets.alertmanager),
  ];
}

export function prometheusConfig(i: PrometheusConfigInput): string {
  const config = {
    global: {
      scrape_interval: i.scrapeInterval,
      evaluation_interval: i.evaluationInterval,
      // A scrape may not take longer than its interval.
      scrape_timeout: i.scrapeInterval,
      ...(i.externalLabels ? { external_labels: i.externalLabels } : {}),
    },
    ...(i.remoteWrite?.length
      ? {
          remote_write: i.remoteWrite.map((url) => ({
            url,
            // Recording-rule names contain a colon; scraped ones never do (Prometheus naming rules).
            write_relabel_configs: [{ source_labels: ['__name__'], regex: '.+:.+', action: 'drop' }],
          })),
        }
      : {}),
    rule_files: i.ruleFiles,
    alerting: {
      ...(i.alertDropLabels?.length
        ? { alert_relabel_configs: [{ regex: i.alertDropLabels.join('|'), action: 'labeldrop' }] }
        : {}),
      alertmanagers: [{ static_configs: [{ targets: i.alertmanagers }] }],
    },
    scrape_configs: scrapeConfigs(i),
  };
  return stringify(config, { lineWidth: 0 });
}

/**
 * The same jobs for vmagent (`-promscrape.config`), the alternative collector: scrape settings only,
 * since vmagent neither evaluates rules nor talks to Alertmanager, and rejects what it does not know.
 */
export function vmagentScrapeConfig(i: PrometheusConfigInput): string {
  return stringify(
    {
      global: { scrape_interval: i.scrapeInterval, scrape_timeout: i.scrapeInterval },
      scrape_configs: scrapeConfigs(i),
    },
    { lineWidth: 0 },
  );
}
