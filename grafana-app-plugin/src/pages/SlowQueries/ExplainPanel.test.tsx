import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { ExplainResult } from '../../api/explain';
import { FakeBackend } from '../../test/backend';
import { ExplainPanel } from './ExplainPanel';

const PATH = '/slow-queries/0123456789abcdef/explain';

const plan = (over: Partial<ExplainResult> = {}): ExplainResult => ({
  fingerprintId: '0123456789abcdef',
  fingerprint: 'select * from orders where customer_id = ?',
  database: 'shop',
  dbSystem: 'postgresql',
  connection: 'shop',
  client: 'pg',
  statement: 'select * from orders where customer_id = $1',
  parameters: 1,
  genericPlan: true,
  text: 'Index Scan using orders_customer_idx on public.orders  (cost=0.29..8.30 rows=1 width=40)',
  tree: {
    label: 'Index Scan',
    details: { relation: 'orders', index: 'orders_customer_idx', cost: 8.3, filter: null },
    children: [{ label: 'Hash', details: {}, children: [] }],
  },
  json: [],
  notes: [],
  explainedAt: '2026-12-06T08:00:00.000Z',
  durationMs: 12,
  ...over,
});

const failure = (code: string, message: string, details?: unknown) => ({
  error: { code, message, details },
});

function renderPanel() {
  render(<ExplainPanel fingerprintId="0123456789abcdef" database="shop" />);
}

async function runExplain() {
  fireEvent.click(screen.getByRole('button', { name: /Run EXPLAIN/ }));
}

describe('EXPLAIN on the slow-query detail page', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('runs nothing until the operator asks', () => {
    backend.on('POST', PATH, plan());
    renderPanel();
    expect(screen.getByText(/never ANALYZE/)).toBeInTheDocument();
    expect(backend.callsTo('POST', PATH)).toHaveLength(0);
  });

  it('says it is explaining while the database plans', async () => {
    backend.hang('POST', PATH);
    renderPanel();
    await runExplain();
    expect(await screen.findByRole('button', { name: /Explaining/ })).toBeDisabled();
  });

  it('asks for the plan on the sample database and shows it as a tree', async () => {
    backend.on('POST', PATH, plan());
    renderPanel();
    await runExplain();
    const tree = await screen.findByTestId('data-testid sq-plan-tree');
    expect(tree.textContent).toContain('Index Scan');
    expect(tree.textContent).toContain('index: orders_customer_idx');
    expect(tree.textContent).toContain('Hash');
    expect(tree.textContent).not.toContain('filter');
    expect(backend.callsTo('POST', PATH)[0].body).toEqual({ database: 'shop' });
    expect(screen.getByText(/Generic plan/)).toBeInTheDocument();
  });

  it('shows the plan as the database printed it on the Text tab', async () => {
    backend.on('POST', PATH, plan());
    renderPanel();
    await runExplain();
    fireEvent.click(await screen.findByText('Text'));
    expect(screen.getByTestId('data-testid sq-plan-text').textContent).toMatch(/^Index Scan using/);
  });

  it('shows the exporter notes, such as MySQL planning an impossible WHERE for the NULLs', async () => {
    const note = '"Impossible WHERE" is an artefact of the NULLs, not the plan the application gets.';
    backend.on('POST', PATH, plan({ client: 'mysql2', genericPlan: false, notes: [note] }));
    renderPanel();
    await runExplain();
    expect(await screen.findByText(note)).toBeInTheDocument();
  });

  it.each([
    [
      409,
      failure('explain_not_configured', 'no EXPLAIN connection is configured for database "shop"'),
      'EXPLAIN is not set up for this database',
      /no EXPLAIN connection is configured for database "shop"/,
    ],
    [
      422,
      failure('explain_refused', 'not explained: DDL', { reason: 'not_dml' }),
      'This statement is not explained',
      /only a single SELECT, INSERT, UPDATE or DELETE is explained \(not_dml\)/,
    ],
    [
      422,
      failure('explain_rejected', 'relation "orders" does not exist'),
      'The database rejected the EXPLAIN',
      /relation "orders" does not exist/,
    ],
    [
      429,
      failure('explain_busy', 'an EXPLAIN is already running on "shop"'),
      'Another EXPLAIN is running on this connection',
      /try again in a moment/,
    ],
    [
      502,
      failure('explain_unavailable', 'connect ECONNREFUSED 127.0.0.1:5432'),
      'The database could not be reached',
      /ECONNREFUSED/,
    ],
    [
      504,
      failure('explain_timeout', 'canceling statement due to statement timeout'),
      'EXPLAIN hit the statement timeout',
      /statementTimeoutMs/,
    ],
    [403, { message: 'plugin proxy route access denied' }, 'Grafana refused the EXPLAIN', /Editor role/],
  ])('explains an HTTP %i answer in words (case %#)', async (status, body, title, text) => {
    backend.on('POST', PATH, body, status);
    renderPanel();
    await runExplain();
    expect(await screen.findByText(title)).toBeInTheDocument();
    expect(screen.getByText(text)).toBeInTheDocument();
  });
});
