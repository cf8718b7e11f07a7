/** The incident API: list, stats, create, read, people's lifecycle actions (one and bulk), diagnostics. */
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { ServiceContext } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import { takeSnapshot } from './diagnostics-queue';
import type { Action } from './lifecycle';
import { OPEN_STATUSES, type Severity, severityRank, type Status } from './model';
import {
  assignBody,
  bulkBody,
  createBody,
  emptyBody,
  listQuery,
  noteBody,
  resolveBody,
  severityBody,
  statsQuery,
  statusBody,
} from './api-requests';
import {
  actorOf,
  etagOf,
  ifMatchVersion,
  incidentIdOf,
  refusalsAsApiErrors,
  type RuntimeOf,
} from './route-helpers';
import { incidentStats } from './stats';
import type {
  BulkResultBody,
  DiagnosticsSnapshotBody,
  IncidentBody,
  IncidentDetailBody,
  IncidentListBody,
  IncidentStatsBody,
} from './api-responses';

const DAY = 86_400_000;

export function incidentRoutes(router: Router, ctx: ServiceContext, runtime: RuntimeOf): void {
  const cfg = ctx.config.incidents;

  router.get('/incidents', ctx.auth.require('read'), async (req, res) => {
    const p = parseOr400(listQuery, req.query, 'incident filter');
    const status = p.status?.flatMap((s) => (s === 'open' ? [...OPEN_STATUSES] : [s]));
    const { total, items } = await runtime().repository.list(
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
    const { rows, truncated } = await runtime().repository.statsRows(from, to);
    res.json({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...incidentStats(rows),
      truncated,
    } satisfies IncidentStatsBody);
  });

  router.post('/incidents', ctx.auth.require('write'), async (req, res) => {
    const { repository, diagnostics } = runtime();
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
    const { repository } = runtime();
    const body = parseOr400(bulkBody, req.body, 'bulk request');
    const actor = actorOf(ctx, req, res);
    const results: BulkResultBody['results'] = [];
    for (const id of body.ids) {
      try {
        const incident = await refusalsAsApiErrors(() =>
          repository.act(id, action(body.note), actor, Date.now()),
        );
        results.push({ id, ok: true, incident });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        results.push({ id, ok: false, error: { status: err.status, code: err.code, message: err.message } });
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
    const id = incidentIdOf(req);
    const incident = await runtime().repository.get(id, Date.now());
    if (!incident) throw new ApiError(404, 'not_found', `no incident ${id}`);
    res.set('ETag', etagOf(incident)).json(incident satisfies IncidentDetailBody);
  });

  const action = <S extends z.ZodType>(path: string, schema: S, toAction: (body: z.infer<S>) => Action) =>
    router.post(`/incidents/:id/${path}`, ctx.auth.require('write'), async (req, res) => {
      const id = incidentIdOf(req);
      const body = parseOr400(schema, req.body ?? {}, `${path} request`);
      const expected = ifMatchVersion(req.get('if-match'));
      const incident = await refusalsAsApiErrors(() =>
        runtime().repository.act(id, toAction(body), actorOf(ctx, req, res), Date.now(), expected),
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

  router.post('/incidents/:id/diagnostics', ctx.auth.require('write'), async (req, res) => {
    const { repository, collector } = runtime();
    const id = incidentIdOf(req);
    parseOr400(emptyBody, req.body ?? {}, 'diagnostics request');
    const actor = actorOf(ctx, req, res);
    const snapshot = await refusalsAsApiErrors(() =>
      takeSnapshot(collector, repository, id, `requested by ${actor.name}`, actor.name, actor.tokenName),
    );
    res.status(201).json(snapshot satisfies DiagnosticsSnapshotBody);
  });
}
