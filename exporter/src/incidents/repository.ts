import type { Knex } from 'knex';
import type { IncomingGroup } from './alertmanager-payload';
import type { NotificationOptions } from './grouping';
import { insertEvent, insertIncident } from './incident-inserts';
import { IncidentReads } from './incident-reads';
import { type IncidentRow, lifecycleState, n, type Num, patchColumns } from './incident-rows';
import { type Action, type PlannedEvent, plan } from './lifecycle';
import type { Actor, Incident, Labels, Severity, Status } from './model';
import { applyGroup, type GroupResult } from './notification-writes';

const PURGE_CHUNK = 500;

export class NotFoundError extends Error {}
/** A change sent against a version of the incident that is no longer the current one (If-Match). */
export class StaleChangeError extends Error {}

export interface NewIncident {
  title: string;
  description?: string | null;
  severity: Severity;
  status?: Exclude<Status, 'resolved'>;
  labels?: Labels;
  assignee?: string | null;
}

/**
 * Incidents in the store. Every change (a webhook notification, a person's action) is one
 * transaction: the incident row, its alerts and its timeline events are written together or not at
 * all, so an answered request is never half stored. On PostgreSQL, concurrent notifications for the
 * same group serialise on a transaction-scoped advisory lock and actions on one incident on its row
 * lock; SQLite has a single writer connection.
 */
export class IncidentRepository extends IncidentReads {
  private get pg(): boolean {
    return this.store.kind === 'postgres';
  }

  private async lockedIncident(trx: Knex.Transaction, id: number): Promise<IncidentRow> {
    const q = trx<IncidentRow>('incidents').where({ id }).first();
    const row = (await (this.pg ? q.forUpdate() : q)) as IncidentRow | undefined;
    if (!row) throw new NotFoundError(`no incident ${id}`);
    return row;
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
      for (const g of sorted) results.push(await applyGroup(trx, this.pg, g, options, now));
      return results;
    });
  }

  /** Opens an incident by hand. */
  async create(input: NewIncident, actor: Actor, now: number): Promise<Incident> {
    const id = await this.db.transaction(async (trx) => {
      const newId = await insertIncident(
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
      await insertEvent(
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
      for (const e of outcome.events) await insertEvent(trx, id, e, actor.name, actor.tokenName, now);
    });
    return (await this.summary(id, now))!;
  }

  /** Adds an event that changes no state (diagnostics), unless the incident is gone. */
  async addEvent(id: number, event: PlannedEvent, author: string, tokenName: string | null, now: number) {
    return this.db.transaction(async (trx) => {
      const exists = await trx('incidents').where({ id }).first('id');
      if (!exists) throw new NotFoundError(`no incident ${id}`);
      await insertEvent(trx, id, event, author, tokenName, now);
      await trx('incidents').where({ id }).update({ updated_at: now });
    });
  }

  /** Records silences created in Alertmanager; `until` extends the incident's silencedUntil. */
  async recordSilence(id: number, event: PlannedEvent, until: number | null, actor: Actor, now: number) {
    await this.db.transaction(async (trx) => {
      await this.lockedIncident(trx, id);
      await insertEvent(trx, id, event, actor.name, actor.tokenName, now);
      await trx('incidents').where({ id }).update({ silenced_until: until, updated_at: now });
    });
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
