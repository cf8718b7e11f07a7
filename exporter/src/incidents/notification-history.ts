/**
 * The notification history on an incident's timeline (issue 18): one `notified` event per Alertmanager
 * notification whose state differs from the last one recorded. Alertmanager re-sends an unchanged
 * group every repeat_interval; a repeat only bumps the last event's `repeats` and `lastAt`, so the
 * timeline grows with changes, not with time.
 */
import type { Knex } from 'knex';
import type { IncomingGroup } from './alertmanager-payload';
import { insertEvent } from './incident-inserts';
import { n, type Num, parseJson } from './incident-rows';
import type { PlannedEvent } from './lifecycle';
import { ALERTMANAGER_AUTHOR, maxSeverity, type Severity } from './model';

/** What makes two notifications the same for the timeline. */
export interface NotificationState {
  receiver: string;
  status: 'firing' | 'resolved';
  /** Most severe firing alert; of all alerts when none fires. */
  severity: Severity;
  firing: number;
  resolved: number;
}

export function notificationState(g: IncomingGroup): NotificationState {
  const firing = g.alerts.filter((a) => a.status === 'firing');
  const counted = firing.length > 0 ? firing : g.alerts;
  return {
    receiver: g.receiver,
    status: firing.length > 0 ? 'firing' : 'resolved',
    severity: counted.map((a) => a.severity).reduce(maxSeverity, 'low'),
    firing: firing.length,
    resolved: g.alerts.length - firing.length,
  };
}

const sameState = (a: NotificationState, b: Partial<NotificationState>): boolean =>
  a.receiver === b.receiver &&
  a.status === b.status &&
  a.severity === b.severity &&
  a.firing === b.firing &&
  a.resolved === b.resolved;

export function notificationEvent(s: NotificationState): PlannedEvent {
  const to = s.receiver === '' ? '' : ` to ${s.receiver}`;
  const counts =
    s.status === 'firing'
      ? `${s.firing} firing${s.resolved > 0 ? `, ${s.resolved} resolved` : ''}`
      : `${s.resolved} resolved`;
  return {
    kind: 'notified',
    message: `Alertmanager notified${to}: ${s.status} (${s.severity}), ${counts}`,
    data: { ...s, repeats: 0, lastAt: null },
  };
}

type StoredState = Partial<NotificationState> & { repeats?: number };

/** Past this many receivers notifying one incident in turn, a repeat may be written again. */
const RECEIVERS_LOOKED_AT = 16;

interface EventRow {
  id: Num;
  data: string | null;
}

/** Records one notification of `g` on incident `id`; returns the events written (0 for a repeat). */
export async function recordNotification(
  trx: Knex.Transaction,
  incidentId: number,
  g: IncomingGroup,
  now: number,
): Promise<number> {
  const state = notificationState(g);
  // Each receiver is compared with its own last notification: two receivers sending the same group
  // would otherwise alternate and defeat the dedupe.
  const recent = (await trx('incident_events')
    .where({ incident_id: incidentId, kind: 'notified' })
    .orderBy('id', 'desc')
    .limit(RECEIVERS_LOOKED_AT)
    .select('id', 'data')) as EventRow[];
  const last = recent
    .map((r) => ({ id: n(r.id), data: parseJson<StoredState>(r.data, {}) }))
    .find((r) => r.data.receiver === state.receiver);
  if (last && sameState(state, last.data)) {
    const data = { ...last.data, repeats: (last.data.repeats ?? 0) + 1, lastAt: new Date(now).toISOString() };
    await trx('incident_events')
      .where({ id: last.id })
      .update({ data: JSON.stringify(data) });
    return 0;
  }
  return insertEvent(trx, incidentId, notificationEvent(state), ALERTMANAGER_AUTHOR, null, now);
}
