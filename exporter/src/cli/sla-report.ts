import { loadConfig } from '../config/load';
import { PrometheusClient, PrometheusError } from '../upstream/prometheus';
import { resolveSlas } from '../sla/model';
import { PeriodError, resolvePeriod } from '../sla/period';
import { buildReport } from '../sla/report';
import { reportCsv, reportMarkdown } from '../sla/report-format';
import type { Command } from './command';
import { configPath } from './rules';

export const slaReportCommand: Command = {
  name: 'sla report',
  summary:
    'SLA compliance per endpoint from Prometheus (--period 30d|7d|2026-10|2026-Q4, --format md|csv|json)',
  options: {
    config: { type: 'string', short: 'c' },
    period: { type: 'string', short: 'p', default: '30d' },
    format: { type: 'string', short: 'f', default: 'md' },
    prometheus: { type: 'string' },
  },
  async run({ values }) {
    const format = values.format as string;
    if (!['md', 'csv', 'json'].includes(format)) {
      console.error(`perfwatch: --format must be md, csv or json, not "${format}"`);
      return 2;
    }
    const config = loadConfig(configPath(values.config));
    const slas = resolveSlas(config.sla, config.metrics.httpBuckets);
    if (slas.length === 0) {
      console.error('perfwatch: no SLAs configured (sla.endpoints is empty)');
      return 2;
    }
    let period;
    try {
      period = resolvePeriod(values.period as string);
    } catch (err) {
      if (err instanceof PeriodError) {
        console.error(`perfwatch: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const url = (values.prometheus as string | undefined) ?? config.prometheus.url;
    if (!url) {
      console.error(
        'perfwatch: no Prometheus configured: pass --prometheus URL, set prometheus.url or PERFWATCH_PROMETHEUS_URL',
      );
      return 2;
    }
    const prometheus = new PrometheusClient({ ...config.prometheus, url });
    try {
      const report = await buildReport(slas, period, prometheus, {
        atRiskBudget: config.sla.report.atRiskBudget,
      });
      process.stdout.write(
        format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : format === 'csv'
            ? reportCsv(report)
            : `${reportMarkdown(report)}\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof PrometheusError) {
        console.error(`perfwatch: cannot build the SLA report: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
