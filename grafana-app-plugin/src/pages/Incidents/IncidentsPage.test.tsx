import React from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import userEvent from '@testing-library/user-event';
import type { IncidentStats } from '../../api/types';
import { FakeBackend, apiError } from '../../test/backend';
import { incident, incidentList } from '../../test/fixtures';
import { currentSearch, renderAt, signInAs } from '../../test/render';
import IncidentsPage from './IncidentsPage';
import { alertSummary } from './incidentText';

// userEvent typing through Grafana's inputs takes several seconds on a busy shared CI machine.
jest.setTimeout(30_000);

const LIST = '/a/perfwatch-app/incidents';

const list = incidentList;
const duration = (meanSeconds: number) => ({
  count: 2,
  meanSeconds,
  medianSeconds: meanSeconds,
  p90Seconds: meanSeconds,
});
const stats: IncidentStats = {
  from: '2026-11-15T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  total: 4,
  open: 2,
  unacknowledged: 1,
  bySeverity: { critical: 1, high: 2, medium: 1, low: 0 },
  byStatus: { investigating: 1, identified: 1, monitoring: 0, resolved: 2 },
  bySource: { alertmanager: 3, manual: 1 },
  mtta: duration(330),
  mttr: duration(2 * 3600 + 15 * 60),
  truncated: false,
};

describe('Incidents page', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents/stats', stats);
  });

  it('shows a loading state until the exporter answers', async () => {
    backend.hang('GET', '/incidents');
    renderAt(LIST, <IncidentsPage />, 'incidents');
    expect(await screen.findByText('Loading incidents…')).toBeInTheDocument();
  });

  it('explains an empty list', async () => {
    backend.on('GET', '/incidents', list([]));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    expect(await screen.findByText('No incidents match these filters')).toBeInTheDocument();
  });

  it('shows the error in words', async () => {
    backend.on(
      'GET',
      '/incidents',
      apiError('bad_request', 'severity: expected one of low, medium, high, critical'),
      400,
    );
    renderAt(LIST, <IncidentsPage />, 'incidents');
    expect(await screen.findByText('Could not load incidents')).toBeInTheDocument();
    expect(screen.getByText(/expected one of low/)).toBeInTheDocument();
  });

  it('lists incidents with status, severity, assignee and alert count, and the MTTA/MTTR tiles', async () => {
    backend.on(
      'GET',
      '/incidents',
      list([
        incident(),
        incident({
          id: 18,
          title: 'Errors on /login',
          severity: 'high',
          status: 'identified',
          assignee: 'bob',
          alertCounts: { firing: 2, resolved: 1 },
          acknowledgedBy: 'bob',
        }),
      ]),
    );
    renderAt(LIST, <IncidentsPage />, 'incidents');
    const table = await screen.findByTestId('data-testid inc-table');
    expect(within(table).getByText('HighLatency on GET /checkout').closest('a')?.getAttribute('href')).toBe(
      '/a/perfwatch-app/incidents/17',
    );
    expect(within(table).getByText('Investigating')).toBeInTheDocument();
    expect(within(table).getByText('Critical')).toBeInTheDocument();
    expect(within(table).getByText('bob')).toBeInTheDocument();
    expect(within(table).getByText('Acknowledged by bob')).toBeInTheDocument();
    expect(within(table).getByText('Not acknowledged')).toBeInTheDocument();
    expect(within(table).getByText('2 firing, 1 resolved')).toBeInTheDocument();
    expect(await within(screen.getByTestId('data-testid inc-mtta')).findByText('5 min')).toBeInTheDocument();
    expect(within(screen.getByTestId('data-testid inc-mttr')).getByText('2 h 15 min')).toBeInTheDocument();
  });

  it('asks for open incidents by default and puts filter changes in the URL', async () => {
    backend.on('GET', '/incidents', list([incident()]));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    expect(backend.callsTo('GET', '/incidents')[0].query.getAll('status')).toEqual([
      'investigating',
      'identified',
      'monitoring',
    ]);

    await userEvent.click(screen.getByRole('button', { name: 'Critical' }));
    await waitFor(() => expect(currentSearch().getAll('severity')).toEqual(['critical']));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/incidents').at(-1)?.query.getAll('severity')).toEqual(['critical']),
    );

    await userEvent.type(screen.getByLabelText('Label filter'), 'route=/checkout{Enter}');
    await waitFor(() => expect(currentSearch().get('label')).toBe('route=/checkout'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/incidents').at(-1)?.query.get('label')).toBe('route=/checkout'),
    );
  });

  it('reads status and severity filters from the URL', async () => {
    backend.on('GET', '/incidents', list([incident()]));
    renderAt(
      `${LIST}?status=resolved&severity=high&severity=low&assignee=alice`,
      <IncidentsPage />,
      'incidents',
    );
    await screen.findByTestId('data-testid inc-table');
    const query = backend.callsTo('GET', '/incidents')[0].query;
    expect(query.getAll('status')).toEqual(['resolved']);
    expect(query.getAll('severity')).toEqual(['high', 'low']);
    expect(query.get('assignee')).toBe('alice');
  });

  it('acknowledges the selected incidents in one bulk call', async () => {
    backend.on('GET', '/incidents', list([incident(), incident({ id: 18, title: 'Errors on /login' })]));
    backend.on('POST', '/incidents/bulk/acknowledge', {
      succeeded: 2,
      failed: 0,
      results: [
        { id: 17, ok: true },
        { id: 18, ok: true },
      ],
    });
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByLabelText('Select all on this page'));
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    await screen.findByText('2 incidents acknowledged.');
    expect(backend.callsTo('POST', '/incidents/bulk/acknowledge')[0].body).toEqual({ ids: [17, 18] });
  });

  it('forgets the selection when the filter changes, so a bulk action never reaches hidden rows', async () => {
    backend.on('GET', '/incidents', list([incident(), incident({ id: 18, title: 'Errors on /login' })]));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByLabelText('Select all on this page'));
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    backend.on('GET', '/incidents', list([incident({ id: 18, title: 'Errors on /login' })]));
    act(() => locationService.partial({ severity: 'critical' }));
    await waitFor(() => expect(screen.queryByText('HighLatency on GET /checkout')).not.toBeInTheDocument());
    expect(screen.queryByText(/^\d+ selected$/)).not.toBeInTheDocument();
    expect(screen.getByText('1 incident')).toBeInTheDocument();
  });

  it('resolves the selected incidents with one resolution note', async () => {
    backend.on('GET', '/incidents', list([incident(), incident({ id: 18, title: 'Errors on /login' })]));
    backend.on('POST', '/incidents/bulk/resolve', {
      succeeded: 1,
      failed: 0,
      results: [{ id: 18, ok: true }],
    });
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByLabelText('Select incident Errors on /login'));
    await userEvent.click(screen.getByRole('button', { name: 'Resolve…' }));
    await userEvent.type(screen.getByLabelText('Resolution note'), 'Deployed the fix');
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    await screen.findByText('1 incident resolved.');
    expect(backend.callsTo('POST', '/incidents/bulk/resolve')[0].body).toEqual({
      ids: [18],
      note: 'Deployed the fix',
    });
  });

  it('keeps bulk actions disabled for viewers', async () => {
    signInAs('Viewer');
    backend.on('GET', '/incidents', list([incident()]));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByLabelText('Select all on this page'));
    expect(screen.getByRole('button', { name: 'Acknowledge' })).toHaveAttribute('aria-disabled', 'true');
  });

  it('stores the auto-refresh interval in the URL', async () => {
    backend.on('GET', '/incidents', list([incident()]));
    renderAt(`${LIST}?refresh=30s`, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    expect(screen.getByText('30s')).toBeInTheDocument();
  });
});

describe('Alert counts', () => {
  it('read as firing and resolved', () => {
    expect(alertSummary(incident({ alertCounts: { firing: 1, resolved: 3 } }))).toBe('1 firing, 3 resolved');
    expect(alertSummary(incident({ alertCounts: { firing: 0, resolved: 0 } }))).toBe('–');
  });
});
