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
}

export function prometheusConfig(i: PrometheusConfigInput): string {
  const job = (name: string, targets: string[], extra: Record<string, unknown> = {}) => ({
    job_name: name,
    ...extra,
    static_configs: [{ targets }],
  });
  const config = {
    global: {
      scrape_interval: i.scrapeInterval,
      evaluation_interval: i.evaluationInterval,
      // A scrape may not take longer than its interval.
      scrape_timeout: i.scrapeInterval,
    },
    rule_files: i.ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: i.alertmanagers }] }] },
    scrape_configs: [
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
    ],
  };
  return stringify(config, { lineWidth: 0 });
}
