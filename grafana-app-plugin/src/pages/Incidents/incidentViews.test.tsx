import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import type { IncidentDetail } from '../../api/types';
import { FakeBackend, apiError } from '../../test/backend';
import { emptyIncidentStats, incident, incidentList } from '../../test/fixtures';
import { measureTextOnCanvas } from '../../test/canvas';
import { renderAt, signInAs } from '../../test/render';
import { toCreateBody } from '../../api/client';
import IncidentDetailPage from './IncidentDetailPage';
import IncidentsPage from './IncidentsPage';
import { postmortemMarkdown } from './postmortem';
import { REFRESH_MS } from './useIncident';

jest.setTimeout(30_000);
// The detail page's assignee picker is a Combobox, which measures its labels on a canvas.
measureTextOnCanvas();

const LIST = '/a/perfwatch-app/incidents';
const list = incidentList;
const stats = emptyIncidentStats();
const bulkOk = (id: number) => ({ succeeded: 1, failed: 0, results: [{ id, ok: true }] });

describe('Incident quick actions', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents/stats', stats);
    backend.on('GET', '/incidents', list([incident(), incident({ id: 18, title: 'Errors on /login' })]));
  });

  it('acknowledge one row without selecting it', async () => {
    backend.on('POST', '/incidents/bulk/acknowledge', bulkOk(18));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge Errors on /login' }));
    await screen.findByText('1 incident acknowledged.');
    expect(backend.callsTo('POST', '/incidents/bulk/acknowledge')[0].body).toEqual({ ids: [18] });
  });

  it('resolve one row with a note', async () => {
    backend.on('POST', '/incidents/bulk/resolve', bulkOk(17));
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    await userEvent.click(screen.getByRole('button', { name: 'Resolve HighLatency on GET /checkout' }));
    expect(screen.getByText('Resolve incident')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Resolution note'), 'Scaled the pool');
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    await screen.findByText('1 incident resolved.');
    expect(backend.callsTo('POST', '/incidents/bulk/resolve')[0].body).toEqual({
      ids: [17],
      note: 'Scaled the pool',
    });
  });

  it('are offered on open incidents only, and disabled for viewers', async () => {
    signInAs('Viewer');
    backend.on(
      'GET',
      '/incidents',
      list([incident(), incident({ id: 18, title: 'Done', status: 'resolved' })]),
    );
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
    expect(screen.queryByRole('button', { name: /^Resolve Done/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Acknowledge HighLatency on GET \/checkout/ })).toBeDisabled();
  });
});

describe('Manual incident creation', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents/stats', stats);
    backend.on('GET', '/incidents', list([]));
  });

  it('opens an incident with its root cause and goes to it', async () => {
    backend.on('POST', '/incidents', incident({ id: 42, title: 'Card payments fail' }), 201);
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByText('No incidents match these filters');
    await userEvent.click(screen.getByRole('button', { name: 'New incident' }));
    await userEvent.type(screen.getByLabelText('Incident title'), 'Card payments fail');
    await userEvent.type(screen.getByLabelText('Root cause'), 'Provider rate limit');
    await userEvent.type(screen.getByLabelText('Incident labels'), 'route=/api/checkout');
    await userEvent.click(screen.getByRole('button', { name: 'Open incident' }));
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(`${LIST}/42`));
    expect(backend.callsTo('POST', '/incidents')[0].body).toEqual({
      title: 'Card payments fail',
      severity: 'high',
      description: 'Root cause: Provider rate limit',
      status: 'identified',
      labels: { route: '/api/checkout' },
    });
  });

  it("shows the exporter's refusal and keeps the form", async () => {
    backend.on('POST', '/incidents', apiError('bad_request', 'title: too long'), 400);
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByText('No incidents match these filters');
    await userEvent.click(screen.getByRole('button', { name: 'New incident' }));
    await userEvent.type(screen.getByLabelText('Incident title'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Open incident' }));
    expect(await screen.findByText('Could not open the incident')).toBeInTheDocument();
    expect(screen.getByText(/title: too long/)).toBeInTheDocument();
    expect(screen.getByLabelText('Incident title')).toHaveValue('x');
  });

  it('leaves out what was not filled in', () => {
    expect(
      toCreateBody({ title: ' Slow ', severity: 'low', description: '', rootCause: ' ', labels: 'junk' }),
    ).toEqual({
      title: 'Slow',
      severity: 'low',
    });
  });

  it('is not offered to viewers', async () => {
    signInAs('Viewer');
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByText('No incidents match these filters');
    expect(screen.getByRole('button', { name: 'New incident' })).toHaveAttribute('aria-disabled', 'true');
  });
});

describe('Incident detail extras', () => {
  let backend: FakeBackend;
  let current: IncidentDetail;
  beforeEach(() => {
    signInAs('Editor', 'alice');
    current = incident();
    backend = new FakeBackend().install();
    backend.handle('GET', '/incidents/17', () => ({ status: 200, body: current }));
  });
  afterEach(() => jest.useRealTimers());

  const open = async () => {
    renderAt(`${LIST}/17`, <IncidentDetailPage />, 'incidents/:id');
    return screen.findByTestId('data-testid inc-detail');
  };

  it('refreshes itself and shows what others added', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    await open();
    current = {
      ...current,
      timeline: [
        ...current.timeline,
        {
          id: 2,
          kind: 'note',
          author: 'bob',
          tokenName: null,
          at: '2026-11-22T09:10:00.000Z',
          message: 'Looking at the pool',
          data: null,
        },
      ],
    };
    await act(async () => {
      jest.advanceTimersByTime(REFRESH_MS);
    });
    expect(
      await within(screen.getByTestId('data-testid inc-timeline')).findByText('Looking at the pool'),
    ).toBeInTheDocument();
  });

  it('says when a refresh fails and keeps what it showed', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    await open();
    backend.on('GET', '/incidents/17', apiError('unavailable', 'store is down'), 503);
    await act(async () => {
      jest.advanceTimersByTime(REFRESH_MS);
    });
    expect(await screen.findByText(/Could not refresh the incident: .*store is down/)).toBeInTheDocument();
    expect(screen.getByText('HighLatency on GET /checkout')).toBeInTheDocument();
  });

  it('shows the raw payload of each alert on demand', async () => {
    await open();
    const payloads = screen.getByTestId('data-testid inc-alert-payloads');
    expect(within(payloads).queryByText(/"fingerprint": "a1b2c3"/)).not.toBeInTheDocument();
    fireEvent.click(within(payloads).getByText('Raw payload: HighLatency (a1b2c3)'));
    expect(
      within(payloads).getByText(/"summary": "p95 of \/checkout is 1.4 s \(target 300 ms\)"/),
    ).toBeInTheDocument();
  });

  it('exports a postmortem draft from the timeline as Markdown', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = jest.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:md';
    });
    URL.revokeObjectURL = jest.fn();
    const downloads: string[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    await open();
    fireEvent.click(screen.getByRole('button', { name: 'Export postmortem (Markdown)' }));
    expect(downloads).toEqual(['incident-17-postmortem.md']);
    expect(blobs[0].type).toBe('text/markdown;charset=utf-8');
  });
});

describe('Postmortem markdown', () => {
  it('holds the facts, the alerts and the timeline in order', () => {
    const md = postmortemMarkdown(
      incident({
        resolvedAt: '2026-11-22T10:00:00.000Z',
        resolvedBy: 'bob',
        resolutionNote: 'Rolled back',
        timeline: [
          {
            id: 3,
            kind: 'resolved',
            author: 'bob',
            tokenName: null,
            at: '2026-11-22T10:00:00.000Z',
            message: 'Rolled back',
            data: null,
          },
          {
            id: 1,
            kind: 'alertFired',
            author: 'alertmanager',
            tokenName: null,
            at: '2026-11-22T09:00:00.000Z',
            message: 'HighLatency firing',
            data: null,
          },
        ],
      }),
    );
    expect(md).toContain('# Postmortem: HighLatency on GET /checkout');
    expect(md).toContain('- **Resolved:** 2026-11-22 10:00:00 by bob');
    expect(md).toContain(
      '| HighLatency | firing | 2026-11-22 09:00:00 | – | p95 of /checkout is 1.4 s (target 300 ms) |',
    );
    const fired = md.indexOf('- **2026-11-22 09:00:00** alert fired by alertmanager: HighLatency firing');
    const resolved = md.indexOf('- **2026-11-22 10:00:00** resolved by bob: Rolled back');
    expect(fired).toBeGreaterThan(0);
    expect(resolved).toBeGreaterThan(fired);
  });
});
