import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeBackend, apiError } from '../../test/backend';
import { incident, incidentList, slaHistory, slaReport } from '../../test/fixtures';
import { currentSearch, renderAt } from '../../test/render';
import SlaPage from './SlaPage';
import SlaPrintPage from './SlaPrintPage';
import { SLA_CSV_HEADER, slaCsvRow } from './slaCsv';
import { sortEndpoints } from './slaEndpoint';

const SLA = '/a/perfwatch-app/sla';
const noIncidents = incidentList([]);

describe('SLA reports page', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents', noIncidents).on('GET', '/sla/history', slaHistory());
  });

  it('says when the data does not cover the period, and shows the months below the report', async () => {
    const coverage = slaHistory().months[0].coverage;
    backend.on('GET', '/sla/report', { ...slaReport(), coverage });
    renderAt(SLA, <SlaPage />, 'sla');
    expect(await screen.findByText('Data covers 71 % of the period')).toBeInTheDocument();
    expect(await screen.findByText('71 % covered')).toBeInTheDocument();
  });

  it('shows a loading state while the report is computed', async () => {
    backend.hang('GET', '/sla/report');
    renderAt(SLA, <SlaPage />, 'sla');
    expect(await screen.findByText('Computing the SLA report…')).toBeInTheDocument();
  });

  it('explains an empty report', async () => {
    backend.on('GET', '/sla/report', { ...slaReport(), endpoints: [] });
    renderAt(SLA, <SlaPage />, 'sla');
    expect(await screen.findByText('No SLAs configured')).toBeInTheDocument();
  });

  it('shows why the report failed', async () => {
    backend.on(
      'GET',
      '/sla/report',
      apiError('prometheus_unavailable', 'Prometheus at http://prometheus:9090 did not answer within 10 s'),
      503,
    );
    renderAt(SLA, <SlaPage />, 'sla');
    expect(await screen.findByText('Could not load the SLA report')).toBeInTheDocument();
    expect(screen.getByText(/did not answer within 10 s/)).toBeInTheDocument();
  });

  it('shows one row per endpoint with target, actuals, budget and status, critical first', async () => {
    backend.on('GET', '/sla/report', slaReport());
    renderAt(SLA, <SlaPage />, 'sla');
    const table = await screen.findByTestId('data-testid sla-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('checkout')).toBeInTheDocument();
    expect(within(rows[0]).getByText('p95 < 300 ms')).toBeInTheDocument();
    expect(within(rows[0]).getByText('420 ms')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Breaching')).toBeInTheDocument();
    expect(within(rows[0]).getByText('-80.0 %')).toBeInTheDocument();
    expect(within(rows[1]).getByText('7 h of full outage')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Meeting')).toBeInTheDocument();
    expect(within(rows[0]).getByText('checkout').closest('a')?.getAttribute('href')).toBe(
      '/a/perfwatch-app/sla/endpoint/checkout?period=30d',
    );
  });

  it('asks for the period in the URL and changes it from the picker', async () => {
    backend.on('GET', '/sla/report', slaReport());
    renderAt(`${SLA}?period=7d`, <SlaPage />, 'sla');
    await screen.findByTestId('data-testid sla-table');
    expect(backend.callsTo('GET', '/sla/report')[0].query.get('period')).toBe('7d');
    await userEvent.click(screen.getByLabelText('Quarter'));
    await waitFor(() => expect(currentSearch().get('period')).toMatch(/^\d{4}-Q[1-4]$/));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/sla/report').at(-1)?.query.get('period')).toMatch(/^\d{4}-Q[1-4]$/),
    );
  });

  it('lists the incidents that started in the period', async () => {
    backend.on('GET', '/sla/report', slaReport());
    backend.on('GET', '/incidents', { total: 1, limit: 100, offset: 0, items: [incident()] });
    renderAt(SLA, <SlaPage />, 'sla');
    expect(await screen.findByText('HighLatency on GET /checkout')).toBeInTheDocument();
    const query = backend.callsTo('GET', '/incidents')[0].query;
    expect(query.get('from')).toBe(String(Date.parse('2026-10-23T10:00:00.000Z')));
    expect(query.getAll('status')).toEqual([]);
  });

  it('exports the report as CSV', async () => {
    backend.on('GET', '/sla/report', slaReport());
    const names: string[] = [];
    URL.createObjectURL = jest.fn(() => 'blob:csv');
    URL.revokeObjectURL = jest.fn();
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    renderAt(SLA, <SlaPage />, 'sla');
    await screen.findByTestId('data-testid sla-table');
    fireEvent.click(screen.getByText('Export CSV'));
    expect(names).toEqual(['sla-report-30d.csv']);
  });

  it('links to the print view of the same period', async () => {
    backend.on('GET', '/sla/report', slaReport());
    renderAt(`${SLA}?period=2026-10`, <SlaPage />, 'sla');
    await screen.findByTestId('data-testid sla-table');
    expect(screen.getByText('Print view').closest('a')?.getAttribute('href')).toBe(
      '/a/perfwatch-app/sla/print?period=2026-10',
    );
  });
});

describe('SLA CSV rows', () => {
  it('give percentages and the status per endpoint', () => {
    const [checkout] = sortEndpoints(slaReport().endpoints);
    const row = slaCsvRow(checkout);
    expect(SLA_CSV_HEADER).toHaveLength(row.length);
    expect(row).toEqual([
      'checkout',
      '/checkout',
      'POST',
      'critical',
      'p95 < 300 ms',
      '120.0',
      '420.0',
      '900.0',
      '91.000',
      '0.200',
      '1.000',
      '99.800',
      '99.900',
      '-80.0',
      '0',
      'breaching',
    ]);
  });
});

describe('SLA print view', () => {
  it('renders the report with a heading for the period', async () => {
    const backend = new FakeBackend().install();
    backend.on('GET', '/incidents', noIncidents).on('GET', '/sla/report', slaReport());
    renderAt(`${SLA}/print?period=2026-10`, <SlaPrintPage />, 'sla/print');
    const sheet = await screen.findByTestId('data-testid sla-print');
    expect(within(sheet).getByText('Service level report · October 2026')).toBeInTheDocument();
    expect(within(sheet).getByText('checkout')).toBeInTheDocument();
  });
});
