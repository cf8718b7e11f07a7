/** Silencing an incident's alerts in Alertmanager and expiring those silences again. */
import type { Router } from 'express';
import type { ServiceContext } from '../kit/module';
import { ApiError, parseOr400 } from '../kit/errors';
import { type AlertmanagerClient, AlertmanagerError } from '../upstream/alertmanager';
import { emptyBody, MAX_SILENCES_PER_REQUEST, silenceBody } from './api-requests';
import { actorOf, incidentIdOf, type RuntimeOf } from './route-helpers';
import type { SilenceResultBody, UnsilenceResultBody } from './api-responses';

function requireAlertmanager(alertmanager: AlertmanagerClient | undefined): AlertmanagerClient {
  if (!alertmanager)
    throw new ApiError(
      422,
      'alertmanager_not_configured',
      'silencing needs Alertmanager: set alertmanager.url in perfwatch.yml or PERFWATCH_ALERTMANAGER_URL',
    );
  return alertmanager;
}

/** "2 h" for whole hours, else minutes. */
function span(minutes: number): string {
  const hours = minutes / 60;
  return hours >= 1 && Number.isInteger(hours) ? `${hours} h` : `${minutes} min`;
}

export function silenceRoutes(router: Router, ctx: ServiceContext, runtime: RuntimeOf): void {
  router.post('/incidents/:id/silence', ctx.auth.require('write'), async (req, res) => {
    const { repository, alertmanager } = runtime();
    const id = incidentIdOf(req);
    const body = parseOr400(silenceBody, req.body, 'silence request');
    const am = requireAlertmanager(alertmanager);
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
    if (created.length > 0)
      await repository.recordSilence(
        id,
        {
          kind: 'silenced',
          message: `${created.length} alert${created.length === 1 ? '' : 's'} silenced in Alertmanager for ${span(body.durationMinutes)} by ${actor.name}${body.comment ? `: ${body.comment}` : ''}`,
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
    if (failure)
      throw new ApiError(502, 'alertmanager_error', failure.message, { created: created.map((c) => c.id) });
    res.json({
      incident: (await repository.summary(id, Date.now())) ?? null,
      silences: created,
      until: new Date(until).toISOString(),
    } satisfies SilenceResultBody);
  });

  router.post('/incidents/:id/unsilence', ctx.auth.require('write'), async (req, res) => {
    const { repository, alertmanager } = runtime();
    const id = incidentIdOf(req);
    parseOr400(emptyBody, req.body ?? {}, 'unsilence request');
    const am = requireAlertmanager(alertmanager);
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
}
