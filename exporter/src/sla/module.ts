import { PrometheusClient, PrometheusError } from '../upstream/prometheus';
import type { ServiceModule } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import { slaReportQuery, type SlaReportBody } from './api-schemas';
import { type ResolvedSla, resolveSlas } from './model';
import { resolvePeriod } from './period';
import { buildCoveredReport } from './report-coverage';
import { mailReport } from './report-mail';
import { period400, reportRoutes } from './report-routes';
import { scheduleMonthly } from './report-schedule';

/** Turns a Prometheus failure into an API error a person can act on (never a hang: see the client). */
export function prometheusApiError(err: PrometheusError): ApiError {
  const hint = 'check prometheus.url in perfwatch.yml (PERFWATCH_PROMETHEUS_URL) and that Prometheus is up';
  if (err.kind === 'unreachable' || err.kind === 'timeout')
    return new ApiError(
      503,
      'prometheus_unavailable',
      `cannot build the SLA report: ${err.message}; ${hint}`,
    );
  return new ApiError(502, 'prometheus_error', `cannot build the SLA report: ${err.message}`);
}

function notConfigured(): never {
  throw new ApiError(
    503,
    'prometheus_not_configured',
    'cannot build the SLA report: no Prometheus is configured; set prometheus.url in perfwatch.yml or PERFWATCH_PROMETHEUS_URL',
  );
}

/**
 * GET /api/v1/sla/report: SLA compliance per configured endpoint, computed by Prometheus, and whether
 * Prometheus holds the whole period (coverage); history, burndown and the PDF in report-routes.
 */
export function slaModule(): ServiceModule {
  let slas: ResolvedSla[] = [];
  let prometheus: PrometheusClient | undefined;
  let stopMail: (() => void) | undefined;
  return {
    name: 'sla',
    start(ctx) {
      // Throws a ConfigError naming every SLA problem, so a bad SLA section stops the service at start.
      slas = resolveSlas(ctx.config.sla, ctx.config.metrics.httpBuckets);
      const { url } = ctx.config.prometheus;
      if (url) prometheus = new PrometheusClient({ ...ctx.config.prometheus, url });
      const { report, alerting } = ctx.config.sla;
      const mail = report.email;
      if (mail)
        stopMail = scheduleMonthly(mail, async (month) => {
          try {
            const sent = await mailReport({
              slas,
              period: resolvePeriod(month),
              prometheus: prometheus ?? notConfigured(),
              atRiskBudget: report.atRiskBudget,
              alerting,
              to: mail.to,
              pdf: mail.pdf ? { chromiumPath: report.chromiumPath } : null,
            });
            ctx.logger.info({ month, accepted: sent.accepted }, 'SLA report mailed');
          } catch (err) {
            ctx.recorder.metrics.dropped.inc({ component: 'sla_report_mail', reason: 'send_failed' });
            ctx.logger.error({ month, err: (err as Error).message }, 'SLA report e-mail failed');
            throw err;
          }
        });
    },
    stop() {
      stopMail?.();
    },
    routes(router, ctx) {
      router.get('/sla/report', ctx.auth.require('read'), async (req, res) => {
        const { period: label } = parseOr400(slaReportQuery, req.query, 'query');
        const period = period400(label);
        try {
          const report: SlaReportBody = await buildCoveredReport(
            slas,
            period,
            prometheus ?? notConfigured(),
            {
              atRiskBudget: ctx.config.sla.report.atRiskBudget,
            },
          );
          res.json(report);
        } catch (err) {
          if (err instanceof PrometheusError) {
            ctx.logger.warn({ err: err.message }, 'SLA report: Prometheus query failed');
            throw prometheusApiError(err);
          }
          throw err;
        }
      });
      reportRoutes(router, ctx, {
        slas: () => slas,
        prometheus: () => prometheus ?? notConfigured(),
        prometheusError: prometheusApiError,
      });
    },
  };
}
