import {
  type AlertWrite,
  alertChanges,
  alertnameOf,
  byFingerprint,
  isNewInstance,
  type KnownAlert,
  type SystemEvent,
} from './alert-changes';
import type { IncomingAlert, IncomingGroup } from './alertmanager-payload';
import { type LifecycleState, type Outcome, type PlannedEvent, plan, reopen } from './lifecycle';
import {
  ALERTMANAGER_AUTHOR,
  type AlertsState,
  type Incident,
  maxSeverity,
  type Severity,
  severityRank,
  TOP_SEVERITY,
} from './model';

/**
 * How an Alertmanager notification changes the incident of one alert group, free of storage (the
 * repository reads the state, asks these rules, and writes what they return in one transaction):
 *
 *   open      a group with no incident, or whose incident resolved longer ago than the reopen
 *             window, opens a new incident when something new fires (else it is ignored)
 *   reopen    a resolved incident within the reopen window goes back to investigating
 *   update    a new alert instance is stored and recorded; a repeat only refreshes it; an older
 *             instance than the one held (an HA replica, a late retry) changes nothing
 *   cap       new alerts beyond maxAlertsPerIncident are dropped and counted
 *   escalate  the incident's severity rises to its most severe firing alert (never falls)
 *   resolve   when the last alert resolves, the incident resolves or is marked, as configured
 */

export interface NotificationOptions {
  reopenWindowMs: number;
  onAlertsResolved: 'resolve' | 'mark';
  maxAlertsPerIncident: number;
}

export type NotificationAction = 'opened' | 'reopened' | 'updated' | 'resolved' | 'unchanged' | 'ignored';

/** Why a diagnostics snapshot is due, if one is. */
export type Diagnose = 'opened' | 'reopened' | 'escalated' | null;

/** The incident a group points to. */
export interface GroupIncident extends LifecycleState {
  alertsState: AlertsState;
}

/** What a new incident row holds, whoever opens it. */
export type IncidentDraft = Pick<
  Incident,
  | 'title'
  | 'description'
  | 'severity'
  | 'status'
  | 'source'
  | 'alertsState'
  | 'groupKey'
  | 'labels'
  | 'assignee'
  | 'runbookUrl'
  | 'generatorUrl'
  | 'externalUrl'
  | 'receiver'
> & { startedAt: number };

export type OpenDecision =
  { type: 'ignore' } | { type: 'open'; incident: IncidentDraft; event: PlannedEvent } | { type: 'update' };

export interface GroupPatch extends Partial<LifecycleState> {
  alertsState?: AlertsState;
}

export interface GroupUpdate {
  action: NotificationAction;
  diagnose: Diagnose;
  patch: GroupPatch;
  alertWrites: AlertWrite[];
  /** In timeline order. */
  events: SystemEvent[];
  /** New alerts over maxAlertsPerIncident, not stored. */
  droppedAlerts: number;
  /** Whether the incident's version (updatedAt) moves. */
  changed: boolean;
}

const newlyFiring = (alerts: IncomingAlert[], known: ReadonlyMap<string, KnownAlert>) =>
  alerts.filter((a) => a.status === 'firing' && isNewInstance(a, known));

/** Open: whether the group gets a new incident, updates the one it points to, or is ignored. */
export function decideOpen(
  g: IncomingGroup,
  current: Pick<GroupIncident, 'status' | 'resolvedAt'> | undefined,
  known: readonly KnownAlert[],
  options: Pick<NotificationOptions, 'reopenWindowMs'>,
  now: number,
): OpenDecision {
  const firing = newlyFiring(g.alerts, byFingerprint(known));
  const expired =
    current !== undefined &&
    current.status === 'resolved' &&
    now - (current.resolvedAt ?? 0) > options.reopenWindowMs;
  if (current && !(expired && firing.length > 0)) return { type: 'update' };
  if (firing.length === 0) return { type: 'ignore' };
  const severity = firing.map((a) => a.severity).reduce(maxSeverity);
  return {
    type: 'open',
    incident: {
      title: g.title,
      description: g.description,
      severity,
      status: 'investigating',
      source: 'alertmanager',
      alertsState: 'firing',
      groupKey: g.groupKey,
      labels: g.labels,
      assignee: null,
      startedAt: Math.min(...firing.map((a) => a.startsAt)),
      runbookUrl: g.runbookUrl,
      generatorUrl: g.generatorUrl,
      externalUrl: g.externalUrl,
      receiver: g.receiver || null,
    },
    event: {
      kind: 'opened',
      message: `Opened by Alertmanager (receiver ${g.receiver || 'unknown'}): ${g.title}`,
      data: { groupKey: g.groupKey, receiver: g.receiver, severity },
    },
  };
}

/** Reopen: a resolved incident whose alerts fire anew (past the window, decideOpen opened a new one). */
export function reopenByAlerts(
  incident: LifecycleState,
  newFiring: IncomingAlert[],
  now: number,
): Outcome | null {
  if (incident.status !== 'resolved' || newFiring.length === 0) return null;
  const outcome = reopen(incident, ALERTMANAGER_AUTHOR);
  const names = [...new Set(newFiring.map(alertnameOf))].join(', ');
  const after = Math.round((now - (incident.resolvedAt ?? now)) / 1000);
  return {
    patch: outcome.patch,
    events: [
      {
        ...outcome.events[0],
        message: `Reopened: ${names} fired again ${after} s after the incident resolved`,
      },
    ],
  };
}

/**
 * Escalate: the most severe firing alert raises the incident's severity; the first such alert (in
 * row order) is named as the cause. Severity never falls with alerts: people lower it.
 */
export function escalation(
  current: Severity,
  firing: readonly Pick<KnownAlert, 'severity' | 'fingerprint' | 'alertname'>[],
): { to: Severity; event: PlannedEvent } | null {
  if (firing.length === 0) return null;
  const top = firing.map((a) => a.severity).reduce(maxSeverity);
  if (severityRank(top) <= severityRank(current)) return null;
  const cause = firing.find((a) => a.severity === top)!;
  return {
    to: top,
    event: {
      kind: 'severityChanged',
      message: `Severity raised from ${current} to ${top} by alert ${cause.alertname}`,
      data: { from: current, to: top, fingerprint: cause.fingerprint, alertname: cause.alertname },
    },
  };
}

/**
 * Resolve: the last firing alert resolved. With onAlertsResolved `resolve` an open incident
 * resolves; otherwise (or when already resolved) the timeline only says so.
 */
export function allAlertsResolved(
  incident: LifecycleState,
  onAlertsResolved: NotificationOptions['onAlertsResolved'],
  now: number,
): { resolved: Outcome | null; event: PlannedEvent } {
  if (incident.status !== 'resolved' && onAlertsResolved === 'resolve') {
    const outcome = plan(
      incident,
      { type: 'resolve', note: 'all alerts resolved' },
      ALERTMANAGER_AUTHOR,
      now,
    );
    const event = { ...outcome.events[0], message: 'Resolved: every alert of the incident resolved' };
    return { resolved: outcome, event };
  }
  return {
    resolved: null,
    event: {
      kind: 'alertsResolved',
      message:
        incident.status === 'resolved'
          ? 'Every alert of the (already resolved) incident resolved'
          : 'Every alert of the incident resolved; the incident stays open until a person resolves it',
      data: null,
    },
  };
}

/**
 * Everything one notification changes in the incident its group points to (`opened` when
 * decideOpen just created it): the rules above, in the order their events appear in the timeline.
 */
export function planGroupUpdate(
  g: IncomingGroup,
  incident: GroupIncident,
  known: readonly KnownAlert[],
  options: NotificationOptions,
  now: number,
  opened: boolean,
): GroupUpdate {
  let action: NotificationAction = opened ? 'opened' : 'unchanged';
  let diagnose: Diagnose = opened ? 'opened' : null;
  const patch: GroupPatch = {};
  const events: SystemEvent[] = [];
  const system = (event: PlannedEvent) => events.push({ event, dedupKey: null });
  const updated = () => {
    if (action === 'unchanged') action = 'updated';
  };

  const reopened = reopenByAlerts(incident, newlyFiring(g.alerts, byFingerprint(known)), now);
  if (reopened) {
    Object.assign(patch, reopened.patch);
    system(reopened.events[0]);
    action = 'reopened';
    diagnose = 'reopened';
  }

  const changes = alertChanges(g.alerts, known, options.maxAlertsPerIncident);
  events.push(...changes.events);
  if (changes.events.length > 0) updated();

  const firing = changes.after.filter((a) => a.status === 'firing');
  const raised = escalation(incident.severity, firing);
  if (raised) {
    patch.severity = raised.to;
    system(raised.event);
    if (raised.to === TOP_SEVERITY && diagnose === null) diagnose = 'escalated';
    updated();
  }

  const alertsState: AlertsState = firing.length > 0 ? 'firing' : 'resolved';
  if (alertsState === 'resolved' && incident.alertsState === 'firing' && action !== 'opened') {
    const status = patch.status ?? incident.status;
    const r = allAlertsResolved({ ...incident, status }, options.onAlertsResolved, now);
    system(r.event);
    if (r.resolved) {
      Object.assign(patch, r.resolved.patch);
      action = 'resolved';
    } else updated();
  }
  if (alertsState !== incident.alertsState) patch.alertsState = alertsState;
  return {
    action,
    diagnose,
    patch,
    alertWrites: changes.writes,
    events,
    droppedAlerts: changes.dropped,
    changed: Object.keys(patch).length > 0 || action !== 'unchanged',
  };
}
