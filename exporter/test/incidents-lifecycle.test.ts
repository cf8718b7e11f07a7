import { type Action, type LifecycleState, plan, TransitionError } from '../src/incidents/lifecycle';
import type { Status } from '../src/incidents/model';
import { lifecycleState } from './support/lifecycle-state';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const state = lifecycleState;
const resolved = (o: Partial<LifecycleState> = {}) =>
  state({ status: 'resolved', resolvedAt: NOW - 60_000, resolvedBy: 'bob', ...o });

function refusal(s: LifecycleState, a: Action): TransitionError {
  try {
    plan(s, a, 'alice', NOW);
  } catch (err) {
    if (err instanceof TransitionError) return err;
    throw err;
  }
  throw new Error('expected the transition to be refused');
}

describe('status transitions', () => {
  const open: Status[] = ['investigating', 'identified', 'monitoring'];

  test.each(open.flatMap((from) => open.filter((to) => to !== from).map((to) => [from, to])))(
    '%s → %s is allowed and recorded',
    (from, to) => {
      const out = plan(state({ status: from }), { type: 'status', to }, 'alice', NOW);
      expect(out.patch).toEqual({ status: to });
      expect(out.events).toEqual([
        {
          kind: 'statusChanged',
          message: `Status changed from ${from} to ${to}`,
          data: { from, to, note: null },
        },
      ]);
    },
  );

  test.each(open)('%s → resolved resolves with the author and time', (from) => {
    const out = plan(
      state({ status: from }),
      { type: 'status', to: 'resolved', note: 'rolled back' },
      'alice',
      NOW,
    );
    expect(out.patch).toEqual({
      status: 'resolved',
      resolvedAt: NOW,
      resolvedBy: 'alice',
      resolutionNote: 'rolled back',
    });
    expect(out.events[0]).toMatchObject({ kind: 'resolved', message: 'Resolved by alice: rolled back' });
  });

  test('resolved → investigating reopens and counts the reopening', () => {
    const out = plan(resolved({ reopenCount: 2 }), { type: 'status', to: 'investigating' }, 'alice', NOW);
    expect(out.patch).toEqual({
      status: 'investigating',
      resolvedAt: null,
      resolvedBy: null,
      resolutionNote: null,
      reopenCount: 3,
    });
    expect(out.events[0]).toMatchObject({ kind: 'reopened', message: 'Reopened by alice' });
  });

  test.each(['identified', 'monitoring'] as const)('resolved → %s is refused with 409', (to) => {
    const err = refusal(resolved(), { type: 'status', to });
    expect(err.status).toBe(409);
    expect(err.code).toBe('invalid_transition');
    expect(err.message).toBe(
      `incident 7 is resolved; it can only be reopened as investigating, not moved to ${to} directly`,
    );
  });

  test.each([...open, 'resolved'] as Status[])('%s → itself is refused with 409', (s) => {
    const err = refusal(s === 'resolved' ? resolved() : state({ status: s }), { type: 'status', to: s });
    expect(err.status).toBe(409);
    expect(err.message).toBe(`incident 7 is already ${s}`);
  });
});

describe('resolve', () => {
  test('an open incident resolves with an optional note', () => {
    const out = plan(state(), { type: 'resolve' }, 'alice', NOW);
    expect(out.patch).toMatchObject({ status: 'resolved', resolutionNote: null });
    expect(out.events[0].message).toBe('Resolved by alice');
  });

  test('a resolved incident cannot be resolved again', () => {
    expect(refusal(resolved(), { type: 'resolve' }).message).toBe(
      `incident 7 is already resolved by bob at ${new Date(NOW - 60_000).toISOString()}`,
    );
  });
});

describe('acknowledgement', () => {
  test('an open incident is acknowledged by the author at the time', () => {
    const out = plan(state(), { type: 'acknowledge' }, 'alice', NOW);
    expect(out.patch).toEqual({ acknowledgedBy: 'alice', acknowledgedAt: NOW });
    expect(out.events).toEqual([{ kind: 'acknowledged', message: 'Acknowledged by alice', data: null }]);
  });

  test('acknowledging twice names who acknowledged first', () => {
    const s = state({ acknowledgedBy: 'bob', acknowledgedAt: NOW - 1000 });
    expect(refusal(s, { type: 'acknowledge' }).message).toBe(
      `incident 7 is already acknowledged by bob at ${new Date(NOW - 1000).toISOString()}`,
    );
  });

  test('a resolved incident cannot be acknowledged', () => {
    expect(refusal(resolved(), { type: 'acknowledge' }).message).toMatch(/is resolved; reopen it/);
  });

  test('unacknowledging clears the acknowledgement and names whose it was', () => {
    const out = plan(
      state({ acknowledgedBy: 'bob', acknowledgedAt: NOW - 1 }),
      { type: 'unacknowledge' },
      'alice',
      NOW,
    );
    expect(out.patch).toEqual({ acknowledgedBy: null, acknowledgedAt: null });
    expect(out.events[0].message).toBe('Acknowledgement by bob withdrawn by alice');
  });

  test('unacknowledging an unacknowledged incident is refused', () => {
    expect(refusal(state(), { type: 'unacknowledge' }).message).toBe('incident 7 is not acknowledged');
  });
});

describe('assignment, severity, notes', () => {
  test('assigning records the previous assignee', () => {
    const out = plan(state({ assignee: 'bob' }), { type: 'assign', assignee: 'carol' }, 'alice', NOW);
    expect(out.patch).toEqual({ assignee: 'carol' });
    expect(out.events[0]).toEqual({
      kind: 'assigned',
      message: 'Assigned to carol (was bob)',
      data: { from: 'bob', to: 'carol' },
    });
  });

  test('assigning to the current assignee is refused', () => {
    expect(refusal(state({ assignee: 'bob' }), { type: 'assign', assignee: 'bob' }).message).toBe(
      'incident 7 is already assigned to bob',
    );
  });

  test('unassigning an unassigned incident is refused', () => {
    expect(refusal(state(), { type: 'assign', assignee: null }).message).toBe('incident 7 is not assigned');
  });

  test('a resolved incident may be reclassified', () => {
    const out = plan(resolved(), { type: 'severity', to: 'low', note: 'no customer impact' }, 'alice', NOW);
    expect(out.events[0].message).toBe('Severity changed from high to low: no customer impact');
  });

  test('setting the current severity is refused', () => {
    expect(refusal(state(), { type: 'severity', to: 'high' }).message).toBe(
      'incident 7 already has severity high',
    );
  });

  test('a note changes nothing but the timeline', () => {
    expect(plan(resolved(), { type: 'note', text: 'postmortem on Monday' }, 'alice', NOW)).toEqual({
      patch: {},
      events: [{ kind: 'note', message: 'postmortem on Monday', data: null }],
    });
  });
});
