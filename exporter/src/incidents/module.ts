import type { Router } from 'express';
import type { ServiceContext, ServiceModule } from '../kit/module';
import { AlertmanagerClient } from '../upstream/alertmanager';
import { PrometheusClient } from '../upstream/prometheus';
import { DiagnosticsCollector } from './diagnostics';
import { DiagnosticsQueue } from './diagnostics-queue';
import { incidentRoutes } from './incident-routes';
import { IncidentRepository } from './repository';
import type { IncidentsRuntime } from './route-helpers';
import { silenceRoutes } from './silence-routes';
import { WatchdogMonitor } from './watchdog';
import { webhookRoutes } from './webhook-routes';

const DAY = 86_400_000;
const PURGE_EVERY_MS = 60 * 60_000;
/** How often the dead man's switch looks for an overdue Watchdog. */
const WATCHDOG_CHECK_MS = 30_000;

async function purge(repository: IncidentRepository, ctx: ServiceContext): Promise<void> {
  try {
    const n = await repository.purge(Date.now() - ctx.config.incidents.retentionDays * DAY);
    if (n > 0) ctx.logger.info({ deleted: n }, 'incident retention purge');
  } catch (err) {
    ctx.logger.warn({ err }, 'incident retention purge failed');
  }
}

function buildRuntime(ctx: ServiceContext): IncidentsRuntime {
  const cfg = ctx.config.incidents;
  const repository = new IncidentRepository(ctx.store);
  const collector = new DiagnosticsCollector(cfg.diagnostics, {
    registry: ctx.registry,
    slowQueries: () => ctx.need('slowQueries'),
    prometheus: ctx.config.prometheus.url
      ? new PrometheusClient({ ...ctx.config.prometheus, url: ctx.config.prometheus.url })
      : undefined,
  });
  return {
    repository,
    collector,
    diagnostics: cfg.diagnostics.enabled
      ? new DiagnosticsQueue(collector, repository, ctx.recorder, ctx.logger, cfg.diagnostics.queueSize)
      : undefined,
    alertmanager: ctx.config.alertmanager.url
      ? new AlertmanagerClient({ ...ctx.config.alertmanager, url: ctx.config.alertmanager.url })
      : undefined,
    watchdog: new WatchdogMonitor(
      repository,
      cfg.watchdogTimeoutMinutes * 60_000,
      ctx.recorder.metrics.watchdogLastSeen,
      ctx.logger,
    ),
  };
}

/** Incidents from Alertmanager and people: the webhook receiver, the incident API and housekeeping. */
export function incidentsModule(): ServiceModule {
  let runtime: IncidentsRuntime | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let watchdogTimer: NodeJS.Timeout | undefined;

  const started = (): IncidentsRuntime => {
    if (!runtime) throw new Error('the incidents module was asked to serve before start()');
    return runtime;
  };

  return {
    name: 'incidents',
    needs: ['slowQueries'],
    start(ctx) {
      const rt = (runtime = buildRuntime(ctx));
      void purge(rt.repository, ctx);
      purgeTimer = setInterval(() => void purge(rt.repository, ctx), PURGE_EVERY_MS);
      purgeTimer.unref();
      watchdogTimer = setInterval(
        () =>
          void rt.watchdog.check(Date.now()).catch((err: unknown) => {
            ctx.logger.warn({ err }, 'dead man’s switch check failed');
          }),
        WATCHDOG_CHECK_MS,
      );
      watchdogTimer.unref();
    },
    async stop() {
      clearInterval(purgeTimer);
      clearInterval(watchdogTimer);
      await runtime?.diagnostics?.stop();
    },
    routes(router: Router, ctx) {
      webhookRoutes(router, ctx, started);
      incidentRoutes(router, ctx, started);
      silenceRoutes(router, ctx, started);
    },
  };
}
