import React from 'react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeBackend, apiError } from '../../test/backend';
import { slowQueryDetail } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import SlowQueryDetailPage from './SlowQueryDetailPage';

const LIST = '/a/perfwatch-app/slow-queries';

describe('Slow query detail', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('shows the formatted statement, samples, issuers and call sites', async () => {
    backend.on('GET', '/slow-queries/0123456789abcdef', slowQueryDetail());
    renderAt(`${LIST}/0123456789abcdef?from=now-24h&to=now`, <SlowQueryDetailPage />, 'slow-queries/:id');
    const sql = await screen.findByTestId('data-testid sq-sql');
    expect(sql.textContent).toBe('SELECT\n  *\nFROM\n  orders\nWHERE\n  customer_id = ?');
    expect(screen.getByText('N+1 pattern seen')).toBeInTheDocument();
    expect(screen.getByText('queue:invoices', { selector: 'span' })).toBeInTheDocument();
    expect(screen.getAllByText('src/orders/repo.js:42').length).toBeGreaterThan(0);
    expect(screen.getByText('Slowest (1)')).toBeInTheDocument();
    expect(screen.getByTestId('data-testid sq-chart')).toBeInTheDocument();
  });

  it("links a sample with a request id to that request's other queries", async () => {
    backend.on('GET', '/slow-queries/0123456789abcdef', slowQueryDetail());
    renderAt(`${LIST}/0123456789abcdef`, <SlowQueryDetailPage />, 'slow-queries/:id');
    await screen.findByTestId('data-testid sq-detail');
    await userEvent.click(screen.getByText('Newest (1)'));
    const link = screen.getByRole('link', { name: 'req-1' });
    expect(link.getAttribute('href')).toBe('/a/perfwatch-app/slow-queries/request?id=req-1');
  });

  it('links to the database dashboard for the same time window', async () => {
    backend.on('GET', '/slow-queries/0123456789abcdef', slowQueryDetail());
    renderAt(`${LIST}/0123456789abcdef?from=now-6h&to=now`, <SlowQueryDetailPage />, 'slow-queries/:id');
    await screen.findByTestId('data-testid sq-detail');
    expect(screen.getByRole('link', { name: /Database dashboard/ }).getAttribute('href')).toBe(
      '/d/perfwatch-database?from=now-6h&to=now',
    );
  });

  it('passes the page filters on to the exporter', async () => {
    backend.on('GET', '/slow-queries/0123456789abcdef', slowQueryDetail());
    renderAt(
      `${LIST}/0123456789abcdef?database=shop&route=GET%20%2Forders`,
      <SlowQueryDetailPage />,
      'slow-queries/:id',
    );
    await screen.findByTestId('data-testid sq-detail');
    const query = backend.callsTo('GET', '/slow-queries/0123456789abcdef')[0].query;
    expect(query.get('database')).toBe('shop');
    expect(query.get('route')).toBe('GET /orders');
  });

  it('shows the 404 message when the fingerprint has no samples in the range', async () => {
    backend.on(
      'GET',
      '/slow-queries/0123456789abcdef',
      apiError('not_found', 'no samples of fingerprint 0123456789abcdef between a and b'),
      404,
    );
    renderAt(`${LIST}/0123456789abcdef`, <SlowQueryDetailPage />, 'slow-queries/:id');
    expect(await screen.findByText(/no samples of fingerprint/)).toBeInTheDocument();
  });
});
