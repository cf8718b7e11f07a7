import type { EventKind, Severity, Status } from './model';

/**
 * The incident state machine, free of storage: given the current state and a person's action it
 * returns the changes and the timeline events, or throws a TransitionError explaining why not.
 *
 *   investigating ⇄ identified ⇄ monitoring   (any open status to any other, people go back too)
 *   any open status → resolved                  (resolve, with an optional resolution note)
 *   resolved → investigating                    (reopen; the only way out of resolved)
 *
 * Acknowledging needs an open, unacknowledged incident; notes, assignment and severity changes are
 * allowed in every status (a review may reclassify a resolved incident). An action that would change
 * nothing is a conflict too, so a client never believes it did something it did not.
 */

export interface LifecycleState {
  id: number;
  status: Status;
  severity: Severity;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  assignee: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  reopenCount: number;
}

export type Action =
  | { type: 'acknowledge' }
  | { type: 'unacknowledge' }
  | { type: 'assign'; assignee: string | null }
  | { type: 'status'; to: Status; note?: string }
  | { type: 'severity'; to: Severity; note?: string }
  | { type: 'note'; text: string }
  | { type: 'resolve'; note?: string };

export interface PlannedEvent {
  kind: EventKind;
  message: string;
  data: Record<string, unknown> | null;
}

export interface Outcome {
  patch: Partial<LifecycleState>;
  events: PlannedEvent[];
}

/** A refused transition; the API answers it with `status` and this message. */
export class TransitionError extends Error {
  constructor(
    readonly status: 409 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const conflict = (message: string) => new TransitionError(409, 'invalid_transition', message);
const iso = (ms: number) => new Date(ms).toISOString();
const withNote = (message: string, note?: string) => (note ? `${message}: ${note}` : message);

export function plan(state: LifecycleState, action: Action, author: string, now: number): Outcome {
  const ref = `incident ${state.id}`;
  switch (action.type) {
    case 'acknowledge':
      if (state.status === 'resolved')
        throw conflict(`${ref} is resolved; reopen it (status investigating) before acknowledging`);
      if (state.acknowledgedBy !== null)
        throw conflict(
          `${ref} is already acknowledged by ${state.acknowledgedBy} at ${iso(state.acknowledgedAt ?? now)}`,
        );
      return {
        patch: { acknowledgedBy: author, acknowledgedAt: now },
        events: [{ kind: 'acknowledged', message: `Acknowledged by ${author}`, data: null }],
      };

    case 'unacknowledge':
      if (state.acknowledgedBy === null) throw conflict(`${ref} is not acknowledged`);
      return {
        patch: { acknowledgedBy: null, acknowledgedAt: null },
        events: [
          {
            kind: 'unacknowledged',
            message: `Acknowledgement by ${state.acknowledgedBy} withdrawn by ${author}`,
            data: { previous: state.acknowledgedBy },
          },
        ],
      };

    case 'assign':
      if (action.assignee === state.assignee)
        throw conflict(
          action.assignee === null
            ? `${ref} is not assigned`
            : `${ref} is already assigned to ${action.assignee}`,
        );
      return {
        patch: { assignee: action.assignee },
        events: [
          {
            kind: 'assigned',
            message:
              action.assignee === null
                ? `Unassigned (was ${state.assignee})`
                : `Assigned to ${action.assignee}${state.assignee ? ` (was ${state.assignee})` : ''}`,
            data: { from: state.assignee, to: action.assignee },
          },
        ],
      };

    case 'status': {
      const { to } = action;
      if (to === state.status) throw conflict(`${ref} is already ${to}`);
      if (to === 'resolved') return plan(state, { type: 'resolve', note: action.note }, author, now);
      if (state.status === 'resolved') {
        if (to !== 'investigating')
          throw conflict(
            `${ref} is resolved; it can only be reopened as investigating, not moved to ${to} directly`,
          );
        return reopen(state, author, action.note);
      }
      return {
        patch: { status: to },
        events: [
          {
            kind: 'statusChanged',
            message: withNote(`Status changed from ${state.status} to ${to}`, action.note),
            data: { from: state.status, to, note: action.note ?? null },
          },
        ],
      };
    }

    case 'severity':
      if (action.to === state.severity) throw conflict(`${ref} already has severity ${action.to}`);
      return {
        patch: { severity: action.to },
        events: [
          {
            kind: 'severityChanged',
            message: withNote(`Severity changed from ${state.severity} to ${action.to}`, action.note),
            data: { from: state.severity, to: action.to, note: action.note ?? null },
          },
        ],
      };

    case 'note':
      return { patch: {}, events: [{ kind: 'note', message: action.text, data: null }] };

    case 'resolve':
      if (state.status === 'resolved')
        throw conflict(
          `${ref} is already resolved${state.resolvedBy ? ` by ${state.resolvedBy}` : ''} at ${iso(state.resolvedAt ?? now)}`,
        );
      return {
        patch: {
          status: 'resolved',
          resolvedAt: now,
          resolvedBy: author,
          resolutionNote: action.note ?? null,
        },
        events: [
          {
            kind: 'resolved',
            message: withNote(`Resolved by ${author}`, action.note),
            data: { from: state.status, note: action.note ?? null },
          },
        ],
      };
  }
}

/** Back to investigating: by a person (status change) or by an alert firing again soon after. */
export function reopen(state: LifecycleState, author: string, note?: string): Outcome {
  return {
    patch: {
      status: 'investigating',
      resolvedAt: null,
      resolvedBy: null,
      resolutionNote: null,
      reopenCount: state.reopenCount + 1,
    },
    events: [
      {
        kind: 'reopened',
        message: withNote(`Reopened by ${author}`, note),
        data: { resolvedAt: state.resolvedAt === null ? null : iso(state.resolvedAt), note: note ?? null },
      },
    ],
  };
}
