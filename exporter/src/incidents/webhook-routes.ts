/** POST /alertmanager/webhook: Alertmanager's notifications open, update, reopen and resolve incidents. */
import type { Router } from 'express';
import type { ServiceContext } from '../kit/module';
import { ApiError, validationError } from '../kit/errors';
import { mapNotification, webhookPayloadSchema } from './alertmanager-payload';
import { severityRank } from './model';
import type { GroupResult } from './notification-writes';
import type { RuntimeOf } from './route-helpers';
import { WATCHDOG_ALERT } from './watchdog';
import type { WebhookResultBody } from './api-responses';

export function webhookRoutes(router: Router, ctx: ServiceContext, runtime: RuntimeOf): void {
  const cfg = ctx.config.incidents;

  router.post('/alertmanager/webhook', ctx.auth.require('alertmanager'), async (req, res) => {
    const { repository, diagnostics, watchdog } = runtime();
    const m = ctx.recorder.metrics;
    const parsed = webhookPayloadSchema.safeParse(req.body);
    if (!parsed.success) {
      m.alertmanagerNotifications.inc({ outcome: 'invalid' });
      throw validationError('Alertmanager notification', parsed.error);
    }
    const payload = parsed.data;
    if (payload.version !== '4') {
      m.alertmanagerNotifications.inc({ outcome: 'invalid' });
      throw new ApiError(
        422,
        'unsupported_version',
        `webhook payload version "${payload.version}" is not supported; Alertmanager 0.x sends version "4"`,
      );
    }
    // The dead man's switch, not a problem: it proves the pipeline works and opens no incident.
    if (payload.alerts.length > 0 && payload.alerts.every((a) => a.labels.alertname === WATCHDOG_ALERT)) {
      m.alertmanagerNotifications.inc({ outcome: 'processed' });
      if (payload.status === 'firing') await watchdog.seen(Date.now());
      res.json({ status: 'ok', incidents: [], ignoredGroups: 0, events: 0 } satisfies WebhookResultBody);
      return;
    }
    const mapped = mapNotification(payload, cfg);
    let results: GroupResult[];
    try {
      results = await repository.applyNotification(
        mapped.groups,
        {
          reopenWindowMs: cfg.reopenWindowMinutes * 60_000,
          onAlertsResolved: cfg.onAlertsResolved,
          maxAlertsPerIncident: cfg.maxAlertsPerIncident,
        },
        Date.now(),
      );
    } catch (err) {
      // Alertmanager retries a failed delivery, and nothing of it was stored (one transaction).
      m.alertmanagerNotifications.inc({ outcome: 'failed' });
      throw err;
    }
    m.alertmanagerNotifications.inc({ outcome: 'processed' });
    if (payload.truncatedAlerts > 0)
      ctx.recorder.drop('alertmanager_webhook', 'truncated_by_alertmanager', payload.truncatedAlerts);
    if (mapped.truncatedValues > 0)
      ctx.recorder.drop('alertmanager_webhook', 'annotation_truncated', mapped.truncatedValues);
    for (const r of results) {
      m.incidentChanges.inc({ action: r.action });
      if (r.droppedAlerts > 0) ctx.recorder.drop('incidents', 'max_alerts_per_incident', r.droppedAlerts);
      if (!diagnostics || r.incidentId === null || r.diagnose === null) continue;
      const severe =
        r.diagnose === 'escalated' ||
        severityRank(r.severity ?? 'low') >= severityRank(cfg.diagnostics.onOpenMinSeverity);
      if (severe)
        diagnostics.enqueue(r.incidentId, r.diagnose === 'escalated' ? 'escalated to critical' : r.diagnose);
    }
    res.json({
      status: 'ok',
      incidents: results.flatMap((r) =>
        // An ignored group (IGNORED in notification-writes.ts) names no incident.
        r.incidentId === null || r.action === 'ignored'
          ? []
          : [{ id: r.incidentId, action: r.action, severity: r.severity }],
      ),
      ignoredGroups: results.filter((r) => r.incidentId === null).length,
      events: results.reduce((a, r) => a + r.events, 0),
    } satisfies WebhookResultBody);
  });
}
