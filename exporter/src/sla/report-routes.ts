/**
 * GET /api/v1/sla/history, /sla/burndown and /sla/report.pdf: the report over months, its budgets over
 * the period, and the printable file. The SLA module owns the SLAs and the Prometheus client; these
 * routes only ask for them.
 */
import type { Router } from 'express';
import type { PrometheusClient } from '../prometheus/client';
import { PrometheusError } from '../prometheus/client';
import type { ServiceContext } from '../server/context';
import { ApiError, parseOr400 } from '../server/errors';
import { buildBurndown } from './burndown';
import { periodCoverage } from './coverage';
import type { ResolvedSla } from './model';
import { PeriodError, type ReportPeriod, resolvePeriod } from './period';
import { buildCoveredReport } from './report-coverage';
import { burndownQuery, historyQuery, pdfQuery } from './report-history.schemas';
import { buildHistory } from './report-history';
import { reportHtml } from './report-html';
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

  const queue = new PdfQueue();
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
