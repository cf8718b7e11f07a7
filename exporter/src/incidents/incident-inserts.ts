/**
 * The two inserts every incident change shares: a new incident row (with its labels) and a timeline event.
 */
import type { Knex } from 'knex';
import type { IncidentDraft } from './grouping';
import { n, type Num } from './incident-rows';
import type { PlannedEvent } from './lifecycle';
import { severityRank, statusRank } from './model';

/** Returns 1 if the event was written, 0 if its dedup key was already there. */
export async function insertEvent(
  trx: Knex.Transaction,
  incidentId: number,
  event: PlannedEvent,
  author: string,
  tokenName: string | null,
  at: number,
  dedupKey: string | null = null,
): Promise<number> {
  const row = {
    incident_id: incidentId,
    kind: event.kind,
    at,
    author: author.slice(0, 200),
    token_name: tokenName,
    message: event.message,
    data: event.data === null ? null : JSON.stringify(event.data),
    dedup_key: dedupKey,
  };
  if (dedupKey === null) {
    await trx('incident_events').insert(row);
    return 1;
  }
  // Belt and braces for retried notifications: the state checks already skip known alerts.
  const inserted = (await trx('incident_events')
    .insert(row)
    .onConflict(['incident_id', 'dedup_key'])
    .ignore()
    .returning('id')) as unknown[];
  return inserted.length;
}

export async function insertIncident(
  trx: Knex.Transaction,
  data: IncidentDraft,
  now: number,
): Promise<number> {
  const [row] = (await trx('incidents')
    .insert({
      title: data.title.slice(0, 500),
      description: data.description,
      severity: data.severity,
      severity_rank: severityRank(data.severity),
      status: data.status,
      status_rank: statusRank(data.status),
      source: data.source,
      alerts_state: data.alertsState,
      group_key: data.groupKey,
      labels: JSON.stringify(data.labels),
      assignee: data.assignee,
      created_at: now,
      updated_at: now,
      started_at: data.startedAt,
      runbook_url: data.runbookUrl,
      generator_url: data.generatorUrl,
      external_url: data.externalUrl,
      receiver: data.receiver,
    })
    .returning('id')) as Array<{ id: Num }>;
  const id = n(row.id);
  const labels = Object.entries(data.labels).map(([name, value]) => ({
    incident_id: id,
    name: name.slice(0, 256),
    value: value.slice(0, 1024),
  }));
  if (labels.length > 0) await trx('incident_labels').insert(labels);
  return id;
}
