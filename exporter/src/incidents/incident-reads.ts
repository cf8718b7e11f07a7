/** Reading incidents: one with its alerts and timeline, filtered pages of them, stats rows, silences. */
import type { Knex } from 'knex';
import type { Store } from '../store/store';
import { escapeLike } from '../store/like';
import {
  type AlertRow,
  type EventRow,
  type IncidentRow,
  n,
  nn,
  type Num,
  parseJson,
  toAlert,
  toEvent,
  toIncident,
} from './incident-rows';
import type { AlertsState, Incident, IncidentAlert, IncidentDetail, Severity, Source, Status } from './model';
import type { StatsRow } from './stats';

/** Events returned with one incident; older ones are left out and `timelineTruncated` says so. */
export const TIMELINE_LIMIT = 1000;
/** Incidents read to compute stats over a period; the newest are used beyond it. */
const MAX_STATS_ROWS = 200_000;

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

export class IncidentReads {
  constructor(protected readonly store: Store) {}

  protected get db(): Knex {
    return this.store.db;
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
}
