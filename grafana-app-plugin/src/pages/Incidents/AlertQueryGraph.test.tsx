import React from 'react';
import { render, screen } from '@testing-library/react';
import type { IncidentAlert } from '../../api/types';
import { FakeBackend } from '../../test/backend';
import { incident } from '../../test/fixtures';
import { LocationRouter } from '../../test/render';
import { SettingsContext } from '../../utils/settings';
import { AlertQueryGraphs } from './AlertQueryGraph';
import { alertQueries, parseGeneratorUrl } from './alertQuery';

const QUERY = /^\/api\/datasources\/proxy\/uid\/prom\/api\/v1\/query_range$/;
const EXPR = 'sum by (route) (rate(http_server_request_duration_seconds_count{job="demo"}[5m])) > 10';
/** A generator URL as Prometheus builds it (util/strutil/strconv.go, TableLinkForExpression). */
const generatorUrl = (expr: string) =>
  `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(expr).replace(/%20/g, '+')}&g0.tab=1`;

const alert = (over: Partial<IncidentAlert> = {}): IncidentAlert => ({
  ...incident().alerts[0],
  generatorUrl: generatorUrl(EXPR),
  ...over,
});

const renderGraphs = (alerts: IncidentAlert[], uid: string | null = 'prom') =>
  render(
    // Links (the Explore link, the datasource settings) need the router Grafana's pages run under.
    <LocationRouter>
      <SettingsContext.Provider value={{ prometheusDatasourceUid: uid ?? undefined }}>
        <AlertQueryGraphs incident={incident({ alerts })} />
      </SettingsContext.Provider>
    </LocationRouter>,
  );

describe('Alert query graph', () => {
  let backend: FakeBackend;
  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  it("reads the expression from Prometheus' generator URL", () => {
    expect(parseGeneratorUrl(generatorUrl(EXPR))).toEqual({ expr: EXPR });
    expect(parseGeneratorUrl('http://grafana/alerting/grafana/abc/view')).toEqual({
      reason: 'it carries no PromQL expression (no g0.expr parameter)',
    });
    expect(parseGeneratorUrl('not a url')).toEqual({ reason: 'it is not a URL' });
  });

  it('graphs each distinct expression once', () => {
    const queries = alertQueries([alert(), alert({ fingerprint: 'other' })]);
    expect(queries).toHaveLength(1);
  });

  it('shows that it is querying Prometheus', async () => {
    backend.hang('GET', QUERY);
    renderGraphs([alert()]);
    expect(await screen.findByText('Querying Prometheus…')).toBeInTheDocument();
  });

  it("draws the expression's series over the incident's window, with an Explore link", async () => {
    backend.on('GET', QUERY, {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [{ metric: { route: '/checkout' }, values: [[1763802000, '12.5']] }],
      },
    });
    renderGraphs([alert()]);
    expect(await screen.findByTestId('data-testid inc-alert-chart')).toBeInTheDocument();
    const call = backend.callsTo('GET', QUERY)[0];
    expect(call.query.get('query')).toBe(EXPR);
    // From 15 minutes before the incident started (2026-11-22T09:00:00Z).
    expect(Number(call.query.get('start'))).toBe(Date.parse('2026-11-22T08:45:00Z') / 1000);
    const href = screen.getByRole('link', { name: 'Explore the query of HighLatency' }).getAttribute('href')!;
    const state = JSON.parse(new URLSearchParams(href.split('?')[1]).get('left')!);
    expect(state.datasource).toBe('prom');
    expect(state.queries[0].expr).toBe(EXPR);
    expect(state.range.from).toBe(String(Date.parse('2026-11-22T08:45:00Z')));
  });

  it('says when the expression returns nothing in the window', async () => {
    backend.on('GET', QUERY, { status: 'success', data: { resultType: 'matrix', result: [] } });
    renderGraphs([alert()]);
    expect(await screen.findByText(/Prometheus has no data for this expression between/)).toBeInTheDocument();
  });

  it("shows Prometheus' error in words", async () => {
    backend.on(
      'GET',
      QUERY,
      { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected }' },
      400,
    );
    renderGraphs([alert()]);
    expect(await screen.findByText('Could not query Prometheus')).toBeInTheDocument();
    expect(screen.getByText(/parse error: unexpected }/)).toBeInTheDocument();
  });

  it('says when an alert carries no generator URL', () => {
    renderGraphs([alert({ generatorUrl: null })]);
    expect(screen.getByText(/the alert carries no generator URL/)).toBeInTheDocument();
    expect(backend.calls).toHaveLength(0);
  });

  it('says why a generator URL cannot be graphed, linking to it', () => {
    renderGraphs([alert({ generatorUrl: 'http://grafana/alerting/grafana/abc/view' })]);
    expect(screen.getByText(/cannot be graphed: it carries no PromQL expression/)).toBeInTheDocument();
    expect(screen.getByText('source link').closest('a')?.getAttribute('href')).toBe(
      'http://grafana/alerting/grafana/abc/view',
    );
    expect(backend.calls).toHaveLength(0);
  });

  it('says where to pick Prometheus when no datasource is configured', () => {
    renderGraphs([alert()], null);
    expect(screen.getByText('No Prometheus datasource selected')).toBeInTheDocument();
    expect(backend.calls).toHaveLength(0);
  });

  it('shows nothing for an incident opened by hand', () => {
    const { container } = renderGraphs([]);
    expect(container).toBeEmptyDOMElement();
  });
});
