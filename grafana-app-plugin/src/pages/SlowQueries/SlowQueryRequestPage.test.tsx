import React from 'react';
import { screen, within } from '@testing-library/react';
import { FakeBackend, apiError } from '../../test/backend';
import { requestSamples } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import SlowQueryRequestPage from './SlowQueryRequestPage';

const PAGE = '/a/perfwatch-app/slow-queries/request';
const render = (id = 'orders-page-1') =>
  renderAt(`${PAGE}?id=${encodeURIComponent(id)}`, <SlowQueryRequestPage />, 'slow-queries/request');

describe("One request's slow queries", () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('asks the exporter for the exact request id in the address', async () => {
    backend.on('GET', '/slow-queries/samples', requestSamples());
    render('req 7/ä');
    await screen.findByTestId('data-testid sq-request');
    expect(backend.callsTo('GET', '/slow-queries/samples')[0].query.get('requestId')).toBe('req 7/ä');
  });

  it('says it is loading until the exporter answers', async () => {
    backend.hang('GET', '/slow-queries/samples');
    render();
    expect(await screen.findByText("Loading the request's queries…")).toBeInTheDocument();
  });

  it('says when no stored sample carries the id', async () => {
    backend.on('GET', '/slow-queries/samples', { requestId: 'gone', total: 0, items: [], fingerprints: [] });
    render('gone');
    expect(await screen.findByText('No stored slow query carries request id gone')).toBeInTheDocument();
  });

  it("shows the exporter's error with a retry", async () => {
    backend.on(
      'GET',
      '/slow-queries/samples',
      apiError('bad_request', 'requestId must not contain control characters'),
      400,
    );
    render();
    expect(await screen.findByText("Could not load the request's queries")).toBeInTheDocument();
    expect(screen.getByText(/requestId must not contain control characters/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('says the id is missing without asking the exporter', async () => {
    renderAt(PAGE, <SlowQueryRequestPage />, 'slow-queries/request');
    expect(await screen.findByText(/No request id in the address/)).toBeInTheDocument();
    expect(backend.callsTo('GET', '/slow-queries/samples')).toEqual([]);
  });

  it('puts the N+1 loop on top of the fingerprints, linked to their detail around the request', async () => {
    backend.on('GET', '/slow-queries/samples', requestSamples());
    render();
    const table = await screen.findByTestId('data-testid sq-request-fingerprints');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('link').textContent)).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
    ]);
    expect(within(rows[0]).getByText('N+1')).toBeInTheDocument();
    const href = new URL(within(rows[0]).getByRole('link').getAttribute('href')!, 'http://grafana.local');
    expect(href.pathname).toBe('/a/perfwatch-app/slow-queries/aaaaaaaaaaaaaaaa');
    // An hour either side of the request's first and last query.
    expect(Number(href.searchParams.get('from'))).toBe(Date.parse('2026-11-22T08:29:59.900Z'));
    expect(Number(href.searchParams.get('to'))).toBe(Date.parse('2026-11-22T10:30:00.200Z'));
  });

  it('lists the queries in the order they ran, with their offset from the first', async () => {
    backend.on('GET', '/slow-queries/samples', requestSamples());
    render();
    const table = await screen.findByTestId('data-testid sq-request-queries');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0].textContent)).toEqual([
      expect.stringMatching(/^2026-11-22 \d\d:29:59$/),
      '+100 ms',
      '+200 ms',
      '+300 ms',
    ]);
    expect(within(rows[0]).getByText('GET /orders/:id')).toBeInTheDocument();
    expect(screen.getByText('N+1 pattern')).toBeInTheDocument();
    expect(screen.getByText('675 ms')).toBeInTheDocument();
  });

  it('says when the exporter sent only the first of more queries', async () => {
    backend.on('GET', '/slow-queries/samples', { ...requestSamples(), total: 900 });
    render();
    expect(await screen.findByText('Showing the first 4 of 900 stored queries')).toBeInTheDocument();
  });
});
