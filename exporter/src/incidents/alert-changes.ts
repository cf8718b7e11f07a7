import type { IncomingAlert } from './alertmanager-payload';
import type { PlannedEvent } from './lifecycle';
import type { Severity } from './model';

/** The update and cap rules: how one notification's alerts change the alerts an incident holds. */

/** An alert the incident already holds. */
export interface KnownAlert {
  rowId: number;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  startsAt: number;
  /** Its alertname label, or its fingerprint without one. */
  alertname: string;
}

export type AlertWrite =
  | { type: 'insert'; alert: IncomingAlert }
  | { type: 'update'; rowId: number; alert: IncomingAlert }
  /** A repeat of a firing alert: only its freshness (last seen, end, annotations) changes. */
  | { type: 'refresh'; rowId: number; alert: IncomingAlert };

/** A timeline event; one with a dedup key is written at most once per incident. */
export interface SystemEvent {
  event: PlannedEvent;
  dedupKey: string | null;
}

export const alertnameOf = (a: IncomingAlert) => a.labels.alertname ?? a.fingerprint;
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A new alert instance: never seen, or started after the one held (it fired again). */
export function isNewInstance(a: IncomingAlert, known: ReadonlyMap<string, KnownAlert>): boolean {
  const k = known.get(a.fingerprint);
  return !k || a.startsAt > k.startsAt;
}

export const byFingerprint = (known: readonly KnownAlert[]) => new Map(known.map((k) => [k.fingerprint, k]));

export interface AlertChanges {
  writes: AlertWrite[];
  events: SystemEvent[];
  dropped: number;
  /** The incident's alerts once the writes are done, in row order (new ones last). */
  after: KnownAlert[];
}

/** Update and cap: what the notification's alerts change in the ones the incident holds. */
export function alertChanges(
  alerts: IncomingAlert[],
  known: readonly KnownAlert[],
  maxAlertsPerIncident: number,
): AlertChanges {
  const held = byFingerprint(known);
  const after = known.map((k) => ({ ...k }));
  const afterByRow = new Map(after.map((k) => [k.rowId, k]));
  const out: AlertChanges = { writes: [], events: [], dropped: 0, after };
  const stored = (a: IncomingAlert, rowId: number): KnownAlert => ({
    rowId,
    fingerprint: a.fingerprint,
    status: a.status,
    severity: a.severity,
    startsAt: a.startsAt,
    alertname: alertnameOf(a),
  });
  const record = (a: IncomingAlert, kind: 'alertFired' | 'alertResolved', message: string) =>
    out.events.push({
      event: {
        kind,
        message,
        data: {
          fingerprint: a.fingerprint,
          alertname: alertnameOf(a),
          severity: a.severity,
          labels: a.labels,
          startsAt: new Date(a.startsAt).toISOString(),
          endsAt: isoOrNull(a.endsAt),
        },
      },
      dedupKey: `${kind === 'alertFired' ? 'fired' : 'resolved'}:${a.fingerprint}:${a.startsAt}`,
    });

  for (const a of alerts) {
    const k = held.get(a.fingerprint);
    if (!k || a.startsAt > k.startsAt) {
      if (!k) {
        if (after.length >= maxAlertsPerIncident) {
          out.dropped++;
          continue;
        }
        out.writes.push({ type: 'insert', alert: a });
        after.push(stored(a, Number.NaN));
      } else {
        out.writes.push({ type: 'update', rowId: k.rowId, alert: a });
        Object.assign(afterByRow.get(k.rowId)!, stored(a, k.rowId));
      }
      const name = alertnameOf(a);
      if (a.status === 'firing') record(a, 'alertFired', `Alert ${name} fired (severity ${a.severity})`);
      else record(a, 'alertResolved', `Alert ${name} fired and resolved between notifications`);
    } else if (a.startsAt === k.startsAt && k.status === 'firing') {
      if (a.status === 'firing') {
        out.writes.push({ type: 'refresh', rowId: k.rowId, alert: a });
      } else {
        out.writes.push({ type: 'update', rowId: k.rowId, alert: a });
        Object.assign(afterByRow.get(k.rowId)!, stored(a, k.rowId));
        record(a, 'alertResolved', `Alert ${alertnameOf(a)} resolved`);
      }
    }
    // Otherwise the notification is older than what we hold (HA replica, late retry): ignored.
  }
  return out;
}
