import React from 'react';
import { act, screen, within } from '@testing-library/react';
import type { HealthCheckResult, HealthChecks } from '../../api/health';
import { FakeBackend, apiError } from '../../test/backend';
import { renderAt } from '../../test/render';
import HealthPage from './HealthPage';
import { HEALTH_REFRESH_MS } from './useHealthChecks';

const URL = '/a/perfwatch-app/health';

const check = (over: Partial<HealthCheckResult> = {}): HealthCheckResult => ({
  name: 'main-db',
  type: 'postgres',
  target: 'postgres://127.0.0.1:5432/test',
  status: 'up',
  error: null,
  details: {},
  durationMs: 4.2,
  lastRunAt: '2026-12-06T08:00:00.000Z',
  lastSuccessAt: '2026-12-06T08:00:00.000Z',
  lastFailureAt: null,
  lastFailureError: null,
  consecutiveFailures: 0,
  intervalMs: 30_000,
  timeoutMs: 5_000,
  ...over,
});

const answer = (checks: HealthCheckResult[]): HealthChecks => ({
  up: checks.filter((c) => c.status === 'up').length,
  down: checks.filter((c) => c.status === 'down').length,
  checks,
});

describe('Health page', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('says it is loading until the exporter answers', async () => {
    backend.hang('GET', '/health/checks');
    renderAt(URL, <HealthPage />);
    expect(await screen.findByText('Loading the health checks…')).toBeInTheDocument();
  });

  it('says where to configure checks when there are none', async () => {
    backend.on('GET', '/health/checks', answer([]));
    renderAt(URL, <HealthPage />);
    expect(await screen.findByText('No health checks are configured')).toBeInTheDocument();
    expect(screen.getByText(/health\.checks in the exporter's perfwatch\.yml/)).toBeInTheDocument();
  });

  it('shows the exporter error in words', async () => {
    backend.on('GET', '/health/checks', apiError('forbidden', 'token lacks scope read'), 403);
    renderAt(URL, <HealthPage />);
    expect(await screen.findByText('Could not load the health checks')).toBeInTheDocument();
    expect(screen.getByText(/token lacks scope read/)).toBeInTheDocument();
  });

  it('shows each check with its status, latency and last failure', async () => {
    backend.on(
      'GET',
      '/health/checks',
      answer([
        check(),
        check({
          name: 'cache',
          type: 'redis',
          target: 'redis://127.0.0.1:6379',
          status: 'down',
          error: 'connect ECONNREFUSED 127.0.0.1:6379',
          durationMs: 1.5,
          lastFailureAt: '2026-12-06T08:01:00.000Z',
          lastFailureError: 'connect ECONNREFUSED 127.0.0.1:6379',
          consecutiveFailures: 3,
        }),
      ]),
    );
    renderAt(URL, <HealthPage />);
    const table = await screen.findByTestId('data-testid health-table');
    const [, up, down] = within(table).getAllByRole('row');
    expect(within(up).getByText('Up')).toBeInTheDocument();
    expect(within(up).getByText('never failed')).toBeInTheDocument();
    expect(within(up).getByText('4.2 ms')).toBeInTheDocument();
    expect(within(down).getByText('Down')).toBeInTheDocument();
    expect(within(down).getByText('failing 3× in a row')).toBeInTheDocument();
    expect(within(down).getAllByText('connect ECONNREFUSED 127.0.0.1:6379')).toHaveLength(2);
  });

  it('keeps the last failure of a check that has recovered', async () => {
    backend.on(
      'GET',
      '/health/checks',
      answer([
        check({ lastFailureAt: '2026-12-06T07:00:00.000Z', lastFailureError: 'timed out after 5000 ms' }),
      ]),
    );
    renderAt(URL, <HealthPage />);
    expect(await screen.findByText('timed out after 5000 ms')).toBeInTheDocument();
    expect(screen.queryByText(/in a row/)).not.toBeInTheDocument();
  });

  it('reads the checks again while the page is open', async () => {
    jest.useFakeTimers();
    try {
      backend.on('GET', '/health/checks', answer([check()]));
      renderAt(URL, <HealthPage />);
      await screen.findByTestId('data-testid health-table');
      await act(async () => {
        jest.advanceTimersByTime(HEALTH_REFRESH_MS);
      });
      expect(backend.callsTo('GET', '/health/checks').length).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
