import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { PrometheusClient, PrometheusError } from '../upstream/prometheus';
import { resolveSlas } from '../sla/model';
import { PeriodError, resolvePeriod } from '../sla/period';
import { buildBurndown } from '../sla/burndown';
import { buildCoveredReport } from '../sla/report-coverage';
import { reportCsv, reportMarkdown } from '../sla/report-format';
import { reportHtml } from '../sla/report-html';
import { htmlToPdf, PdfUnavailableError } from '../sla/report-pdf';
import type { Command } from './command';
import { configPath } from './rules';

export const slaReportCommand: Command = {
  name: 'sla report',
  summary:
    'SLA compliance per endpoint from Prometheus (--period 30d|7d|2026-10|2026-Q4, --format md|csv|json|pdf --out FILE)',
  options: {
    config: { type: 'string', short: 'c' },
    period: { type: 'string', short: 'p', default: '30d' },
    format: { type: 'string', short: 'f', default: 'md' },
    prometheus: { type: 'string' },
    out: { type: 'string', short: 'o' },
    chromium: { type: 'string' },
  },
  async run({ values }) {
    const format = values.format as string;
    if (!['md', 'csv', 'json', 'pdf'].includes(format)) {
      console.error(`perfwatch: --format must be md, csv, json or pdf, not "${format}"`);
      return 2;
    }
    const out = values.out as string | undefined;
    // A PDF on a terminal is noise; ask where it goes.
    if (format === 'pdf' && !out) {
      console.error('perfwatch: --format pdf needs --out FILE.pdf');
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
      const report = await buildCoveredReport(slas, period, prometheus, {
        atRiskBudget: config.sla.report.atRiskBudget,
      });
      if (format === 'pdf') {
        const burndown = await buildBurndown(slas, period, prometheus);
        const chromium = (values.chromium as string | undefined) ?? config.sla.report.chromiumPath;
        writeFileSync(out!, await htmlToPdf(reportHtml(report, burndown), chromium));
        return 0;
      }
      const text =
        format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : format === 'csv'
            ? reportCsv(report)
            : `${reportMarkdown(report)}\n`;
      if (out) writeFileSync(out, text);
      else process.stdout.write(text);
      return 0;
    } catch (err) {
      if (err instanceof PrometheusError) {
        console.error(`perfwatch: cannot build the SLA report: ${err.message}`);
        return 1;
      }
      if (err instanceof PdfUnavailableError) {
        console.error(`perfwatch: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
