import React from 'react';
import { render, screen, within } from '@testing-library/react';
import type { SlaReport } from '../../api/types';
import { slaReport } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import { SettingsContext } from '../../utils/settings';
import { PeriodProgressNote } from './PeriodProgressNote';
import { PromqlList } from './PromqlList';
import { SlaNumbers } from './SlaNumbers';
import { SlaTable } from './SlaTable';

/** December 2026 evaluated up to `end`, as the exporter reports a month still running. */
const monthReport = (end: string): SlaReport => {
  const start = '2026-12-01T00:00:00.000Z';
  const periodEnd = '2027-01-01T00:00:00.000Z';
  const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
  return {
    ...slaReport(),
    period: {
      label: 'December 2026',
      kind: 'calendar',
      start,
      end,
      periodEnd,
      elapsedSeconds: seconds(start, end),
      durationSeconds: seconds(start, periodEnd),
      complete: end === periodEnd,
    },
  };
};

describe('SLA period progress', () => {
  it('says how much of a running month has passed, from the report’s own elapsed and duration', () => {
    render(<PeriodProgressNote report={monthReport('2026-12-07T00:00:00.000Z')} period="2026-12" />);
    expect(screen.getByText('In progress: 19 % of December 2026 elapsed')).toBeInTheDocument();
    expect(screen.getByText(/the period ends 2027-01-01 00:00:00/)).toBeInTheDocument();
  });

  it('says nothing for a rolling window', () => {
    const { container } = render(<PeriodProgressNote report={slaReport()} period="30d" />);
    expect(container).toBeEmptyDOMElement();
  });

  it('says nothing for a month the report calls complete', () => {
    const { container } = render(
      <PeriodProgressNote report={monthReport('2027-01-01T00:00:00.000Z')} period="2026-12" />,
    );
    expect(container).toBeEmptyDOMElement();
  });
});

describe('SLA numbers against their objectives', () => {
  const checkout = () => slaReport().endpoints.find((e) => e.sla === 'checkout')!;
  const isMissed = (el: HTMLElement) => el.closest('[data-missed]') !== null;

  it('colour what misses its objective and say by how much the budget is overspent', () => {
    render(<SlaNumbers endpoint={checkout()} />);
    // Compliance 91 % against 95 %, availability 99.8 % against 99.9 %, error rate within its target.
    expect(isMissed(screen.getByText('91.00 %'))).toBe(true);
    expect(isMissed(screen.getByText('99.800 %'))).toBe(true);
    expect(isMissed(screen.getByText('0.20 %'))).toBe(false);
    expect(screen.getByText('overspent by 80.0 % of the budget')).toBeInTheDocument();
  });

  it('mark below-target compliance and availability in the table, and leave met ones plain', () => {
    renderAt('/a/perfwatch-app/sla', <SlaTable endpoints={slaReport().endpoints} period="30d" />);
    const [checkoutRow, homeRow] = screen.getAllByRole('row').slice(1);
    expect(isMissed(within(checkoutRow).getByText('91.00 %'))).toBe(true);
    expect(isMissed(within(checkoutRow).getByText('99.800 %'))).toBe(true);
    expect(isMissed(within(homeRow).getByText('99.90 %'))).toBe(false);
    expect(within(checkoutRow).getByText('overspent by 80.0 % of the budget')).toBeInTheDocument();
  });
});

describe('PromQL list', () => {
  const promql = { p95: 'histogram_quantile(0.95, x)' };
  const range = { from: '1763800000000', to: '1764000000000' };

  it('links each expression to Explore on the configured Prometheus, over the period', () => {
    render(
      <SettingsContext.Provider value={{ prometheusDatasourceUid: 'prom' }}>
        <PromqlList promql={promql} range={range} />
      </SettingsContext.Provider>,
    );
    const href = screen.getByRole('link', { name: 'Explore p95 latency' }).getAttribute('href') ?? '';
    expect(href.startsWith('/explore?left=')).toBe(true);
    const state = JSON.parse(decodeURIComponent(href.slice('/explore?left='.length)));
    expect(state).toMatchObject({
      datasource: 'prom',
      queries: [{ refId: 'A', expr: 'histogram_quantile(0.95, x)' }],
      range: { from: '1763800000000', to: '1764000000000' },
    });
  });

  it('offers no Explore link without a datasource', () => {
    render(<PromqlList promql={promql} range={range} />);
    expect(screen.queryByRole('link', { name: /Explore/ })).not.toBeInTheDocument();
  });
});
