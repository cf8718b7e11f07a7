import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Principal } from '../server/auth';
import type { ServiceContext, ServiceModule } from '../server/context';
import { ApiError, parseOr400, validationError } from '../server/errors';
import { AlertmanagerClient, AlertmanagerError } from './alertmanager-client';
import {
  assignBody,
  bulkBody,
  createBody,
  emptyBody,
  idParam,
  listQuery,
  MAX_SILENCES_PER_REQUEST,
  noteBody,
  resolveBody,
  severityBody,
  silenceBody,
  statsQuery,
  statusBody,
} from './api-requests';
import type {
  BulkResultBody,
  DiagnosticsSnapshotBody,
  IncidentBody,
  IncidentDetailBody,
  IncidentListBody,
  IncidentStatsBody,
  SilenceResultBody,
  UnsilenceResultBody,
  WebhookResultBody,
} from './api-responses';
import { mapNotification, webhookPayloadSchema } from './alertmanager-payload';
import { DiagnosticsCollector } from './diagnostics';
import { DiagnosticsQueue, takeSnapshot } from './diagnostics-queue';
import { type Action, TransitionError } from './lifecycle';
import { type Actor, OPEN_STATUSES, type Severity, severityRank, type Status } from './model';
import { PrometheusQuery } from './prometheus-query';
import { IncidentRepository, NotFoundError, StaleChangeError } from './repository';
import { incidentStats } from './stats';
import { WATCHDOG_ALERT, WatchdogMonitor } from './watchdog';

const DAY = 86_400_000;
const PURGE_EVERY_MS = 60 * 60_000;
/** How often the dead man's switch looks for an overdue Watchdog. */
const WATCHDOG_CHECK_MS = 30_000;

/** Node hands header bytes over as latin1; Grafana sends UTF-8 logins, so decode them when valid. */
function headerText(raw: string): string {
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? raw : utf8;
}

/** Incidents from Alertmanager and people: the webhook receiver, the incident API and housekeeping. */
/** The incident's version as an entity tag: its updatedAt in epoch milliseconds (strictly increasing). */
function etagOf(incident: { updatedAt: string }): string {
  return `"${Date.parse(incident.updatedAt)}"`;
}

/** If-Match on a lifecycle change: the ETag the client last read; absent means "whatever is current". */
function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"(\d{1,16})"$/.exec(header.trim());
  if (!m)
    throw new ApiError(
      400,
      'invalid_if_match',
      'If-Match must be one ETag as GET /api/v1/incidents/{id} returns it, e.g. "1765000000000"',
    );
  return Number(m[1]);
}

export function incidentsModule(): ServiceModule {
  let repository: IncidentRepository;
  let diagnostics: DiagnosticsQueue | undefined;
  let collector: DiagnosticsCollector;
  let alertmanager: AlertmanagerClient | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let watchdog: WatchdogMonitor;
  let watchdogTimer: NodeJS.Timeout | undefined;

  const actorOf = (ctx: ServiceContext, req: Request, res: Response): Actor => {
    const principal = res.locals.principal as Principal;
    const raw = req.get(ctx.config.incidents.userHeader);
    const name = raw === undefined ? '' : headerText(raw).trim().slice(0, 200);
    return { name: name || principal.name, tokenName: principal.name };
  };

  const incidentId = (req: Request) => parseOr400(idParam, req.params.id, 'incident id');

  /** Maps the repository's and state machine's refusals to API errors. */
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TransitionError) throw new ApiError(err.status, err.code, err.message);
      if (err instanceof NotFoundError) throw new ApiError(404, 'not_found', err.message);
      if (err instanceof StaleChangeError) throw new ApiError(409, 'stale_change', err.message);
      throw err;
    }
  };

  const purge = async (ctx: ServiceContext) => {
    try {
      const n = await repository.purge(Date.now() - ctx.config.incidents.retentionDays * DAY);
      if (n > 0) ctx.logger.info({ deleted: n }, 'incident retention purge');
    } catch (err) {
      ctx.logger.warn({ err }, 'incident retention purge failed');
    }
  };

  return {
    name: 'incidents',
    start(ctx) {
      const cfg = ctx.config.incidents;
      repository = new IncidentRepository(ctx.store);
      collector = new DiagnosticsCollector(cfg.diagnostics, {
        registry: ctx.registry,
        slowQueries: () => ctx.slowQueries,
        prometheus: ctx.config.prometheus.url
          ? new PrometheusQuery(ctx.config.prometheus.url, ctx.config.prometheus.timeoutMs)
          : undefined,
      });
      if (cfg.diagnostics.enabled)
        diagnostics = new DiagnosticsQueue(
          collector,
          repository,
          ctx.recorder,
          ctx.logger,
          cfg.diagnostics.queueSize,
        );
      if (ctx.config.alertmanager.url)
        alertmanager = new AlertmanagerClient(ctx.config.alertmanager.url, ctx.config.alertmanager.timeoutMs);
      void purge(ctx);
      purgeTimer = setInterval(() => void purge(ctx), PURGE_EVERY_MS);
      purgeTimer.unref();
      watchdog = new WatchdogMonitor(
        repository,
        cfg.watchdogTimeoutMinutes * 60_000,
        ctx.recorder.metrics.watchdogLastSeen,
        ctx.logger,
      );
      watchdogTimer = setInterval(
        () =>
          void watchdog.check(Date.now()).catch((err: unknown) => {
            ctx.logger.warn({ err }, 'dead man’s switch check failed');
          }),
        WATCHDOG_CHECK_MS,
      );
      watchdogTimer.unref();
    },
    async stop() {
      clearInterval(purgeTimer);
      clearInterval(watchdogTimer);
      await diagnostics?.stop();
    },
    routes(router: Router, ctx) {
      const cfg = ctx.config.incidents;

      router.post('/alertmanager/webhook', ctx.auth.require('alertmanager'), async (req, res) => {
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
        let results;
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
            diagnostics.enqueue(
              r.incidentId,
              r.diagnose === 'escalated' ? 'escalated to critical' : r.diagnose,
            );
        }
        res.json({
          status: 'ok',
          incidents: results
            // 'ignored' comes only with a null incidentId; the second test tells the compiler so.
            .filter(
              (r): r is typeof r & { incidentId: number; action: Exclude<typeof r.action, 'ignored'> } =>
                r.incidentId !== null && r.action !== 'ignored',
            )
            .map((r) => ({ id: r.incidentId, action: r.action, severity: r.severity })),
          ignoredGroups: results.filter((r) => r.incidentId === null).length,
          events: results.reduce((a, r) => a + r.events, 0),
        } satisfies WebhookResultBody);
      });

      router.get('/incidents', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(listQuery, req.query, 'incident filter');
        const status = p.status?.flatMap((s) => (s === 'open' ? [...OPEN_STATUSES] : [s]));
        const { total, items } = await repository.list(
          {
            status: status as Status[] | undefined,
            severity: p.severity,
            source: p.source,
            labels: p.label,
            from: p.from,
            to: p.to,
            text: p.q,
            assignee: p.assignee,
            acknowledged: p.acknowledged === undefined ? undefined : p.acknowledged === 'true',
            alertsState: p.alertsState,
          },
          p.sort,
          p.order,
          p.limit,
          p.offset,
          Date.now(),
        );
        res.json({
          total,
          limit: p.limit,
          offset: p.offset,
          sort: p.sort,
          order: p.order,
          items,
        } satisfies IncidentListBody);
      });

      router.get('/incidents/stats', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(statsQuery, req.query, 'stats period');
        const to = p.to ?? Date.now();
        const from = p.from ?? to - 30 * DAY;
        const { rows, truncated } = await repository.statsRows(from, to);
        res.json({
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          ...incidentStats(rows),
          truncated,
        } satisfies IncidentStatsBody);
      });

      router.post('/incidents', ctx.auth.require('write'), async (req, res) => {
        const body = parseOr400(createBody, req.body, 'incident');
        const incident = await repository.create(
          {
            title: body.title,
            description: body.description || null,
            severity: body.severity,
            status: body.status,
            labels: body.labels,
            assignee: body.assignee ?? null,
          },
          actorOf(ctx, req, res),
          Date.now(),
        );
        if (diagnostics && severityRank(body.severity) >= severityRank(cfg.diagnostics.onOpenMinSeverity))
          diagnostics.enqueue(incident.id, 'opened');
        res
          .status(201)
          .location(`/api/v1/incidents/${incident.id}`)
          .json(incident satisfies IncidentBody);
      });

      const bulk = (action: (note?: string) => Action) => async (req: Request, res: Response) => {
        const body = parseOr400(bulkBody, req.body, 'bulk request');
        const actor = actorOf(ctx, req, res);
        const results: BulkResultBody['results'] = [];
        for (const id of body.ids) {
          try {
            const incident = await run(() => repository.act(id, action(body.note), actor, Date.now()));
            results.push({ id, ok: true, incident });
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            results.push({
              id,
              ok: false,
              error: { status: err.status, code: err.code, message: err.message },
            });
          }
        }
        const succeeded = results.filter((r) => r.ok).length;
        res.json({ succeeded, failed: results.length - succeeded, results } satisfies BulkResultBody);
      };
      router.post(
        '/incidents/bulk/acknowledge',
        ctx.auth.require('write'),
        bulk(() => ({ type: 'acknowledge' })),
      );
      router.post(
        '/incidents/bulk/resolve',
        ctx.auth.require('write'),
        bulk((note) => ({ type: 'resolve', note })),
      );

      router.get('/incidents/:id', ctx.auth.require('read'), async (req, res) => {
        const id = incidentId(req);
        const incident = await repository.get(id, Date.now());
        if (!incident) throw new ApiError(404, 'not_found', `no incident ${id}`);
        res.set('ETag', etagOf(incident)).json(incident satisfies IncidentDetailBody);
      });

      const action = <S extends z.ZodType>(path: string, schema: S, toAction: (body: z.infer<S>) => Action) =>
        router.post(`/incidents/:id/${path}`, ctx.auth.require('write'), async (req, res) => {
          const id = incidentId(req);
          const body = parseOr400(schema, req.body ?? {}, `${path} request`);
          const expected = ifMatchVersion(req.get('if-match'));
          const incident = await run(() =>
            repository.act(id, toAction(body), actorOf(ctx, req, res), Date.now(), expected),
          );
          res.set('ETag', etagOf(incident)).json(incident satisfies IncidentBody);
        });
      action('acknowledge', emptyBody, () => ({ type: 'acknowledge' }));
      action('unacknowledge', emptyBody, () => ({ type: 'unacknowledge' }));
      action('assign', assignBody, (b) => ({ type: 'assign', assignee: b.assignee }));
      action('status', statusBody, (b) => ({ type: 'status', to: b.status, note: b.note || undefined }));
      action('severity', severityBody, (b) => ({
        type: 'severity',
        to: b.severity as Severity,
        note: b.note || undefined,
      }));
      action('notes', noteBody, (b) => ({ type: 'note', text: b.text }));
      action('resolve', resolveBody, (b) => ({ type: 'resolve', note: b.note || undefined }));

      const requireAlertmanager = (): AlertmanagerClient => {
        if (!alertmanager)
          throw new ApiError(
            422,
            'alertmanager_not_configured',
            'silencing needs Alertmanager: set alertmanager.url in perfwatch.yml or PERFWATCH_ALERTMANAGER_URL',
          );
        return alertmanager;
      };

      router.post('/incidents/:id/silence', ctx.auth.require('write'), async (req, res) => {
        const id = incidentId(req);
        const body = parseOr400(silenceBody, req.body, 'silence request');
        const am = requireAlertmanager();
        const incident = await repository.get(id, Date.now(), 0);
        if (!incident) throw new ApiError(404, 'not_found', `no incident ${id}`);
        let alerts = incident.alerts.filter((a) => a.status === 'firing');
        if (body.fingerprints) {
          const unknown = body.fingerprints.filter((f) => !alerts.some((a) => a.fingerprint === f));
          if (unknown.length > 0)
            throw new ApiError(
              422,
              'unknown_alert',
              `incident ${id} has no firing alert with fingerprint ${unknown.join(', ')}`,
            );
          alerts = alerts.filter((a) => body.fingerprints!.includes(a.fingerprint));
        }
        if (alerts.length === 0)
          throw new ApiError(422, 'nothing_to_silence', `incident ${id} has no firing alerts to silence`);
        if (alerts.length > MAX_SILENCES_PER_REQUEST)
          throw new ApiError(
            422,
            'too_many_alerts',
            `incident ${id} has ${alerts.length} firing alerts; silence at most ${MAX_SILENCES_PER_REQUEST} at once by listing fingerprints`,
          );
        const actor = actorOf(ctx, req, res);
        const now = Date.now();
        const until = now + body.durationMinutes * 60_000;
        const comment = `Perfwatch incident ${id}: ${body.comment || incident.title}`.slice(0, 1_000);
        const created: Array<{ id: string; fingerprint: string }> = [];
        let failure: AlertmanagerError | undefined;
        for (const a of alerts) {
          try {
            const silenceId = await am.createSilence({
              labels: a.labels,
              startsAt: new Date(now),
              endsAt: new Date(until),
              createdBy: actor.name,
              comment,
            });
            created.push({ id: silenceId, fingerprint: a.fingerprint });
          } catch (err) {
            if (!(err instanceof AlertmanagerError)) throw err;
            failure = err;
            break;
          }
        }
        if (created.length > 0) {
          const hours = body.durationMinutes / 60;
          const span = hours >= 1 && Number.isInteger(hours) ? `${hours} h` : `${body.durationMinutes} min`;
          await repository.recordSilence(
            id,
            {
              kind: 'silenced',
              message: `${created.length} alert${created.length === 1 ? '' : 's'} silenced in Alertmanager for ${span} by ${actor.name}${body.comment ? `: ${body.comment}` : ''}`,
              data: {
                silenceIds: created.map((c) => c.id),
                fingerprints: created.map((c) => c.fingerprint),
                until: new Date(until).toISOString(),
                comment: body.comment ?? null,
              },
            },
            until,
            actor,
            Date.now(),
          );
        }
        if (failure)
          throw new ApiError(502, 'alertmanager_error', failure.message, {
            created: created.map((c) => c.id),
          });
        res.json({
          incident: (await repository.summary(id, Date.now())) ?? null,
          silences: created,
          until: new Date(until).toISOString(),
        } satisfies SilenceResultBody);
      });

      router.post('/incidents/:id/unsilence', ctx.auth.require('write'), async (req, res) => {
        const id = incidentId(req);
        parseOr400(emptyBody, req.body ?? {}, 'unsilence request');
        const am = requireAlertmanager();
        if (!(await repository.exists(id))) throw new ApiError(404, 'not_found', `no incident ${id}`);
        const ids = await repository.activeSilenceIds(id);
        if (ids.length === 0)
          throw new ApiError(
            409,
            'invalid_transition',
            `incident ${id} has no silences created through Perfwatch`,
          );
        const actor = actorOf(ctx, req, res);
        for (const s of ids) {
          try {
            await am.expireSilence(s);
          } catch (err) {
            if (err instanceof AlertmanagerError) throw new ApiError(502, 'alertmanager_error', err.message);
            throw err;
          }
        }
        await repository.recordSilence(
          id,
          {
            kind: 'unsilenced',
            message: `${ids.length} silence${ids.length === 1 ? '' : 's'} expired in Alertmanager by ${actor.name}`,
            data: { silenceIds: ids },
          },
          null,
          actor,
          Date.now(),
        );
        res.json({ expired: ids } satisfies UnsilenceResultBody);
      });

      router.post('/incidents/:id/diagnostics', ctx.auth.require('write'), async (req, res) => {
        const id = incidentId(req);
        parseOr400(emptyBody, req.body ?? {}, 'diagnostics request');
        const actor = actorOf(ctx, req, res);
        const snapshot = await run(() =>
          takeSnapshot(collector, repository, id, `requested by ${actor.name}`, actor.name, actor.tokenName),
        );
        res.status(201).json(snapshot satisfies DiagnosticsSnapshotBody);
      });
    },
  };
}
