import React from 'react';
import { render, screen, within } from '@testing-library/react';
import type { SlaReport } from '../../api/types';
import { slaReport } from '../../test/fixtures';
import { renderAt } from '../../test/render';
import { SettingsContext } from '../../utils/settings';
import { PeriodProgressNote } from './PeriodProgressNote';
import { periodProgress } from './periodProgress';
import { PromqlList } from './PromqlList';
import { SlaNumbers } from './SlaNumbers';
import { SlaTable } from './SlaTable';

const monthReport = (to: string): SlaReport => ({
  ...slaReport(),
  period: { id: '2026-12', label: '2026-12', from: '2026-12-01T00:00:00.000Z', to },
});

describe('SLA period progress', () => {
  it('says how much of a running month has passed', () => {
    render(<PeriodProgressNote report={monthReport('2026-12-07T00:00:00.000Z')} />);
    expect(screen.getByText('In progress: 19 % of December 2026 elapsed')).toBeInTheDocument();
    expect(screen.getByText(/the period ends 2027-01-01 00:00:00/)).toBeInTheDocument();
  });

  it('says nothing for a rolling window or a month that is over', () => {
    const { container } = render(<PeriodProgressNote report={slaReport()} />);
    expect(container).toBeEmptyDOMElement();
    expect(periodProgress(monthReport('2027-01-01T00:00:00.000Z'))).toMatchObject({
      complete: true,
      elapsed: 1,
    });
  });

  it('counts a quarter to the end of its third month', () => {
    const report = {
      ...monthReport('2026-11-15T12:00:00.000Z'),
      period: {
        ...monthReport('').period,
        id: '2026-Q4',
        from: '2026-10-01T00:00:00.000Z',
        to: '2026-11-15T12:00:00.000Z',
      },
    };
    expect(periodProgress(report)).toMatchObject({ complete: false, periodEnd: '2027-01-01T00:00:00.000Z' });
  });
});

describe('SLA numbers against their objectives', () => {
  const checkout = () => slaReport().endpoints.find((e) => e.name === 'checkout')!;
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
