import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { IncidentDetail, TimelineEvent } from '../../api/types';
import { measureTextOnCanvas } from '../../test/canvas';
import { FakeBackend, apiError } from '../../test/backend';
import { incident } from '../../test/fixtures';
import { renderAt, signInAs } from '../../test/render';
import IncidentDetailPage from './IncidentDetailPage';

// userEvent typing through Grafana's inputs takes several seconds on a busy shared CI machine.
jest.setTimeout(30_000);

const LIST = '/a/perfwatch-app/incidents';

describe('Incident detail', () => {
  measureTextOnCanvas();
  let backend: FakeBackend;
  /** The incident as the exporter holds it; actions change it and answer with its summary. */
  let current: IncidentDetail;
  const strip = ({ alerts: _a, timeline: _t, timelineTruncated: _tt, ...rest }: IncidentDetail) => rest;
  const event = (id: number, kind: TimelineEvent['kind'], message: string): TimelineEvent => ({
    id,
    kind,
    author: 'alice',
    tokenName: 'grafana',
    at: '2026-11-22T09:05:00.000Z',
    message,
    data: null,
  });
  const onAction = (path: string, change: (body: Record<string, unknown>) => Partial<IncidentDetail>) =>
    backend.handle('POST', `/incidents/17/${path}`, (call) => {
      current = { ...current, ...change(call.body as Record<string, unknown>) };
      return { status: 200, body: strip(current) };
    });

  beforeEach(() => {
    signInAs('Editor', 'alice');
    current = incident();
    backend = new FakeBackend().install();
    backend.handle('GET', '/incidents/17', () => ({ status: 200, body: current }));
  });

  const open = async () => {
    renderAt(`${LIST}/17`, <IncidentDetailPage />, 'incidents/:id');
    return screen.findByTestId('data-testid inc-detail');
  };

  it('shows alerts with labels and runbook links, and the timeline', async () => {
    await open();
    expect(screen.getByText('p95 of /checkout is 1.4 s (target 300 ms)')).toBeInTheDocument();
    expect(screen.getByText('Runbook').closest('a')?.getAttribute('href')).toBe(
      'https://runbooks.example/latency',
    );
    expect(screen.getAllByText('route=/checkout').length).toBeGreaterThan(0);
    expect(
      within(screen.getByTestId('data-testid inc-timeline')).getByText('alert fired'),
    ).toBeInTheDocument();
  });

  it('acknowledges and shows the new state and timeline entry at once', async () => {
    await open();
    onAction('acknowledge', () => ({
      acknowledged: true,
      acknowledgedBy: 'alice',
      acknowledgedAt: '2026-11-22T09:05:00.000Z',
      timeline: [...current.timeline, event(2, 'acknowledged', 'Acknowledged by alice')],
    }));
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(await screen.findByRole('button', { name: 'Unacknowledge' })).toBeInTheDocument();
    expect(
      within(screen.getByTestId('data-testid inc-timeline')).getByText('Acknowledged by alice'),
    ).toBeInTheDocument();
    expect(backend.callsTo('POST', '/incidents/17/acknowledge')[0].body).toEqual({});
  });

  it('changes status and severity through their endpoints', async () => {
    await open();
    onAction('status', (b) => ({ status: b.status as IncidentDetail['status'] }));
    onAction('severity', (b) => ({ severity: b.severity as IncidentDetail['severity'] }));
    await userEvent.click(screen.getByLabelText('Identified'));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/incidents/17/status')[0]?.body).toEqual({ status: 'identified' }),
    );
    await userEvent.click(screen.getByLabelText('High'));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/incidents/17/severity')[0]?.body).toEqual({ severity: 'high' }),
    );
    expect(await screen.findByText('Identified', { selector: 'span' })).toBeInTheDocument();
  });

  it('assigns to the signed-in user', async () => {
    await open();
    onAction('assign', (b) => ({ assignee: b.assignee as string }));
    await userEvent.click(screen.getByRole('button', { name: 'Assign to me' }));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/incidents/17/assign')[0]?.body).toEqual({ assignee: 'alice' }),
    );
    expect(await screen.findByDisplayValue('alice')).toBeInTheDocument();
  });

  it('adds a note and clears the field', async () => {
    await open();
    onAction('notes', (b) => ({ timeline: [...current.timeline, event(3, 'note', b.text as string)] }));
    await userEvent.type(screen.getByLabelText('Note'), 'DB failover in progress');
    await userEvent.click(screen.getByRole('button', { name: 'Add note' }));
    expect(await screen.findByText('DB failover in progress', { selector: 'div' })).toBeInTheDocument();
    expect(backend.callsTo('POST', '/incidents/17/notes')[0].body).toEqual({
      text: 'DB failover in progress',
    });
    expect(screen.getByLabelText('Note')).toHaveValue('');
  });

  it('resolves with a note', async () => {
    await open();
    onAction('resolve', (b) => ({
      status: 'resolved',
      resolvedAt: '2026-11-22T10:00:00.000Z',
      resolutionNote: b.note as string,
    }));
    await userEvent.click(screen.getByRole('button', { name: /Resolve…/ }));
    await userEvent.type(screen.getByLabelText('Resolution note'), 'Rolled back');
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/incidents/17/resolve')[0]?.body).toEqual({ note: 'Rolled back' }),
    );
    expect(await screen.findByText('Lasted')).toBeInTheDocument();
    expect(screen.getByText(/Resolution: Rolled back/)).toBeInTheDocument();
  });

  it('silences the alerts for the chosen duration and can lift the silence', async () => {
    await open();
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    backend.handle('POST', '/incidents/17/silence', () => {
      current = { ...current, silencedUntil: until };
      return {
        status: 200,
        body: { incident: strip(current), silences: [{ id: 's1', fingerprint: 'a1b2c3' }], until },
      };
    });
    await userEvent.click(screen.getByRole('button', { name: /Silence for/ }));
    fireEvent.click(await screen.findByText('2 hours'));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/incidents/17/silence')[0]?.body).toEqual({ durationMinutes: 120 }),
    );
    expect(await screen.findByText('Silenced until')).toBeInTheDocument();
    backend.on('POST', '/incidents/17/unsilence', { expired: ['s1'] });
    await userEvent.click(screen.getByRole('button', { name: 'Unsilence' }));
    await waitFor(() => expect(backend.callsTo('POST', '/incidents/17/unsilence')).toHaveLength(1));
  });

  it('shows a diagnostics snapshot from the timeline in words', async () => {
    current = incident({
      timeline: [
        {
          ...event(4, 'diagnostics', 'Diagnostics snapshot (opened)'),
          data: {
            takenAt: '2026-11-22T09:00:01.000Z',
            reason: 'opened',
            slowQueries: {
              status: 'ok',
              windowMinutes: 15,
              items: [
                {
                  fingerprintId: '0123456789abcdef',
                  fingerprint: 'select * from orders',
                  count: 40,
                  p95Seconds: 0.9,
                  maxSeconds: 2,
                },
              ],
            },
            process: { status: 'error', message: 'cpu sampling failed' },
          },
        },
      ],
    });
    await open();
    expect(screen.getByText('select * from orders').closest('a')?.getAttribute('href')).toBe(
      '/a/perfwatch-app/slow-queries/0123456789abcdef',
    );
    expect(screen.getByText('error: cpu sampling failed')).toBeInTheDocument();
  });

  it('reports an action as done when only the refresh after it fails', async () => {
    await open();
    onAction('acknowledge', () => ({ acknowledgedBy: 'alice' }));
    backend.on('GET', '/incidents/17', apiError('internal', 'store unavailable'), 500);
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(
      await screen.findByText(/Acknowledge done, but the incident could not be read again/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Acknowledge failed/)).not.toBeInTheDocument();
  });

  it('shows why an action failed', async () => {
    await open();
    backend.on(
      'POST',
      '/incidents/17/acknowledge',
      apiError('invalid_transition', 'incident 17 is resolved; reopen it first'),
      409,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(await screen.findByText(/reopen it first/)).toBeInTheDocument();
  });

  it('disables every action for viewers', async () => {
    signInAs('Viewer');
    await open();
    // Grafana's buttons with a tooltip stay focusable when disabled, so the tooltip can say why.
    expect(screen.getByRole('button', { name: 'Acknowledge' })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('button', { name: /Resolve…/ })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('button', { name: 'Add note' })).toBeDisabled();
  });

  it('links to the slow queries around the incident', async () => {
    await open();
    const href = screen.getByText('Slow queries in this window').closest('a')?.getAttribute('href') ?? '';
    const params = new URLSearchParams(href.split('?')[1]);
    expect(Number(params.get('from'))).toBe(Date.parse('2026-11-22T09:00:00.000Z') - 15 * 60_000);
  });

  it("links to the bundled HTTP dashboard for the incident's route and window", async () => {
    await open();
    const href = screen.getByText('HTTP dashboard').closest('a')?.getAttribute('href') ?? '';
    expect(href.split('?')[0]).toBe('/d/perfwatch-http');
    const params = new URLSearchParams(href.split('?')[1]);
    expect(params.get('var-route')).toBe('/checkout');
    expect(Number(params.get('from'))).toBe(Date.parse('2026-11-22T09:00:00.000Z') - 15 * 60_000);
  });
});
