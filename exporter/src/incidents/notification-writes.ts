/** Writes what the grouping rules decide for one alert group of a notification, inside its transaction. */
import type { Knex } from 'knex';
import type { IncomingGroup } from './alertmanager-payload';
import type { AlertWrite, KnownAlert } from './alert-changes';
import {
  decideOpen,
  type Diagnose,
  type NotificationAction,
  type NotificationOptions,
  planGroupUpdate,
} from './grouping';
import { insertEvent, insertIncident } from './incident-inserts';
import { recordNotification } from './notification-history';
import {
  type AlertRow,
  groupIncident,
  type IncidentRow,
  n,
  type Num,
  parseJson,
  patchColumns,
} from './incident-rows';
import { ALERTMANAGER_AUTHOR, type Labels, type Severity } from './model';

export interface GroupResult {
  incidentId: number | null;
  action: NotificationAction;
  /** Why a diagnostics snapshot is due, if one is. */
  diagnose: Diagnose;
  severity: Severity | null;
  events: number;
  /** Alerts over maxAlertsPerIncident that were not stored. */
  droppedAlerts: number;
}

const IGNORED: GroupResult = {
  incidentId: null,
  action: 'ignored',
  diagnose: null,
  severity: null,
  events: 0,
  droppedAlerts: 0,
};

/** Two 30-bit halves of the key hash: PostgreSQL's two-int advisory lock, no bigint parsing needed. */
function lockKeys(keyHash: string): [number, number] {
  return [Number.parseInt(keyHash.slice(0, 7), 16), Number.parseInt(keyHash.slice(7, 14), 16)];
}

/** Serialised per group on PostgreSQL by an advisory lock held until the transaction ends. */
export async function applyGroup(
  trx: Knex.Transaction,
  pg: boolean,
  g: IncomingGroup,
  options: NotificationOptions,
  now: number,
): Promise<GroupResult> {
  if (pg) await trx.raw('select pg_advisory_xact_lock(?, ?)', lockKeys(g.keyHash));
  const pointer = (await trx('incident_groups').where({ key_hash: g.keyHash }).first()) as
    { incident_id: Num } | undefined;
  let incident = pointer ? await incidentRow(trx, n(pointer.incident_id)) : undefined;
  let known = incident ? await knownAlerts(trx, n(incident.id)) : [];
  const decision = decideOpen(g, incident && groupIncident(incident), known, options, now);
  if (decision.type === 'ignore') return IGNORED;
  let events = 0;
  if (decision.type === 'open') {
    const newId = await insertIncident(trx, decision.incident, now);
    await trx('incident_groups')
      .insert({ key_hash: g.keyHash, incident_id: newId, updated_at: now })
      .onConflict('key_hash')
      .merge({ incident_id: newId, updated_at: now });
    incident = (await incidentRow(trx, newId))!;
    known = [];
    events += await insertEvent(trx, newId, decision.event, ALERTMANAGER_AUTHOR, null, now);
  }
  const id = n(incident!.id);
  events += await recordNotification(trx, id, g, now);
  const update = planGroupUpdate(g, groupIncident(incident!), known, options, now, decision.type === 'open');
  for (const w of update.alertWrites) await writeAlert(trx, id, w, now);
  for (const e of update.events)
    events += await insertEvent(trx, id, e.event, ALERTMANAGER_AUTHOR, null, now, e.dedupKey);
  await trx('incidents')
    .where({ id })
    .update({
      ...patchColumns(update.patch),
      ...(update.changed ? { updated_at: now } : {}),
      notification_count: n(incident!.notification_count) + 1,
      last_notification_at: now,
    });
  return {
    incidentId: id,
    action: update.action,
    diagnose: update.diagnose,
    severity: update.patch.severity ?? incident!.severity,
    events,
    droppedAlerts: update.droppedAlerts,
  };
}

async function incidentRow(trx: Knex.Transaction, id: number): Promise<IncidentRow | undefined> {
  return (await trx<IncidentRow>('incidents').where({ id }).first()) as IncidentRow | undefined;
}

/** In row order: the grouping rules name the first of equally severe alerts as an escalation's cause. */
async function knownAlerts(trx: Knex.Transaction, incidentId: number): Promise<KnownAlert[]> {
  const rows = (await trx<AlertRow>('incident_alerts')
    .where({ incident_id: incidentId })
    .select('id', 'fingerprint', 'status', 'severity', 'starts_at', 'labels')
    .orderBy('id', 'asc')) as AlertRow[];
  return rows.map((r) => ({
    rowId: n(r.id),
    fingerprint: r.fingerprint,
    status: r.status,
    severity: r.severity,
    startsAt: n(r.starts_at),
    alertname: parseJson<Labels>(r.labels, {}).alertname ?? r.fingerprint,
  }));
}

async function writeAlert(trx: Knex.Transaction, incidentId: number, w: AlertWrite, now: number) {
  const a = w.alert;
  if (w.type === 'refresh') {
    await trx('incident_alerts')
      .where({ id: w.rowId })
      .update({ last_seen_at: now, ends_at: a.endsAt, annotations: JSON.stringify(a.annotations) });
    return;
  }
  const columns = {
    status: a.status,
    severity: a.severity,
    labels: JSON.stringify(a.labels),
    annotations: JSON.stringify(a.annotations),
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    generator_url: a.generatorUrl,
    runbook_url: a.runbookUrl,
    last_seen_at: now,
  };
  if (w.type === 'insert')
    await trx('incident_alerts').insert({
      incident_id: incidentId,
      fingerprint: a.fingerprint,
      first_seen_at: now,
      ...columns,
    });
  else await trx('incident_alerts').where({ id: w.rowId }).update(columns);
}
