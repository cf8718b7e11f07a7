/*
 * The states of issue 18's incident views that the page tests leave out: loading, empty and error
 * for the quick actions, the New incident dialog, the raw payloads, the timeline's notification
 * history, the postmortem and the detail page itself.
 */
import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TimelineEvent } from '../../api/types';
import { FakeBackend, apiError } from '../../test/backend';
import { emptyIncidentStats, incident, incidentList } from '../../test/fixtures';
import { renderAt, signInAs } from '../../test/render';
import { AlertPayloads } from './AlertPayloads';
import IncidentDetailPage from './IncidentDetailPage';
import IncidentsPage from './IncidentsPage';
import { postmortemMarkdown } from './postmortem';
import { Timeline } from './Timeline';

// userEvent typing through Grafana's inputs takes seconds on a busy shared machine.
jest.setTimeout(30_000);

const LIST = '/a/perfwatch-app/incidents';

const event = (id: number, over: Partial<TimelineEvent>): TimelineEvent => ({
  id,
  kind: 'note',
  author: 'alertmanager',
  tokenName: null,
  at: '2026-11-22T09:00:00.000Z',
  message: '',
  data: null,
  ...over,
});

describe('Incident quick actions: states', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents/stats', emptyIncidentStats());
    backend.on(
      'GET',
      '/incidents',
      incidentList([incident(), incident({ id: 18, title: 'Errors on /login' })]),
    );
  });

  const openList = async () => {
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await screen.findByTestId('data-testid inc-table');
  };

  it("disable every row's actions while one runs, so no second call races it", async () => {
    backend.hang('POST', '/incidents/bulk/acknowledge');
    await openList();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge Errors on /login' }));
    expect(screen.getByRole('button', { name: 'Acknowledge HighLatency on GET /checkout' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Resolve Errors on /login' })).toBeDisabled();
  });

  it('say why the exporter refused the action', async () => {
    backend.on('POST', '/incidents/bulk/acknowledge', apiError('unavailable', 'store is down'), 503);
    await openList();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge Errors on /login' }));
    expect(await screen.findByText(/store is down/)).toBeInTheDocument();
  });

  it('name the row the exporter could not change', async () => {
    backend.on('POST', '/incidents/bulk/resolve', {
      succeeded: 0,
      failed: 1,
      results: [{ id: 18, ok: false, error: { code: 'conflict', message: 'already resolved' } }],
    });
    await openList();
    await userEvent.click(screen.getByRole('button', { name: 'Resolve Errors on /login' }));
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    expect(await screen.findByText('0 resolved; 1 not: #18 already resolved')).toBeInTheDocument();
  });
});

describe('New incident dialog: states', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents/stats', emptyIncidentStats());
    backend.on('GET', '/incidents', incidentList([]));
  });

  const openDialog = async () => {
    renderAt(LIST, <IncidentsPage />, 'incidents');
    await userEvent.click(await screen.findByRole('button', { name: 'New incident' }));
  };

  it('cannot be sent without a title', async () => {
    await openDialog();
    const submit = screen.getByRole('button', { name: 'Open incident' });
    expect(submit).toBeDisabled();
    await userEvent.type(screen.getByLabelText('Incident title'), '   ');
    expect(submit).toBeDisabled();
  });

  it('cannot be sent twice while the exporter opens the incident', async () => {
    backend.hang('POST', '/incidents');
    await openDialog();
    await userEvent.type(screen.getByLabelText('Incident title'), 'Card payments fail');
    await userEvent.click(screen.getByRole('button', { name: 'Open incident' }));
    expect(screen.getByRole('button', { name: 'Open incident' })).toBeDisabled();
    expect(backend.callsTo('POST', '/incidents')).toHaveLength(1);
  });
});

describe('Raw alert payloads: states', () => {
  it('shows nothing for an incident opened by hand, which has no alerts', () => {
    const { container } = render(<AlertPayloads alerts={[]} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('folds one payload per alert, closed until asked', () => {
    const [first] = incident().alerts!;
    render(<AlertPayloads alerts={[first, { ...first, fingerprint: 'ffee00' }]} />);
    expect(screen.getByText('Raw payload: HighLatency (a1b2c3)')).toBeInTheDocument();
    expect(screen.getByText('Raw payload: HighLatency (ffee00)')).toBeInTheDocument();
    expect(screen.queryByText(/"fingerprint"/)).not.toBeInTheDocument();
  });
});

describe('Incident timeline: states', () => {
  it('says there are no events yet', () => {
    render(<Timeline events={[]} />);
    expect(screen.getByText('No events yet.')).toBeInTheDocument();
  });

  it('says when only the latest events are kept', () => {
    render(<Timeline events={[event(1, { message: 'Looking' })]} truncated />);
    expect(screen.getByText('Only the latest events are shown.')).toBeInTheDocument();
  });

  it('shows the escalation as one notification per change, with how often each was repeated', () => {
    const notified = (
      id: number,
      at: string,
      message: string,
      data: Record<string, unknown>,
    ): TimelineEvent => event(id, { kind: 'notified', at, message, data });
    render(
      <Timeline
        events={[
          notified(
            3,
            '2026-11-22T09:10:00.000Z',
            'Alertmanager notified to critical: firing (critical), 1 firing',
            {
              repeats: 0,
              lastAt: null,
            },
          ),
          notified(
            2,
            '2026-11-22T09:00:00.000Z',
            'Alertmanager notified to perfwatch: firing (medium), 1 firing',
            {
              repeats: 2,
              lastAt: '2026-11-22T09:08:00.000Z',
            },
          ),
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      '2026-11-22 09:00:00 notified by alertmanagerAlertmanager notified to perfwatch: firing (medium), 1 firingrepeated 2×, last at 2026-11-22 09:08:00',
      '2026-11-22 09:10:00 notified by alertmanagerAlertmanager notified to critical: firing (critical), 1 firing',
    ]);
    expect(within(items[0]).getByText('repeated 2×, last at 2026-11-22 09:08:00')).toBeInTheDocument();
  });
});

describe('Postmortem markdown: states', () => {
  it('says what a hand-opened incident without alerts, events or people lacks', () => {
    const md = postmortemMarkdown(
      incident({
        source: 'manual',
        alerts: [],
        timeline: [],
        labels: {},
        alertCounts: { firing: 0, resolved: 0 },
      }),
    );
    expect(md).toContain('- **Resolved:** not yet');
    expect(md).toContain('- **Acknowledged:** no');
    expect(md).toContain('- **Assignee:** nobody');
    expect(md).toContain('None: the incident was opened by hand.');
    expect(md).not.toContain('**Labels:**');
  });

  it('warns that earlier events are missing when the timeline was cut', () => {
    expect(postmortemMarkdown(incident({ timelineTruncated: true }))).toContain(
      '_Only the latest events were kept; earlier ones are missing._',
    );
  });
});

describe('Incident detail page: states', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    signInAs('Editor');
    backend = new FakeBackend().install();
  });

  it('shows a loading state until the exporter answers', async () => {
    backend.hang('GET', '/incidents/17');
    renderAt(`${LIST}/17`, <IncidentDetailPage />, 'incidents/:id');
    expect(await screen.findByText('Loading the incident…')).toBeInTheDocument();
  });

  it('says in words that an incident does not exist', async () => {
    backend.on('GET', '/incidents/99', apiError('not_found', 'incident 99 not found'), 404);
    renderAt(`${LIST}/99`, <IncidentDetailPage />, 'incidents/:id');
    expect(await screen.findByText('Could not load the incident')).toBeInTheDocument();
    expect(screen.getByText(/incident 99 not found/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });
});
