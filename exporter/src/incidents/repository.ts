import type { Knex } from 'knex';
import type { Store } from '../store/store';
import type { IncomingAlert, IncomingGroup } from './alertmanager-payload';
import { type Action, type LifecycleState, type Outcome, type PlannedEvent, plan, reopen } from './lifecycle';
import {
  type Actor,
  ALERTMANAGER_AUTHOR,
  type AlertsState,
  type EventKind,
  type Incident,
  type IncidentAlert,
  type IncidentDetail,
  type Labels,
  maxSeverity,
  type Severity,
  severityRank,
  type Source,
  type Status,
  statusRank,
  type TimelineEvent,
  TOP_SEVERITY,
} from './model';
import type { StatsRow } from './stats';

/** Events returned with one incident; older ones are left out and `timelineTruncated` says so. */
export const TIMELINE_LIMIT = 1000;
const PURGE_CHUNK = 500;
/** Incidents read to compute stats over a period; the newest are used beyond it. */
const MAX_STATS_ROWS = 200_000;

type Num = number | string;

interface IncidentRow {
  id: Num;
  title: string;
  description: string | null;
  severity: Severity;
  status: Status;
  source: Source;
  alerts_state: AlertsState;
  group_key: string | null;
  labels: string;
  acknowledged_by: string | null;
  acknowledged_at: Num | null;
  assignee: string | null;
  created_at: Num;
  updated_at: Num;
  started_at: Num;
  resolved_at: Num | null;
  resolved_by: string | null;
  resolution_note: string | null;
  silenced_until: Num | null;
  reopen_count: Num;
  notification_count: Num;
  last_notification_at: Num | null;
  runbook_url: string | null;
  generator_url: string | null;
  external_url: string | null;
  receiver: string | null;
}

interface AlertRow {
  id: Num;
  incident_id: Num;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: string;
  annotations: string;
  starts_at: Num;
  ends_at: Num | null;
  generator_url: string | null;
  runbook_url: string | null;
  first_seen_at: Num;
  last_seen_at: Num;
}

interface EventRow {
  id: Num;
  incident_id: Num;
  kind: EventKind;
  at: Num;
  author: string;
  token_name: string | null;
  message: string;
  data: string | null;
}

export class NotFoundError extends Error {}
/** A change sent against a version of the incident that is no longer the current one (If-Match). */
export class StaleChangeError extends Error {}

export interface ListFilter {
  status?: Status[];
  severity?: Severity[];
  source?: Source;
  /** Every pair must match (AND). */
  labels?: Array<[string, string]>;
  /** Incidents active at some moment in [from, to]: created before `to`, not resolved before `from`. */
  from?: number;
  to?: number;
  /** Case-insensitive substring of the title or of a label value. */
  text?: string;
  assignee?: string;
  acknowledged?: boolean;
  alertsState?: AlertsState;
}

export type SortKey = 'createdAt' | 'updatedAt' | 'startedAt' | 'resolvedAt' | 'severity' | 'status';
const SORT_COLUMNS: Record<SortKey, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  resolvedAt: 'resolved_at',
  severity: 'severity_rank',
  status: 'status_rank',
};

export interface NotificationOptions {
  reopenWindowMs: number;
  onAlertsResolved: 'resolve' | 'mark';
  maxAlertsPerIncident: number;
}

export type NotificationAction = 'opened' | 'reopened' | 'updated' | 'resolved' | 'unchanged' | 'ignored';

export interface GroupResult {
  incidentId: number | null;
  action: NotificationAction;
  /** Why a diagnostics snapshot is due, if one is. */
  diagnose: 'opened' | 'reopened' | 'escalated' | null;
  severity: Severity | null;
  events: number;
  /** Alerts over maxAlertsPerIncident that were not stored. */
  droppedAlerts: number;
}

export interface NewIncident {
  title: string;
  description?: string | null;
  severity: Severity;
  status?: Exclude<Status, 'resolved'>;
  labels?: Labels;
  assignee?: string | null;
}

const n = (v: Num): number => Number(v);
const nn = (v: Num | null): number | null => (v === null ? null : Number(v));
const iso = (v: Num): string => new Date(Number(v)).toISOString();
const isoOrNull = (v: Num | null): string | null => (v === null ? null : iso(v));
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toIncident(r: IncidentRow, counts: { firing: number; resolved: number }, now: number): Incident {
  const end = r.resolved_at === null ? now : n(r.resolved_at);
  return {
    id: n(r.id),
    title: r.title,
    description: r.description,
    severity: r.severity,
    status: r.status,
    source: r.source,
    alertsState: r.alerts_state,
    groupKey: r.group_key,
    labels: parseJson<Labels>(r.labels, {}),
    acknowledged: r.acknowledged_by !== null,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    assignee: r.assignee,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: iso(r.started_at),
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    silencedUntil: r.silenced_until !== null && n(r.silenced_until) > now ? iso(r.silenced_until) : null,
    reopenCount: n(r.reopen_count),
    notificationCount: n(r.notification_count),
    lastNotificationAt: isoOrNull(r.last_notification_at),
    alertCounts: counts,
    runbookUrl: r.runbook_url,
    generatorUrl: r.generator_url,
    externalUrl: r.external_url,
    receiver: r.receiver,
    durationSeconds: Math.max(0, Math.round((end - n(r.created_at)) / 1000)),
  };
}

function toAlert(r: AlertRow): IncidentAlert {
  return {
    fingerprint: r.fingerprint,
    status: r.status,
    severity: r.severity,
    labels: parseJson<Labels>(r.labels, {}),
    annotations: parseJson<Labels>(r.annotations, {}),
    startsAt: iso(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    generatorUrl: r.generator_url,
    runbookUrl: r.runbook_url,
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
  };
}

function toEvent(r: EventRow): TimelineEvent {
  return {
    id: n(r.id),
    kind: r.kind,
    at: iso(r.at),
    author: r.author,
    tokenName: r.token_name,
    message: r.message,
    data: parseJson<Record<string, unknown> | null>(r.data, null),
  };
}

function lifecycleState(r: IncidentRow): LifecycleState {
  return {
    id: n(r.id),
    status: r.status,
    severity: r.severity,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: nn(r.acknowledged_at),
    assignee: r.assignee,
    resolvedAt: nn(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    reopenCount: n(r.reopen_count),
  };
}

/** Lifecycle fields → columns; ranks follow their names. */
function patchColumns(p: Partial<LifecycleState>): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (p.status !== undefined) Object.assign(c, { status: p.status, status_rank: statusRank(p.status) });
  if (p.severity !== undefined)
    Object.assign(c, { severity: p.severity, severity_rank: severityRank(p.severity) });
  if (p.acknowledgedBy !== undefined) c.acknowledged_by = p.acknowledgedBy;
  if (p.acknowledgedAt !== undefined) c.acknowledged_at = p.acknowledgedAt;
  if (p.assignee !== undefined) c.assignee = p.assignee;
  if (p.resolvedAt !== undefined) c.resolved_at = p.resolvedAt;
  if (p.resolvedBy !== undefined) c.resolved_by = p.resolvedBy;
  if (p.resolutionNote !== undefined) c.resolution_note = p.resolutionNote;
  if (p.reopenCount !== undefined) c.reopen_count = p.reopenCount;
  return c;
}

/** Two 30-bit halves of the key hash: PostgreSQL's two-int advisory lock, no bigint parsing needed. */
function lockKeys(keyHash: string): [number, number] {
  return [Number.parseInt(keyHash.slice(0, 7), 16), Number.parseInt(keyHash.slice(7, 14), 16)];
}

/**
 * Incidents in the store. Every change (a webhook notification, a person's action) is one
 * transaction: the incident row, its alerts and its timeline events are written together or not at
 * all, so an answered request is never half stored. On PostgreSQL, concurrent notifications for the
 * same group serialise on a transaction-scoped advisory lock and actions on one incident on its row
 * lock; SQLite has a single writer connection.
 */
export class IncidentRepository {
  constructor(private readonly store: Store) {}

  private get db(): Knex {
    return this.store.db;
  }

  private get pg(): boolean {
    return this.store.kind === 'postgres';
  }

  /**
   * A read outside any transaction goes through the store's off-loop reader: on SQLite a worker thread
   * with its own connection (WAL shows it every committed change), so listing or searching many
   * incidents never holds the event loop.
   */
  private read<T>(qb: Knex.QueryBuilder): Promise<T[]> {
    return this.store.readRows<T>(qb);
  }

  private async row(id: number): Promise<IncidentRow | undefined> {
    return (await this.read<IncidentRow>(this.db('incidents').where({ id }).limit(1)))[0];
  }

  private async insertEvent(
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

  private async lockedIncident(trx: Knex.Transaction, id: number): Promise<IncidentRow> {
    const q = trx<IncidentRow>('incidents').where({ id }).first();
    const row = (await (this.pg ? q.forUpdate() : q)) as IncidentRow | undefined;
    if (!row) throw new NotFoundError(`no incident ${id}`);
    return row;
  }

  private async insertIncident(
    trx: Knex.Transaction,
    data: {
      title: string;
      description: string | null;
      severity: Severity;
      status: Status;
      source: Source;
      alertsState: AlertsState;
      groupKey: string | null;
      labels: Labels;
      assignee: string | null;
      startedAt: number;
      runbookUrl: string | null;
      generatorUrl: string | null;
      externalUrl: string | null;
      receiver: string | null;
    },
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

  /**
   * Applies one Alertmanager notification: per group, opens, updates, reopens or resolves its
   * incident. Idempotent: an alert instance (fingerprint + startsAt) already known in its state adds
   * nothing, so retries and repeats leave the store as it was (bar the notification counter).
   */
  async applyNotification(
    groups: IncomingGroup[],
    options: NotificationOptions,
    now: number,
  ): Promise<GroupResult[]> {
    // Sorted so two notifications touching the same groups take their locks in the same order.
    const sorted = [...groups].sort((a, b) => a.keyHash.localeCompare(b.keyHash));
    return this.db.transaction(async (trx) => {
      const results: GroupResult[] = [];
      for (const g of sorted) results.push(await this.applyGroup(trx, g, options, now));
      return results;
    });
  }

  private async applyGroup(
    trx: Knex.Transaction,
    g: IncomingGroup,
    options: NotificationOptions,
    now: number,
  ): Promise<GroupResult> {
    if (this.pg) await trx.raw('select pg_advisory_xact_lock(?, ?)', lockKeys(g.keyHash));
    const pointer = (await trx('incident_groups').where({ key_hash: g.keyHash }).first()) as
      { incident_id: Num } | undefined;
    let incident = pointer
      ? ((await trx<IncidentRow>('incidents')
          .where({ id: n(pointer.incident_id) })
          .first()) as IncidentRow | undefined)
      : undefined;
    let known = new Map<string, AlertRow>();
    if (incident) {
      const rows = (await trx<AlertRow>('incident_alerts').where({
        incident_id: n(incident.id),
      })) as AlertRow[];
      known = new Map(rows.map((r) => [r.fingerprint, r]));
    }
    // A new alert instance: never seen, or started after the one we hold (it fired again).
    const isNew = (a: IncomingAlert) => {
      const k = known.get(a.fingerprint);
      return !k || a.startsAt > n(k.starts_at);
    };
    const newFiring = g.alerts.filter((a) => a.status === 'firing' && isNew(a));

    let action: NotificationAction = 'unchanged';
    let diagnose: GroupResult['diagnose'] = null;
    let events = 0;
    const expired =
      incident !== undefined &&
      incident.status === 'resolved' &&
      now - n(incident.resolved_at ?? 0) > options.reopenWindowMs;
    if (!incident || (expired && newFiring.length > 0)) {
      if (newFiring.length === 0)
        return {
          incidentId: null,
          action: 'ignored',
          diagnose: null,
          severity: null,
          events: 0,
          droppedAlerts: 0,
        };
      const severity = newFiring.map((a) => a.severity).reduce(maxSeverity);
      const newId = await this.insertIncident(
        trx,
        {
          title: g.title,
          description: g.description,
          severity,
          status: 'investigating',
          source: 'alertmanager',
          alertsState: 'firing',
          groupKey: g.groupKey,
          labels: g.labels,
          assignee: null,
          startedAt: Math.min(...newFiring.map((a) => a.startsAt)),
          runbookUrl: g.runbookUrl,
          generatorUrl: g.generatorUrl,
          externalUrl: g.externalUrl,
          receiver: g.receiver || null,
        },
        now,
      );
      await trx('incident_groups')
        .insert({ key_hash: g.keyHash, incident_id: newId, updated_at: now })
        .onConflict('key_hash')
        .merge({ incident_id: newId, updated_at: now });
      incident = (await trx<IncidentRow>('incidents').where({ id: newId }).first()) as IncidentRow;
      known = new Map();
      action = 'opened';
      diagnose = 'opened';
      events += await this.insertEvent(
        trx,
        newId,
        {
          kind: 'opened',
          message: `Opened by Alertmanager (receiver ${g.receiver || 'unknown'}): ${g.title}`,
          data: { groupKey: g.groupKey, receiver: g.receiver, severity },
        },
        ALERTMANAGER_AUTHOR,
        null,
        now,
      );
    }
    const id = n(incident.id);
    const patch: Record<string, unknown> = {};
    const system = (event: PlannedEvent, dedupKey: string | null = null) =>
      this.insertEvent(trx, id, event, ALERTMANAGER_AUTHOR, null, now, dedupKey);

    if (incident.status === 'resolved' && newFiring.length > 0) {
      const outcome = reopen(lifecycleState(incident), ALERTMANAGER_AUTHOR);
      Object.assign(patch, patchColumns(outcome.patch));
      const names = [...new Set(newFiring.map((a) => a.labels.alertname ?? a.fingerprint))].join(', ');
      events += await system({
        ...outcome.events[0],
        message: `Reopened: ${names} fired again ${Math.round((now - n(incident.resolved_at ?? now)) / 1000)} s after the incident resolved`,
      });
      action = 'reopened';
      diagnose = 'reopened';
    }

    let droppedAlerts = 0;
    let alertCount = known.size;
    for (const a of g.alerts) {
      const k = known.get(a.fingerprint);
      const fresh = !k || a.startsAt > n(k.starts_at);
      const alertname = a.labels.alertname ?? a.fingerprint;
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
      const alertData = {
        fingerprint: a.fingerprint,
        alertname,
        severity: a.severity,
        labels: a.labels,
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
      };
      if (fresh) {
        if (!k) {
          if (alertCount >= options.maxAlertsPerIncident) {
            droppedAlerts++;
            continue;
          }
          await trx('incident_alerts').insert({
            incident_id: id,
            fingerprint: a.fingerprint,
            first_seen_at: now,
            ...columns,
          });
          alertCount++;
        } else {
          await trx('incident_alerts')
            .where({ id: n(k.id) })
            .update(columns);
        }
        const fired = a.status === 'firing';
        events += await system(
          {
            kind: fired ? 'alertFired' : 'alertResolved',
            message: fired
              ? `Alert ${alertname} fired (severity ${a.severity})`
              : `Alert ${alertname} fired and resolved between notifications`,
            data: alertData,
          },
          `${fired ? 'fired' : 'resolved'}:${a.fingerprint}:${a.startsAt}`,
        );
        if (action === 'unchanged') action = 'updated';
      } else if (a.startsAt === n(k.starts_at) && k.status === 'firing') {
        if (a.status === 'firing') {
          // A repeat: only freshness changes, no event.
          await trx('incident_alerts')
            .where({ id: n(k.id) })
            .update({ last_seen_at: now, ends_at: a.endsAt, annotations: columns.annotations });
        } else {
          await trx('incident_alerts')
            .where({ id: n(k.id) })
            .update(columns);
          events += await system(
            { kind: 'alertResolved', message: `Alert ${alertname} resolved`, data: alertData },
            `resolved:${a.fingerprint}:${a.startsAt}`,
          );
          if (action === 'unchanged') action = 'updated';
        }
      }
      // Otherwise the notification is older than what we hold (HA replica, late retry): ignored.
    }

    const firing = (await trx<AlertRow>('incident_alerts')
      .where({ incident_id: id, status: 'firing' })
      .select('severity', 'fingerprint', 'labels')) as Array<
      Pick<AlertRow, 'severity' | 'fingerprint' | 'labels'>
    >;
    const currentSeverity = (patch.severity as Severity | undefined) ?? incident.severity;
    if (firing.length > 0) {
      const top = firing.map((a) => a.severity).reduce(maxSeverity);
      if (severityRank(top) > severityRank(currentSeverity)) {
        const cause = firing.find((a) => a.severity === top)!;
        const alertname = parseJson<Labels>(cause.labels, {}).alertname ?? cause.fingerprint;
        Object.assign(patch, patchColumns({ severity: top }));
        events += await system({
          kind: 'severityChanged',
          message: `Severity raised from ${currentSeverity} to ${top} by alert ${alertname}`,
          data: { from: currentSeverity, to: top, fingerprint: cause.fingerprint, alertname },
        });
        if (top === TOP_SEVERITY && diagnose === null) diagnose = 'escalated';
        if (action === 'unchanged') action = 'updated';
      }
    }

    const alertsState: AlertsState = firing.length > 0 ? 'firing' : 'resolved';
    const status = (patch.status as Status | undefined) ?? incident.status;
    if (alertsState === 'resolved' && incident.alerts_state === 'firing' && action !== 'opened') {
      if (status !== 'resolved' && options.onAlertsResolved === 'resolve') {
        const outcome: Outcome = plan(
          lifecycleState({ ...incident, status }),
          { type: 'resolve', note: 'all alerts resolved' },
          ALERTMANAGER_AUTHOR,
          now,
        );
        Object.assign(patch, patchColumns(outcome.patch));
        events += await system({
          ...outcome.events[0],
          message: 'Resolved: every alert of the incident resolved',
        });
        action = 'resolved';
      } else {
        events += await system({
          kind: 'alertsResolved',
          message:
            status === 'resolved'
              ? 'Every alert of the (already resolved) incident resolved'
              : 'Every alert of the incident resolved; the incident stays open until a person resolves it',
          data: null,
        });
        if (action === 'unchanged') action = 'updated';
      }
    }
    if (alertsState !== incident.alerts_state) patch.alerts_state = alertsState;
    if (Object.keys(patch).length > 0 || action !== 'unchanged') patch.updated_at = now;
    await trx('incidents')
      .where({ id })
      .update({
        ...patch,
        notification_count: n(incident.notification_count) + 1,
        last_notification_at: now,
      });
    return {
      incidentId: id,
      action,
      diagnose,
      severity: (patch.severity as Severity | undefined) ?? incident.severity,
      events,
      droppedAlerts,
    };
  }

  /** Opens an incident by hand. */
  async create(input: NewIncident, actor: Actor, now: number): Promise<Incident> {
    const id = await this.db.transaction(async (trx) => {
      const newId = await this.insertIncident(
        trx,
        {
          title: input.title,
          description: input.description ?? null,
          severity: input.severity,
          status: input.status ?? 'investigating',
          source: 'manual',
          alertsState: 'none',
          groupKey: null,
          labels: input.labels ?? {},
          assignee: input.assignee ?? null,
          startedAt: now,
          runbookUrl: null,
          generatorUrl: null,
          externalUrl: null,
          receiver: null,
        },
        now,
      );
      await this.insertEvent(
        trx,
        newId,
        {
          kind: 'opened',
          message: `Opened by ${actor.name}: ${input.title}`,
          data: { severity: input.severity, assignee: input.assignee ?? null },
        },
        actor.name,
        actor.tokenName,
        now,
      );
      return newId;
    });
    return (await this.summary(id, now))!;
  }

  /** A person's action on one incident, checked by the state machine, in one transaction. */
  async act(
    id: number,
    action: Action,
    actor: Actor,
    now: number,
    expectedVersion?: number,
  ): Promise<Incident> {
    await this.db.transaction(async (trx) => {
      const row = await this.lockedIncident(trx, id);
      const version = Number(row.updated_at);
      // Checked under the row lock, so of two people sending a change against the same version, the
      // second gets a 409 instead of silently overwriting what the first did.
      if (expectedVersion !== undefined && version !== expectedVersion)
        throw new StaleChangeError(
          `incident ${id} was changed (version ${version}) after the version ${expectedVersion} this change was made against: reload it and try again`,
        );
      const outcome = plan(lifecycleState(row), action, actor.name, now);
      await trx('incidents')
        .where({ id })
        // Strictly increasing, so updatedAt names a version even when two changes share a millisecond.
        .update({ ...patchColumns(outcome.patch), updated_at: Math.max(now, version + 1) });
      for (const e of outcome.events) await this.insertEvent(trx, id, e, actor.name, actor.tokenName, now);
    });
    return (await this.summary(id, now))!;
  }

  /** Adds an event that changes no state (diagnostics), unless the incident is gone. */
  async addEvent(id: number, event: PlannedEvent, author: string, tokenName: string | null, now: number) {
    return this.db.transaction(async (trx) => {
      const exists = await trx('incidents').where({ id }).first('id');
      if (!exists) throw new NotFoundError(`no incident ${id}`);
      await this.insertEvent(trx, id, event, author, tokenName, now);
      await trx('incidents').where({ id }).update({ updated_at: now });
    });
  }

  /** Records silences created in Alertmanager; `until` extends the incident's silencedUntil. */
  async recordSilence(id: number, event: PlannedEvent, until: number | null, actor: Actor, now: number) {
    await this.db.transaction(async (trx) => {
      await this.lockedIncident(trx, id);
      await this.insertEvent(trx, id, event, actor.name, actor.tokenName, now);
      await trx('incidents').where({ id }).update({ silenced_until: until, updated_at: now });
    });
  }

  /** Silence ids created for the incident and not expired through Perfwatch since. */
  async activeSilenceIds(id: number): Promise<string[]> {
    const rows = (await this.db<EventRow>('incident_events')
      .where({ incident_id: id })
      .whereIn('kind', ['silenced', 'unsilenced'])
      .orderBy('id', 'asc')) as EventRow[];
    const ids = new Set<string>();
    for (const r of rows) {
      const data = parseJson<{ silenceIds?: string[] }>(r.data, {});
      if (r.kind === 'silenced') for (const s of data.silenceIds ?? []) ids.add(s);
      else for (const s of data.silenceIds ?? []) ids.delete(s);
    }
    return [...ids];
  }

  async firingAlerts(id: number): Promise<IncidentAlert[]> {
    const rows = (await this.db<AlertRow>('incident_alerts')
      .where({ incident_id: id, status: 'firing' })
      .orderBy('starts_at', 'asc')) as AlertRow[];
    return rows.map(toAlert);
  }

  private async counts(ids: number[]): Promise<Map<number, { firing: number; resolved: number }>> {
    const out = new Map<number, { firing: number; resolved: number }>();
    for (const id of ids) out.set(id, { firing: 0, resolved: 0 });
    if (ids.length === 0) return out;
    const rows = await this.read<{ incident_id: Num; status: string; count: Num }>(
      this.db('incident_alerts')
        .whereIn('incident_id', ids)
        .select('incident_id', 'status')
        .count({ count: '*' })
        .groupBy('incident_id', 'status'),
    );
    for (const r of rows) {
      const c = out.get(n(r.incident_id))!;
      if (r.status === 'firing') c.firing = n(r.count);
      else c.resolved = n(r.count);
    }
    return out;
  }

  /** One incident with its alerts and (the newest `timelineLimit`) timeline events. */
  async get(id: number, now: number, timelineLimit = TIMELINE_LIMIT): Promise<IncidentDetail | undefined> {
    const row = await this.row(id);
    if (!row) return undefined;
    const alerts = (
      await this.read<AlertRow>(
        this.db('incident_alerts')
          .where({ incident_id: id })
          .orderBy([
            { column: 'starts_at', order: 'asc' },
            { column: 'id', order: 'asc' },
          ]),
      )
    ).map(toAlert);
    const events =
      timelineLimit > 0
        ? await this.read<EventRow>(
            this.db('incident_events')
              .where({ incident_id: id })
              .orderBy('id', 'desc')
              .limit(timelineLimit + 1),
          )
        : [];
    const counts = {
      firing: alerts.filter((a) => a.status === 'firing').length,
      resolved: alerts.filter((a) => a.status === 'resolved').length,
    };
    return {
      ...toIncident(row, counts, now),
      alerts,
      timeline: events.slice(0, timelineLimit).reverse().map(toEvent),
      timelineTruncated: events.length > timelineLimit,
    };
  }

  /** One incident without its alerts and timeline (what list items and action answers carry). */
  async summary(id: number, now: number): Promise<Incident | undefined> {
    const row = await this.row(id);
    if (!row) return undefined;
    return toIncident(row, (await this.counts([id])).get(id)!, now);
  }

  async exists(id: number): Promise<boolean> {
    return (await this.db('incidents').where({ id }).first('id')) !== undefined;
  }

  private filtered(f: ListFilter): Knex.QueryBuilder {
    const q = this.db('incidents');
    if (f.status?.length) q.whereIn('status', f.status);
    if (f.severity?.length) q.whereIn('severity', f.severity);
    if (f.source) q.where('source', f.source);
    if (f.alertsState) q.where('alerts_state', f.alertsState);
    if (f.assignee !== undefined) q.where('assignee', f.assignee);
    if (f.acknowledged === true) q.whereNotNull('acknowledged_by');
    if (f.acknowledged === false) q.whereNull('acknowledged_by');
    if (f.to !== undefined) q.where('created_at', '<=', f.to);
    if (f.from !== undefined)
      q.where((w) => w.whereNull('resolved_at').orWhere('resolved_at', '>=', f.from!));
    for (const [name, value] of f.labels ?? [])
      q.whereExists((s) =>
        s
          .select(this.db.raw('1'))
          .from('incident_labels')
          .whereRaw('incident_labels.incident_id = incidents.id')
          .where({ name, value }),
      );
    if (f.text) {
      const like = `%${escapeLike(f.text.toLowerCase())}%`;
      q.where((w) =>
        w
          .whereRaw(`lower(title) like ? escape '\\'`, [like])
          .orWhereExists((s) =>
            s
              .select(this.db.raw('1'))
              .from('incident_labels')
              .whereRaw('incident_labels.incident_id = incidents.id')
              .whereRaw(`lower(incident_labels.value) like ? escape '\\'`, [like]),
          ),
      );
    }
    return q;
  }

  async list(
    f: ListFilter,
    sort: SortKey,
    order: 'asc' | 'desc',
    limit: number,
    offset: number,
    now: number,
  ): Promise<{ total: number; items: Incident[] }> {
    const [{ total }] = await this.read<{ total: Num }>(this.filtered(f).count({ total: '*' }));
    const column = SORT_COLUMNS[sort];
    const q = this.filtered(f);
    // Unresolved incidents have no resolvedAt: they sort last either way.
    if (sort === 'resolvedAt') q.orderByRaw(`case when resolved_at is null then 1 else 0 end asc`);
    const rows = await this.read<IncidentRow>(
      q.orderBy(column, order).orderBy('id', order).limit(limit).offset(offset),
    );
    const counts = await this.counts(rows.map((r) => n(r.id)));
    return { total: n(total), items: rows.map((r) => toIncident(r, counts.get(n(r.id))!, now)) };
  }

  /** What MTTA/MTTR need of the incidents created in [from, to]. */
  async statsRows(from: number, to: number): Promise<{ rows: StatsRow[]; truncated: boolean }> {
    const rows = await this.read<
      Pick<IncidentRow, 'severity' | 'status' | 'source' | 'created_at' | 'acknowledged_at' | 'resolved_at'>
    >(
      this.db('incidents')
        .where('created_at', '>=', from)
        .andWhere('created_at', '<=', to)
        .select('severity', 'status', 'source', 'created_at', 'acknowledged_at', 'resolved_at')
        .orderBy('created_at', 'desc')
        .limit(MAX_STATS_ROWS + 1),
    );
    return {
      truncated: rows.length > MAX_STATS_ROWS,
      rows: rows.slice(0, MAX_STATS_ROWS).map((r) => ({
        severity: r.severity,
        status: r.status,
        source: r.source,
        createdAt: n(r.created_at),
        acknowledgedAt: nn(r.acknowledged_at),
        resolvedAt: nn(r.resolved_at),
      })),
    };
  }

  /** Deletes incidents resolved before `before` (with their alerts, labels and events) in chunks. */
  async purge(before: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const ids = (
        (await this.db('incidents')
          .where('status', 'resolved')
          .andWhere('resolved_at', '<', before)
          .select('id')
          .limit(PURGE_CHUNK)) as Array<{ id: Num }>
      ).map((r) => n(r.id));
      if (ids.length === 0) return deleted;
      await this.db.transaction(async (trx) => {
        // Children first: SQLite enforces the cascade only when foreign_keys is on for the connection.
        for (const t of ['incident_events', 'incident_labels', 'incident_alerts', 'incident_groups'])
          await trx(t).whereIn('incident_id', ids).delete();
        await trx('incidents').whereIn('id', ids).delete();
      });
      deleted += ids.length;
      if (ids.length < PURGE_CHUNK) return deleted;
    }
  }
}
