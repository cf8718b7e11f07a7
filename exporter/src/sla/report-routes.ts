/**
 * GET /api/v1/sla/history, /sla/burndown and /sla/report.pdf: the report over months, its budgets over
 * the period, and the printable file. The SLA module owns the SLAs and the Prometheus client; these
 * routes only ask for them.
 */
import type { Router } from 'express';
import type { PrometheusClient } from '../upstream/prometheus';
import { PrometheusError } from '../upstream/prometheus';
import type { ServiceContext } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import { buildBurndown } from './burndown';
import { periodCoverage } from './coverage';
import type { ResolvedSla } from './model';
import { PeriodError, type ReportPeriod, resolvePeriod } from './period';
import { buildCoveredReport } from './report-coverage';
import { burndownQuery, historyQuery, mailQuery, pdfQuery } from './report-history.schemas';
import { buildHistory } from './report-history';
import { reportHtml } from './report-html';
import { mailReport } from './report-mail';
import { htmlToPdf, PdfBusyError, PdfQueue, PdfUnavailableError } from './report-pdf';

export interface ReportRouteDeps {
  slas: () => ResolvedSla[];
  /** Throws the API's "not configured" error when there is no Prometheus. */
  prometheus: () => PrometheusClient;
  prometheusError: (err: PrometheusError) => ApiError;
}

export function period400(label: string): ReportPeriod {
  try {
    return resolvePeriod(label);
  } catch (err) {
    if (err instanceof PeriodError) throw new ApiError(400, 'invalid_request', err.message);
    throw err;
  }
}

export function reportRoutes(router: Router, ctx: ServiceContext, deps: ReportRouteDeps): void {
  const queue = new PdfQueue();
  const asked = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof PrometheusError) {
        ctx.logger.warn({ err: err.message }, `SLA ${what}: Prometheus query failed`);
        throw deps.prometheusError(err);
      }
      throw err;
    }
  };
  const atRiskBudget = () => ctx.config.sla.report.atRiskBudget;

  router.get('/sla/history', ctx.auth.require('read'), async (req, res) => {
    const { months } = parseOr400(historyQuery, req.query, 'query');
    const prometheus = deps.prometheus();
    res.json(
      await asked('history', () =>
        buildHistory(deps.slas(), prometheus, { months, atRiskBudget: atRiskBudget() }),
      ),
    );
  });

  router.get('/sla/burndown', ctx.auth.require('read'), async (req, res) => {
    const q = parseOr400(burndownQuery, req.query, 'query');
    const period = period400(q.period);
    const slas = q.sla ? deps.slas().filter((s) => s.id === q.sla) : deps.slas();
    if (q.sla && slas.length === 0)
      throw new ApiError(404, 'not_found', `no SLA with id "${q.sla}" in the sla: section`);
    const prometheus = deps.prometheus();
    const [burndown, coverage] = await asked('burndown', () =>
      Promise.all([
        buildBurndown(slas, period, prometheus),
        periodCoverage(slas, prometheus, period.start, period.end),
      ]),
    );
    res.json({ ...burndown, coverage });
  });

  router.post('/sla/report/email', ctx.auth.require('write'), async (req, res) => {
    const { period: label } = parseOr400(mailQuery, req.query, 'query');
    const period = period400(label);
    const { report } = ctx.config.sla;
    if (!report.email || !ctx.config.sla.alerting.email)
      throw new ApiError(
        409,
        'email_not_configured',
        'mailing the SLA report needs sla.report.email (recipients) and sla.alerting.email (the SMTP settings Alertmanager uses)',
      );
    const prometheus = deps.prometheus();
    const to = report.email.to;
    const pdf = report.email.pdf ? { chromiumPath: report.chromiumPath } : null;
    try {
      const sent = await asked('report', () =>
        queue.run(() =>
          mailReport({
            slas: deps.slas(),
            period,
            prometheus,
            atRiskBudget: report.atRiskBudget,
            alerting: ctx.config.sla.alerting,
            to,
            pdf,
          }),
        ),
      );
      res.json({ period: label, ...sent });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof PdfUnavailableError) throw new ApiError(503, 'pdf_unavailable', err.message);
      if (err instanceof PdfBusyError) throw new ApiError(429, 'pdf_busy', err.message);
      ctx.logger.warn({ err: (err as Error).message }, 'SLA report e-mail failed');
      throw new ApiError(502, 'smtp_error', `cannot send the SLA report: ${(err as Error).message}`);
    }
  });

  router.get('/sla/report.pdf', ctx.auth.require('read'), async (req, res) => {
    const { period: label } = parseOr400(pdfQuery, req.query, 'query');
    const period = period400(label);
    const prometheus = deps.prometheus();
    const slas = deps.slas();
    const [report, burndown] = await asked('report', () =>
      Promise.all([
        buildCoveredReport(slas, period, prometheus, { atRiskBudget: atRiskBudget() }),
        buildBurndown(slas, period, prometheus),
      ]),
    );
    let pdf: Buffer;
    try {
      pdf = await queue.run(() =>
        htmlToPdf(reportHtml(report, burndown), ctx.config.sla.report.chromiumPath),
      );
    } catch (err) {
      if (err instanceof PdfUnavailableError) throw new ApiError(503, 'pdf_unavailable', err.message);
      if (err instanceof PdfBusyError) {
        ctx.recorder.metrics.dropped.inc({ component: 'sla_pdf', reason: 'busy' });
        res.setHeader('retry-after', '5');
        throw new ApiError(429, 'pdf_busy', err.message);
      }
      throw err;
    }
    res
      .type('application/pdf')
      .setHeader('content-disposition', `attachment; filename="sla-report-${label}.pdf"`)
      .send(pdf);
  });
}
