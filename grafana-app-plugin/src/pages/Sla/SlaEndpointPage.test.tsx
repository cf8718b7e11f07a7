import React from 'react';
import { screen } from '@testing-library/react';
import { FakeBackend } from '../../test/backend';
import { incidentList, slaBurndown, slaReport } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import { SettingsContext } from '../../utils/settings';
import SlaEndpointPage from './SlaEndpointPage';
import { chartQueries } from './slaPromql';

const SLA = '/a/perfwatch-app/sla';
const noIncidents = incidentList([]);

describe('SLA endpoint detail', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
    backend.on('GET', '/incidents', noIncidents);
    backend.on('GET', '/sla/report', slaReport()).on('GET', '/sla/burndown', slaBurndown());
  });

  it('shows how much of each budget is left at the end of the period', async () => {
    renderAt(`${SLA}/endpoint/checkout?period=30d`, <SlaEndpointPage />, 'sla/endpoint/:name');
    expect(await screen.findByText('latency: -80.0 % left · errors: 60.0 % left')).toBeInTheDocument();
  });

  it('shows the numbers and the PromQL behind them', async () => {
    renderAt(`${SLA}/endpoint/checkout?period=30d`, <SlaEndpointPage />, 'sla/endpoint/:name');
    expect(await screen.findByTestId('data-testid sla-detail')).toBeInTheDocument();
    expect(screen.getByText('histogram_quantile(0.95, sum by (le) (increase(x[30d])))')).toBeInTheDocument();
    // The charts and the burn-rate table both say where to pick one.
    expect(screen.getAllByText('No Prometheus datasource selected')).toHaveLength(2);
  });

  it('queries Prometheus through the datasource proxy for the charts', async () => {
    const matrix = {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values: [[1763800000, '0.25']] }] },
    };
    backend.on('GET', /^\/api\/datasources\/proxy\/uid\/prom\/api\/v1\/query_range$/, matrix);
    renderAt(
      `${SLA}/endpoint/checkout?period=30d`,
      <SettingsContext.Provider value={{ prometheusDatasourceUid: 'prom' }}>
        <SlaEndpointPage />
      </SettingsContext.Provider>,
      'sla/endpoint/:name',
    );
    expect(await screen.findByTestId('data-testid sla-latency-chart')).toBeInTheDocument();
    const exprs = backend.callsTo('GET', /query_range$/).map((c) => c.query.get('query'));
    expect(exprs).toEqual(expect.arrayContaining(Object.values(chartQueries(slaReport().endpoints[0]))));
    expect(exprs[0]).toContain('route="/checkout",method="POST"');
  });

  it('says which SLA is unknown', async () => {
    renderAt(`${SLA}/endpoint/nope`, <SlaEndpointPage />, 'sla/endpoint/:name');
    expect(await screen.findByText('No SLA named "nope" in this report')).toBeInTheDocument();
  });
});
