import React from 'react';
import { screen, within } from '@testing-library/react';
import { FakeBackend, apiError } from '../../test/backend';
import { slowQueryDetail } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import SlowQueryDetailPage from './SlowQueryDetailPage';

const PATH = '/slow-queries/0123456789abcdef';
const FROM = Date.parse('2026-12-05T00:00:00Z');
const TO = Date.parse('2026-12-06T00:00:00Z');
const URL = `/a/perfwatch-app/slow-queries/0123456789abcdef?from=${FROM}&to=${TO}`;

/** The detail for this range, and `previous` (an answer or a status) for the range before it. */
function answer(backend: FakeBackend, previous: { body: unknown; status?: number } | 'hang') {
  backend.handle('GET', PATH, (call) => {
    if (Number(call.query.get('to')) === TO) {
      return { status: 200, body: { ...slowQueryDetail(), count: 30, p95Ms: 200, totalSeconds: 6 } };
    }
    if (previous === 'hang') {
      return new Promise<never>(() => undefined);
    }
    return { status: previous.status ?? 200, body: previous.body };
  });
}

const rowOf = async (metric: string) => {
  const table = await screen.findByTestId('data-testid sq-comparison');
  return within(table).getByRole('row', { name: new RegExp(`^${metric}`) });
};

describe('Slow query detail: this range against the previous one', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('asks for the range of the same length that ends where this one starts', async () => {
    answer(backend, { body: slowQueryDetail() });
    renderAt(URL, <SlowQueryDetailPage />, 'slow-queries/:id');
    await rowOf('Executions');
    const previous = backend.callsTo('GET', PATH).find((c) => Number(c.query.get('to')) === FROM);
    expect(Number(previous?.query.get('from'))).toBe(FROM - (TO - FROM));
  });

  it('says it is loading the previous range while it is', async () => {
    answer(backend, 'hang');
    renderAt(URL, <SlowQueryDetailPage />, 'slow-queries/:id');
    expect(await screen.findByText('Loading the previous range…')).toBeInTheDocument();
  });

  it('shows executions, p95 and total time of both ranges with the change', async () => {
    answer(backend, { body: { ...slowQueryDetail(), count: 20, p95Ms: 250, totalSeconds: 6 } });
    renderAt(URL, <SlowQueryDetailPage />, 'slow-queries/:id');
    expect((await rowOf('Executions')).textContent).toBe('Executions3020+50 %');
    expect((await rowOf('p95')).textContent).toBe('p95200 ms250 ms-20 %');
    expect((await rowOf('Total time')).textContent).toBe('Total time6.00 s6.00 s0 %');
  });

  it('calls a fingerprint without slow queries in the previous range new', async () => {
    answer(backend, { body: apiError('not_found', 'no samples'), status: 404 });
    renderAt(URL, <SlowQueryDetailPage />, 'slow-queries/:id');
    expect((await rowOf('Executions')).textContent).toBe('Executions30—new in this range');
  });

  it('says when the previous range cannot be read, and still shows this one', async () => {
    answer(backend, {
      body: apiError('store_unavailable', 'the slow-query store cannot be read'),
      status: 503,
    });
    renderAt(URL, <SlowQueryDetailPage />, 'slow-queries/:id');
    expect(await screen.findByText('Could not load the previous range')).toBeInTheDocument();
    expect(screen.getByText('the slow-query store cannot be read')).toBeInTheDocument();
    expect(screen.getByTestId('data-testid sq-sql')).toBeInTheDocument();
  });
});
