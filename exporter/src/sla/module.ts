import { PrometheusClient, PrometheusError } from '../upstream/prometheus';
import type { ServiceModule } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import { slaReportQuery, type SlaReportBody } from './api-schemas';
import { type ResolvedSla, resolveSlas } from './model';
import { PeriodError, resolvePeriod } from './period';
import { buildReport } from './report';

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

/** GET /api/v1/sla/report: SLA compliance per configured endpoint, computed by Prometheus. */
export function slaModule(): ServiceModule {
  let slas: ResolvedSla[] = [];
  let prometheus: PrometheusClient | undefined;
  return {
    name: 'sla',
    start(ctx) {
      // Throws a ConfigError naming every SLA problem, so a bad SLA section stops the service at start.
      slas = resolveSlas(ctx.config.sla, ctx.config.metrics.httpBuckets);
      const { url } = ctx.config.prometheus;
      if (url) prometheus = new PrometheusClient({ ...ctx.config.prometheus, url });
    },
    routes(router, ctx) {
      router.get('/sla/report', ctx.auth.require('read'), async (req, res) => {
        const { period: label } = parseOr400(slaReportQuery, req.query, 'query');
        let period;
        try {
          period = resolvePeriod(label);
        } catch (err) {
          if (err instanceof PeriodError) throw new ApiError(400, 'invalid_request', err.message);
          throw err;
        }
        try {
          const report: SlaReportBody = await buildReport(slas, period, prometheus ?? notConfigured(), {
            atRiskBudget: ctx.config.sla.report.atRiskBudget,
          });
          res.json(report);
        } catch (err) {
          if (err instanceof PrometheusError) {
            ctx.logger.warn({ err: err.message }, 'SLA report: Prometheus query failed');
            throw prometheusApiError(err);
          }
          throw err;
        }
      });
    },
  };
}
