import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeBackend, apiError } from '../../test/backend';
import {
  fingerprint,
  slowQueryFacets,
  slowQueryGroup,
  slowQueryGroups,
  slowQueryList,
} from '../../test/fixtures';
import { currentSearch, renderAt } from '../../test/render';
import SlowQueriesPage from './SlowQueriesPage';
import { CSV_HEADER, EXPORT_MAX_ROWS, slowQueryCsvRow } from './slowQueryCsv';

// userEvent and large exports take several seconds on a busy shared CI machine.
jest.setTimeout(30_000);

const LIST = '/a/perfwatch-app/slow-queries';

// jsdom's Blob has no text(); FileReader is what it offers.
const readBlob = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

describe('Slow queries page', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('shows a loading state until the exporter answers', async () => {
    backend.hang('GET', '/slow-queries');
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('Loading slow queries…')).toBeInTheDocument();
  });

  it('explains an empty result, including the capture threshold', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([]));
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('No slow queries in this time range')).toBeInTheDocument();
    expect(screen.getByText(/slowThresholdMs/)).toBeInTheDocument();
  });

  it("shows the exporter's error message when the request fails", async () => {
    backend.on('GET', '/slow-queries', apiError('forbidden', 'token "ingest" lacks the "read" scope'), 403);
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('Could not load slow queries')).toBeInTheDocument();
    expect(screen.getByText(/lacks the "read" scope/)).toBeInTheDocument();
  });

  it('says when Grafana cannot reach the exporter', async () => {
    backend.on('GET', '/slow-queries', { message: 'Bad Gateway' }, 502);
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText(/could not reach the exporter/)).toBeInTheDocument();
  });

  it('lists fingerprints with load, latency and the N+1 badge, linking to the detail', async () => {
    backend.on(
      'GET',
      '/slow-queries',
      slowQueryList([
        fingerprint(),
        fingerprint({
          id: 'fedcba9876543210',
          fingerprint: 'select * from items where order_id = ?',
          share: 0.4,
          p95Ms: 120,
          maxMs: 300,
          nPlusOne: true,
        }),
      ]),
    );
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    const table = await screen.findByTestId('data-testid sq-table');
    expect(within(table).getByText('select * from orders where customer_id = ?')).toBeInTheDocument();
    expect(within(table).getByText('60.0 %')).toBeInTheDocument();
    expect(within(table).getByText('480 ms')).toBeInTheDocument();
    expect(within(table).getByText('1.90 s')).toBeInTheDocument();
    expect(within(table).getAllByText('N+1')).toHaveLength(1);
    const link = within(table).getByText('select * from items where order_id = ?').closest('a');
    expect(link?.getAttribute('href')).toMatch(/^\/a\/perfwatch-app\/slow-queries\/fedcba9876543210/);
    expect(screen.getByText(/2 fingerprints, 600.0 s/)).toBeInTheDocument();
  });

  it("draws each row's load over the range, asking for the sparkline's buckets", async () => {
    backend.on('GET', '/slow-queries', {
      ...slowQueryList([fingerprint({ series: { count: [2, 0, 7], totalMs: [400, 0, 3100] } })]),
      bucketSeconds: 2880,
    });
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    const table = await screen.findByTestId('data-testid sq-table');
    expect(
      within(table).getByRole('img', {
        name: 'Load: 9 queries, 3.50 s in the range; busiest 48 min: 7 queries, 3.10 s',
      }),
    ).toBeInTheDocument();
    expect(backend.callsTo('GET', '/slow-queries')[0].query.get('buckets')).toBe('30');
  });

  it('filters the list by a facet value through the URL', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    backend.on('GET', '/slow-queries/facets', slowQueryFacets());
    renderAt(`${LIST}?from=now-6h&to=now`, <SlowQueriesPage />, 'slow-queries');
    const facets = await screen.findByTestId('data-testid sq-facets');
    await userEvent.click(await within(facets).findByLabelText('/checkout'));
    await waitFor(() => expect(currentSearch().get('route')).toBe('/checkout'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries').at(-1)?.query.get('route')).toBe('/checkout'),
    );
    const facetQuery = backend.callsTo('GET', '/slow-queries/facets').at(-1)!.query;
    expect(facetQuery.get('route')).toBe('/checkout');
    expect(Number(facetQuery.get('to')) - Number(facetQuery.get('from'))).toBe(6 * 3600 * 1000);
  });

  it('sends the filters from the URL to the exporter and shows them in the inputs', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    renderAt(
      `${LIST}?q=orders&database=shop&route=GET%20%2Forders&operation=SELECT&from=now-6h&to=now`,
      <SlowQueriesPage />,
      'slow-queries',
    );
    await screen.findByTestId('data-testid sq-table');
    const query = backend.callsTo('GET', '/slow-queries')[0].query;
    expect(query.get('q')).toBe('orders');
    expect(query.get('database')).toBe('shop');
    expect(query.get('route')).toBe('GET /orders');
    expect(query.get('operation')).toBe('SELECT');
    expect(Number(query.get('to')) - Number(query.get('from'))).toBe(6 * 3600 * 1000);
    expect(screen.getByLabelText('Search SQL')).toHaveValue('orders');
  });

  it('puts a text search into the URL on Enter and queries with it', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    await userEvent.type(screen.getByLabelText('Search SQL'), 'customer_id{Enter}');
    await waitFor(() => expect(currentSearch().get('q')).toBe('customer_id'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries').at(-1)?.query.get('q')).toBe('customer_id'),
    );
  });

  it('filters by operation through the URL', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    await userEvent.click(screen.getByLabelText('UPDATE'));
    await waitFor(() => expect(currentSearch().get('operation')).toBe('UPDATE'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries').at(-1)?.query.get('operation')).toBe('UPDATE'),
    );
  });

  it('sorts on the server when a column header is clicked', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    await userEvent.click(screen.getByRole('button', { name: /p95/ }));
    await waitFor(() => expect(currentSearch().get('sort')).toBe('p95'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries').at(-1)?.query.get('sort')).toBe('p95'),
    );
  });

  it('pages through the results with offset and limit', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()], 60));
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    expect(screen.getByText('1–25 of 60')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '2' }));
    await waitFor(() => expect(currentSearch().get('page')).toBe('2'));
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries').at(-1)?.query.get('offset')).toBe('25'),
    );
  });

  it('exports every matching fingerprint as CSV', async () => {
    backend.handle('GET', '/slow-queries', (call) =>
      call.query.get('limit') === '500'
        ? {
            status: 200,
            body: slowQueryList([
              fingerprint(),
              fingerprint({ id: 'fedcba9876543210', fingerprint: 'select "a,b"' }),
            ]),
          }
        : { status: 200, body: slowQueryList([fingerprint()], 2) },
    );
    const blobs: Blob[] = [];
    URL.createObjectURL = jest.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:csv';
    });
    URL.revokeObjectURL = jest.fn();
    // jsdom cannot follow a download link; record the file name instead.
    const downloads: string[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    fireEvent.click(screen.getByText('Export CSV'));
    await waitFor(() => expect(blobs).toHaveLength(1));
    const text = await readBlob(blobs[0]);
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('"select ""a,b"""');
    expect(downloads[0]).toMatch(/^slow-queries-.*\.csv$/);
  });

  it('says so when the CSV export stops at its row cap', async () => {
    const total = EXPORT_MAX_ROWS + 2_000;
    backend.handle('GET', '/slow-queries', (call) => {
      const limit = Number(call.query.get('limit'));
      const offset = Number(call.query.get('offset'));
      const items = Array.from({ length: Math.min(limit, total - offset) }, (_, i) =>
        fingerprint({ id: (offset + i).toString(16).padStart(16, '0') }),
      );
      return { status: 200, body: slowQueryList(items, total) };
    });
    URL.createObjectURL = jest.fn(() => 'blob:csv');
    URL.revokeObjectURL = jest.fn();
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    renderAt(LIST, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    fireEvent.click(screen.getByText('Export CSV'));
    // Twenty API pages and a 10 000-row file: slow on a busy machine, so wait longer than the default.
    const note = await screen.findByTestId('data-testid sq-export-truncated', {}, { timeout: 20_000 });
    expect(note).toHaveTextContent('the first 10,000 of 12,000 fingerprints');
    expect(
      backend.callsTo('GET', '/slow-queries').filter((c) => c.query.get('limit') === '500'),
    ).toHaveLength(20);
  });

  it('links to the incidents of the same time window', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    renderAt(`${LIST}?from=1763800000000&to=1763803600000`, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    expect(screen.getByText('Incidents in this window').closest('a')?.getAttribute('href')).toBe(
      '/a/perfwatch-app/incidents?from=1763800000000&to=1763803600000',
    );
  });
});

describe('Slow queries page grouped by route, database or service', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  const services = () =>
    slowQueryGroups('service', [
      slowQueryGroup(),
      slowQueryGroup({
        value: '(none)',
        p95Ms: 90,
        fingerprints: 1,
        count: 20,
        totalSeconds: 12,
        share: 0.02,
        nPlusOne: false,
      }),
    ]);

  it('shows a loading state until the exporter answers the groups', async () => {
    backend.hang('GET', '/slow-queries/groups');
    renderAt(`${LIST}?groupBy=service`, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('Loading slow queries…')).toBeInTheDocument();
  });

  it('says when no slow query falls in the range', async () => {
    backend.on('GET', '/slow-queries/groups', slowQueryGroups('route', []));
    renderAt(`${LIST}?groupBy=route`, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('No slow queries in this time range')).toBeInTheDocument();
  });

  it("shows the exporter's error when the groups cannot be read", async () => {
    backend.on(
      'GET',
      '/slow-queries/groups',
      apiError('store_unavailable', 'the slow-query store cannot be read'),
      503,
    );
    renderAt(`${LIST}?groupBy=database`, <SlowQueriesPage />, 'slow-queries');
    expect(await screen.findByText('Could not load slow queries')).toBeInTheDocument();
    expect(screen.getByText(/slow-query store cannot be read/)).toBeInTheDocument();
  });

  it('lists one row per service with its fingerprints, load and latency, reading no fingerprint list', async () => {
    backend.on('GET', '/slow-queries/groups', services());
    renderAt(`${LIST}?groupBy=service&from=now-6h&to=now`, <SlowQueriesPage />, 'slow-queries');
    const table = await screen.findByTestId('data-testid sq-groups');
    expect(within(table).getByRole('columnheader', { name: 'Service' })).toBeInTheDocument();
    expect(within(table).getByText('4 fingerprints')).toBeInTheDocument();
    expect(within(table).getByText('1 fingerprint')).toBeInTheDocument();
    expect(within(table).getByText('650 ms')).toBeInTheDocument();
    expect(within(table).getAllByText('N+1')).toHaveLength(1);
    expect(screen.getByText(/2 services, 432.0 s/)).toBeInTheDocument();
    const query = backend.callsTo('GET', '/slow-queries/groups')[0].query;
    expect(query.get('by')).toBe('service');
    expect(query.get('buckets')).toBe('30');
    expect(Number(query.get('to')) - Number(query.get('from'))).toBe(6 * 3600 * 1000);
    expect(backend.callsTo('GET', '/slow-queries')).toHaveLength(0);
  });

  it('links a row to its fingerprints: the list filtered by its value, the other filters kept, no longer grouped', async () => {
    backend.on('GET', '/slow-queries/groups', services());
    renderAt(`${LIST}?groupBy=service&operation=SELECT&page=3`, <SlowQueriesPage />, 'slow-queries');
    const table = await screen.findByTestId('data-testid sq-groups');
    const href = within(table).getByText('(none)').closest('a')!.getAttribute('href')!;
    const [pathname, search] = href.split('?');
    expect(pathname).toBe('/a/perfwatch-app/slow-queries');
    expect(Object.fromEntries(new URLSearchParams(search))).toEqual({
      operation: 'SELECT',
      service: '(none)',
    });
  });

  it('groups through the URL from the Group by control, starting at the first page', async () => {
    backend.on('GET', '/slow-queries', slowQueryList([fingerprint()]));
    backend.on(
      'GET',
      '/slow-queries/groups',
      slowQueryGroups('database', [slowQueryGroup({ value: 'shop' })]),
    );
    renderAt(`${LIST}?page=2`, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-table');
    await userEvent.click(screen.getByLabelText('Database', { selector: 'input[type="radio"]' }));
    await waitFor(() => expect(currentSearch().get('groupBy')).toBe('database'));
    expect(currentSearch().get('page')).toBeNull();
    expect(await screen.findByTestId('data-testid sq-groups')).toHaveTextContent('shop');
    expect(backend.callsTo('GET', '/slow-queries/groups').at(-1)?.query.get('by')).toBe('database');
  });

  it('sends the service filter, (none) included, to the groups and the facets', async () => {
    backend.on(
      'GET',
      '/slow-queries/groups',
      slowQueryGroups('route', [slowQueryGroup({ value: '/checkout' })]),
    );
    backend.on('GET', '/slow-queries/facets', slowQueryFacets());
    renderAt(`${LIST}?groupBy=route&service=%28none%29`, <SlowQueriesPage />, 'slow-queries');
    await screen.findByTestId('data-testid sq-groups');
    expect(backend.callsTo('GET', '/slow-queries/groups')[0].query.get('service')).toBe('(none)');
    await waitFor(() =>
      expect(backend.callsTo('GET', '/slow-queries/facets')[0]?.query.get('service')).toBe('(none)'),
    );
    const service = within(screen.getByTestId('data-testid sq-facets')).getByRole('region', {
      name: 'Service',
    });
    expect(within(service).getByLabelText('(none)')).toBeChecked();
  });
});

describe('Slow-query CSV rows', () => {
  it('hold the numbers with fixed precision and the N+1 flag in words', () => {
    expect(slowQueryCsvRow(fingerprint({ nPlusOne: true }))).toEqual([
      '0123456789abcdef',
      'select * from orders where customer_id = ?',
      'postgresql',
      'shop',
      'SELECT',
      1200,
      '300.000',
      '60.00',
      '250.0',
      '480.0',
      '1900.0',
      '2026-11-21T10:00:00.000Z',
      '2026-11-22T09:30:00.000Z',
      'yes',
    ]);
  });
});
