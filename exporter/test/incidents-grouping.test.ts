/**
 * The Alertmanager grouping rules as pure functions: given an incident's state, the alerts it holds
 * and one notification's group, what opens, reopens, updates, is capped, escalates and resolves.
 * The store tests (incidents-store, incidents-webhook) check that the repository writes what they say.
 */
import { alertChanges, type KnownAlert } from '../src/incidents/alert-changes';
import type { IncomingAlert, IncomingGroup } from '../src/incidents/alertmanager-payload';
import {
  allAlertsResolved,
  decideOpen,
  escalation,
  type GroupIncident,
  type NotificationOptions,
  planGroupUpdate,
  reopenByAlerts,
} from '../src/incidents/grouping';
import { lifecycleState } from './support/lifecycle-state';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;
const OPTIONS: NotificationOptions = {
  reopenWindowMs: 30 * MIN,
  onAlertsResolved: 'resolve',
  maxAlertsPerIncident: 3,
};

function alert(name: string, o: Partial<IncomingAlert> = {}): IncomingAlert {
  return {
    fingerprint: `fp-${name}`,
    status: 'firing',
    severity: 'high',
    labels: { alertname: name },
    annotations: {},
    startsAt: NOW - 5 * MIN,
    endsAt: null,
    generatorUrl: null,
    runbookUrl: null,
    ...o,
  };
}

function group(alerts: IncomingAlert[], o: Partial<IncomingGroup> = {}): IncomingGroup {
  return {
    keyHash: 'k'.repeat(64),
    groupKey: '{}:{alertname="HighLatency"}',
    title: 'HighLatency',
    description: null,
    labels: { alertname: 'HighLatency' },
    runbookUrl: null,
    generatorUrl: null,
    receiver: 'perfwatch',
    externalUrl: null,
    alerts,
    ...o,
  };
}

function held(name: string, rowId: number, o: Partial<KnownAlert> = {}): KnownAlert {
  return {
    rowId,
    fingerprint: `fp-${name}`,
    status: 'firing',
    severity: 'high',
    startsAt: NOW - 5 * MIN,
    alertname: name,
    ...o,
  };
}

const incident = (o: Partial<GroupIncident> = {}): GroupIncident => ({
  ...lifecycleState(o),
  alertsState: o.alertsState ?? 'firing',
});
const resolvedAgo = (ms: number, o: Partial<GroupIncident> = {}) =>
  incident({
    status: 'resolved',
    resolvedAt: NOW - ms,
    resolvedBy: 'alertmanager',
    alertsState: 'resolved',
    ...o,
  });

describe('open', () => {
  test('a group without an incident opens one at its most severe new firing alert, from its earliest start', () => {
    const d = decideOpen(
      group([
        alert('A', { severity: 'medium', startsAt: NOW - 2 * MIN }),
        alert('B', { severity: 'critical', startsAt: NOW - 9 * MIN }),
      ]),
      undefined,
      [],
      OPTIONS,
      NOW,
    );
    expect(d.type === 'open' && d.incident).toMatchObject({
      severity: 'critical',
      startedAt: NOW - 9 * MIN,
      status: 'investigating',
      source: 'alertmanager',
      alertsState: 'firing',
      assignee: null,
    });
  });

  test('resolved alerts never open an incident: the group is ignored', () => {
    expect(decideOpen(group([alert('A', { status: 'resolved' })]), undefined, [], OPTIONS, NOW)).toEqual({
      type: 'ignore',
    });
  });

  test('the opened event names the receiver, or says it is unknown', () => {
    const d = decideOpen(group([alert('A')], { receiver: '' }), undefined, [], OPTIONS, NOW);
    expect(d.type === 'open' && d.event).toEqual({
      kind: 'opened',
      message: 'Opened by Alertmanager (receiver unknown): HighLatency',
      data: { groupKey: '{}:{alertname="HighLatency"}', receiver: '', severity: 'high' },
    });
    expect(d.type === 'open' && d.incident.receiver).toBeNull();
  });

  test('a group whose incident is open updates it, whatever fires', () => {
    expect(decideOpen(group([alert('New')]), incident(), [held('A', 1)], OPTIONS, NOW).type).toBe('update');
  });

  test('a new firing alert within the reopen window updates (reopens) the resolved incident', () => {
    const current = resolvedAgo(29 * MIN);
    expect(decideOpen(group([alert('New')]), current, [], OPTIONS, NOW).type).toBe('update');
  });

  test('a new firing alert after the reopen window opens a new incident', () => {
    const current = resolvedAgo(31 * MIN);
    expect(decideOpen(group([alert('New')]), current, [], OPTIONS, NOW).type).toBe('open');
  });

  test('a repeat of an instance already held does not open a new incident after the window', () => {
    const current = resolvedAgo(31 * MIN);
    const known = [held('A', 1, { status: 'resolved' })];
    expect(decideOpen(group([alert('A')]), current, known, OPTIONS, NOW).type).toBe('update');
  });
});

describe('reopen', () => {
  test('a resolved incident whose alerts fire anew goes back to investigating, naming them once', () => {
    const out = reopenByAlerts(
      resolvedAgo(90_000, { reopenCount: 1 }),
      [alert('A'), alert('A'), alert('B')],
      NOW,
    );
    expect(out?.patch).toEqual({
      status: 'investigating',
      resolvedAt: null,
      resolvedBy: null,
      resolutionNote: null,
      reopenCount: 2,
    });
    expect(out?.events[0]).toMatchObject({
      kind: 'reopened',
      message: 'Reopened: A, B fired again 90 s after the incident resolved',
    });
  });

  test('an open incident is not reopened', () => {
    expect(reopenByAlerts(incident(), [alert('A')], NOW)).toBeNull();
  });

  test('a resolved incident without new firing alerts stays resolved', () => {
    expect(reopenByAlerts(resolvedAgo(MIN), [], NOW)).toBeNull();
  });
});

describe('update', () => {
  test('an unseen alert is stored and recorded as fired, once per fingerprint and start', () => {
    const a = alert('A', { severity: 'critical' });
    const out = alertChanges([a], [], 10);
    expect(out.writes).toEqual([{ type: 'insert', alert: a }]);
    expect(out.events).toEqual([
      {
        event: {
          kind: 'alertFired',
          message: 'Alert A fired (severity critical)',
          data: {
            fingerprint: 'fp-A',
            alertname: 'A',
            severity: 'critical',
            labels: { alertname: 'A' },
            startsAt: new Date(a.startsAt).toISOString(),
            endsAt: null,
          },
        },
        dedupKey: `fired:fp-A:${a.startsAt}`,
      },
    ]);
  });

  test('an alert without an alertname label is named by its fingerprint', () => {
    const out = alertChanges([alert('A', { labels: {} })], [], 10);
    expect(out.events[0].event.message).toBe('Alert fp-A fired (severity high)');
  });

  test('an alert that fires again (a later start) rewrites its row and is recorded as fired', () => {
    const a = alert('A', { startsAt: NOW });
    const out = alertChanges([a], [held('A', 4, { status: 'resolved' })], 10);
    expect(out.writes).toEqual([{ type: 'update', rowId: 4, alert: a }]);
    expect(out.events.map((e) => e.event.kind)).toEqual(['alertFired']);
  });

  test('a repeat of a firing alert only refreshes it, with no event', () => {
    const a = alert('A');
    const out = alertChanges([a], [held('A', 4)], 10);
    expect(out.writes).toEqual([{ type: 'refresh', rowId: 4, alert: a }]);
    expect(out.events).toEqual([]);
  });

  test('a held firing alert that resolves is rewritten and recorded as resolved', () => {
    const a = alert('A', { status: 'resolved', endsAt: NOW });
    const out = alertChanges([a], [held('A', 4)], 10);
    expect(out.writes).toEqual([{ type: 'update', rowId: 4, alert: a }]);
    expect(out.events.map((e) => [e.event.message, e.dedupKey])).toEqual([
      ['Alert A resolved', `resolved:fp-A:${a.startsAt}`],
    ]);
    expect(out.after[0].status).toBe('resolved');
  });

  test('an unseen alert that arrives resolved is recorded as fired and resolved between notifications', () => {
    const out = alertChanges([alert('A', { status: 'resolved' })], [], 10);
    expect(out.writes.map((w) => w.type)).toEqual(['insert']);
    expect(out.events[0].event).toMatchObject({
      kind: 'alertResolved',
      message: 'Alert A fired and resolved between notifications',
    });
  });

  test('an older instance than the one held (HA replica, late retry) changes nothing', () => {
    const out = alertChanges([alert('A', { startsAt: NOW - 9 * MIN })], [held('A', 4)], 10);
    expect(out).toEqual({ writes: [], events: [], dropped: 0, after: [held('A', 4)] });
  });

  test('a repeat of an alert already resolved changes nothing', () => {
    const known = [held('A', 4, { status: 'resolved' })];
    const out = alertChanges([alert('A', { status: 'resolved' })], known, 10);
    expect(out.writes).toEqual([]);
    expect(out.events).toEqual([]);
  });
});

describe('cap', () => {
  test('new alerts beyond maxAlertsPerIncident are dropped and counted', () => {
    const out = alertChanges([alert('B'), alert('C'), alert('D')], [held('A', 1)], 3);
    expect(out.writes.map((w) => w.alert.fingerprint)).toEqual(['fp-B', 'fp-C']);
    expect(out.dropped).toBe(1);
  });

  test('alerts already held are still updated at the cap', () => {
    const known = [held('A', 1, { status: 'resolved' }), held('B', 2)];
    const out = alertChanges([alert('A', { startsAt: NOW })], known, 2);
    expect(out.writes.map((w) => w.type)).toEqual(['update']);
    expect(out.dropped).toBe(0);
  });
});

describe('escalate', () => {
  test('the most severe firing alert raises the severity, and the first such alert is named', () => {
    const firing = [held('A', 1, { severity: 'critical' }), held('B', 2, { severity: 'critical' })];
    expect(escalation('high', firing)).toEqual({
      to: 'critical',
      event: {
        kind: 'severityChanged',
        message: 'Severity raised from high to critical by alert A',
        data: { from: 'high', to: 'critical', fingerprint: 'fp-A', alertname: 'A' },
      },
    });
  });

  test('severity never falls with alerts', () => {
    expect(escalation('critical', [held('A', 1, { severity: 'low' })])).toBeNull();
  });

  test('alerts as severe as the incident change nothing', () => {
    expect(escalation('high', [held('A', 1, { severity: 'high' })])).toBeNull();
  });
});

describe('resolve', () => {
  test('with onAlertsResolved "resolve" the last resolved alert resolves an open incident', () => {
    const r = allAlertsResolved(incident({ status: 'monitoring' }), 'resolve', NOW);
    expect(r.resolved?.patch).toEqual({
      status: 'resolved',
      resolvedAt: NOW,
      resolvedBy: 'alertmanager',
      resolutionNote: 'all alerts resolved',
    });
    expect(r.event).toMatchObject({
      kind: 'resolved',
      message: 'Resolved: every alert of the incident resolved',
    });
  });

  test('with onAlertsResolved "mark" the incident stays open and the timeline says so', () => {
    const r = allAlertsResolved(incident(), 'mark', NOW);
    expect(r.resolved).toBeNull();
    expect(r.event).toEqual({
      kind: 'alertsResolved',
      message: 'Every alert of the incident resolved; the incident stays open until a person resolves it',
      data: null,
    });
  });

  test('an incident a person already resolved is only marked', () => {
    const r = allAlertsResolved(resolvedAgo(MIN), 'resolve', NOW);
    expect(r.resolved).toBeNull();
    expect(r.event.message).toBe('Every alert of the (already resolved) incident resolved');
  });
});

describe('one notification', () => {
  test('a pure repeat leaves the incident unchanged and its version where it was', () => {
    const u = planGroupUpdate(group([alert('A')]), incident(), [held('A', 1)], OPTIONS, NOW, false);
    expect(u).toMatchObject({ action: 'unchanged', diagnose: null, patch: {}, events: [], changed: false });
  });

  test('a just-opened incident stays "opened" whatever its alerts add', () => {
    const g = group([alert('A', { severity: 'critical' })]);
    const u = planGroupUpdate(g, incident({ severity: 'critical' }), [], OPTIONS, NOW, true);
    expect([u.action, u.diagnose]).toEqual(['opened', 'opened']);
    expect(u.alertWrites.map((w) => w.type)).toEqual(['insert']);
  });

  test('a just-opened incident whose alerts were all capped is not resolved', () => {
    const u = planGroupUpdate(
      group([alert('A')]),
      incident(),
      [],
      { ...OPTIONS, maxAlertsPerIncident: 0 },
      NOW,
      true,
    );
    expect(u.action).toBe('opened');
    expect(u.patch).toEqual({ alertsState: 'resolved' });
    expect(u.droppedAlerts).toBe(1);
  });

  test('a new alert in an open incident makes it "updated"', () => {
    const u = planGroupUpdate(group([alert('B')]), incident(), [held('A', 1)], OPTIONS, NOW, false);
    expect([u.action, u.changed]).toEqual(['updated', true]);
  });

  test('a re-fire within the window reopens, then records the alert, in that timeline order', () => {
    const known = [held('A', 1, { status: 'resolved' })];
    const g = group([alert('A', { startsAt: NOW - MIN })]);
    const u = planGroupUpdate(g, resolvedAgo(2 * MIN), known, OPTIONS, NOW, false);
    expect([u.action, u.diagnose]).toEqual(['reopened', 'reopened']);
    expect(u.events.map((e) => e.event.kind)).toEqual(['reopened', 'alertFired']);
    expect(u.patch).toMatchObject({ status: 'investigating', alertsState: 'firing' });
  });

  test('escalation to critical asks for diagnostics', () => {
    const g = group([alert('B', { severity: 'critical' })]);
    const u = planGroupUpdate(g, incident(), [held('A', 1)], OPTIONS, NOW, false);
    expect(u.patch.severity).toBe('critical');
    expect(u.diagnose).toBe('escalated');
  });

  test('escalation below critical updates the incident without diagnostics', () => {
    const g = group([alert('B', { severity: 'high' })]);
    const u = planGroupUpdate(
      g,
      incident({ severity: 'low' }),
      [held('A', 1, { severity: 'low' })],
      OPTIONS,
      NOW,
      false,
    );
    expect([u.patch.severity, u.action, u.diagnose]).toEqual(['high', 'updated', null]);
  });

  test('escalation counts only alerts firing after the notification', () => {
    const g = group([alert('A', { severity: 'critical', status: 'resolved' })]);
    const known = [held('A', 1, { severity: 'critical' }), held('B', 2)];
    const u = planGroupUpdate(g, incident(), known, OPTIONS, NOW, false);
    expect(u.patch.severity).toBeUndefined();
  });

  test('the last alert resolving resolves the incident', () => {
    const g = group([alert('A', { status: 'resolved', endsAt: NOW })]);
    const u = planGroupUpdate(g, incident(), [held('A', 1)], OPTIONS, NOW, false);
    expect(u.action).toBe('resolved');
    expect(u.patch).toMatchObject({ status: 'resolved', alertsState: 'resolved', resolvedAt: NOW });
    expect(u.events.map((e) => e.event.kind)).toEqual(['alertResolved', 'resolved']);
  });

  test('an alert resolving while others fire leaves the incident open', () => {
    const g = group([alert('A', { status: 'resolved', endsAt: NOW })]);
    const u = planGroupUpdate(g, incident(), [held('A', 1), held('B', 2)], OPTIONS, NOW, false);
    expect(u.action).toBe('updated');
    expect(u.patch).toEqual({});
  });
});
