import React from 'react';
import { screen, within } from '@testing-library/react';
import { FakeBackend } from '../../test/backend';
import { slaReport } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import { SettingsContext } from '../../utils/settings';
import { BurnRateTable } from './BurnRateTable';
import { burnRateRows, type AlertRule } from './burnRates';

const RULES = /^\/api\/datasources\/proxy\/uid\/prom\/api\/v1\/rules$/;
const QUERY = /^\/api\/datasources\/proxy\/uid\/prom\/api\/v1\/query_range$/;

/** Two latency tiers as alert-rules/sla-*.yml defines them (labels and a query naming the SLA). */
const rule = (
  severity: string,
  factor: string,
  long: string,
  short: string,
): AlertRule & { type: string } => ({
  type: 'alerting',
  name: 'SLALatency',
  query: `route:sla_slow_per_requests:ratio_rate${short}{sla="checkout"} > 0.72`,
  labels: {
    severity,
    sli: 'latency',
    trigger: 'burn_rate',
    burn_factor: factor,
    long_window: long,
    short_window: short,
  },
});
const RULE_GROUPS = {
  status: 'success',
  data: {
    groups: [
      {
        name: 'perfwatch-sla-checkout',
        rules: [
          rule('emergency', '14.4', '1h', '5m'),
          rule('critical', '6', '6h', '30m'),
          { ...rule('warning', '1', '3d', '6h'), query: 'x{sla="other"}' },
        ],
      },
    ],
  },
};
const matrix = (series: Array<[Record<string, string>, number]>) => ({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: series.map(([metric, v]) => ({ metric, values: [[1764000000, String(v)]] })),
  },
});
const ratio = (window: string, v: number): [Record<string, string>, number] => [
  { __name__: `route:sla_slow_per_requests:ratio_rate${window}`, sla: 'checkout' },
  v,
];

function prometheus(backend: FakeBackend) {
  backend.on('GET', RULES, RULE_GROUPS);
  backend.handle('GET', QUERY, (call) => {
    const q = call.query.get('query') ?? '';
    if (q.startsWith('ALERTS')) {
      return {
        status: 200,
        body: matrix([
          [
            {
              alertname: 'SLALatency',
              severity: 'critical',
              burn_factor: '6',
              long_window: '6h',
              alertstate: 'pending',
            },
            1,
          ],
        ]),
      };
    }
    return { status: 200, body: matrix([ratio('5m', 0.08), ratio('1h', 0.08), ratio('30m', 0.4)]) };
  });
}

const renderTable = (uid?: string) =>
  renderAt(
    '/a/perfwatch-app/sla/endpoint/checkout',
    <SettingsContext.Provider value={{ prometheusDatasourceUid: uid }}>
      <BurnRateTable endpoint={slaReport().endpoints.find((e) => e.sla === 'checkout')!} />
    </SettingsContext.Provider>,
  );

describe('Burn-rate table', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it('says where to pick Prometheus when no datasource is configured', async () => {
    renderTable();
    expect(await screen.findByText('No Prometheus datasource selected')).toBeInTheDocument();
    expect(backend.calls).toHaveLength(0);
  });

  it('shows a loading state while Prometheus answers', async () => {
    backend.hang('GET', RULES);
    renderTable('prom');
    expect(await screen.findByText('Reading the alerting rules…')).toBeInTheDocument();
  });

  it('says when Prometheus holds no burn-rate rules for the SLA', async () => {
    prometheus(backend);
    backend.on('GET', RULES, { status: 'success', data: { groups: [] } });
    renderTable('prom');
    expect(
      await screen.findByText(/Prometheus has no burn-rate alerting rules for this SLA/),
    ).toBeInTheDocument();
  });

  it("shows Prometheus' error in words", async () => {
    prometheus(backend);
    backend.on('GET', QUERY, { status: 'error', error: 'parse error: unexpected }' }, 400);
    renderTable('prom');
    expect(await screen.findByText('Could not query Prometheus')).toBeInTheDocument();
    expect(screen.getByText(/parse error: unexpected }/)).toBeInTheDocument();
  });

  it("lists each tier's windows, burn rates against the threshold and alert state, fastest first", async () => {
    prometheus(backend);
    renderTable('prom');
    const rows = (await screen.findAllByRole('row')).slice(1);
    expect(rows).toHaveLength(2);
    const first = within(rows[0]);
    expect(first.getByText('1h / 5m')).toBeInTheDocument();
    expect(first.getByText('14.4×')).toBeInTheDocument();
    // 8 % slow against a 5 % budget: 1.6× on both windows.
    expect(first.getAllByText('1.60×')).toHaveLength(2);
    expect(first.getByText('Not firing')).toBeInTheDocument();
    const second = within(rows[1]);
    expect(second.getByText('8.00×')).toBeInTheDocument();
    expect(second.getByText('no data yet')).toBeInTheDocument();
    expect(second.getByText('Pending')).toBeInTheDocument();
    const explore = second.getByRole('link', { name: 'Explore the short window of the 6× latency tier' });
    expect(decodeURIComponent(explore.getAttribute('href') ?? '')).toContain(
      'route:sla_slow_per_requests:ratio_rate30m{sla=\\"checkout\\"}',
    );
  });
});

describe('burnRateRows', () => {
  it('leaves a burn rate unknown when the SLA sets no target for the SLI rather than dividing by nothing', () => {
    const rows = burnRateRows(
      'checkout',
      [rule('emergency', '14.4', '1h', '5m')],
      [{ metric: ratio('5m', 0.5)[0], value: 0.5 }],
      { errors: 0.01 },
      [],
    );
    expect(rows[0]).toMatchObject({ shortBurn: null, longBurn: null, state: 'inactive' });
  });

  it('matches an alert to its tier by windows too, when two tiers share severity and factor', () => {
    const alert = {
      metric: {
        alertname: 'SLALatency',
        severity: 'critical',
        burn_factor: '6',
        long_window: '6h',
        alertstate: 'firing',
      },
      value: 1,
    };
    const rows = burnRateRows(
      'checkout',
      [rule('critical', '6', '6h', '30m'), rule('critical', '6', '1d', '2h')],
      [],
      {},
      [alert],
    );
    expect(rows.map((r) => [r.longWindow, r.state])).toEqual([
      ['6h', 'firing'],
      ['1d', 'inactive'],
    ]);
  });
});
