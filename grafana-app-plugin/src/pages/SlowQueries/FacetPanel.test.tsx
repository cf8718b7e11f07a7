import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { slowQueryFacets } from '../../test/fixtures';
import { FacetPanel } from './FacetPanel';

const noop = () => undefined;

describe('Slow-query facet panel', () => {
  it('shows a loading state until the facets arrive', () => {
    render(<FacetPanel loading filter={{}} onChange={noop} />);
    expect(screen.getByText('Loading facets…')).toBeInTheDocument();
  });

  it('says when the range has nothing to filter by', () => {
    const empty = slowQueryFacets({
      facets: [
        { name: 'database', values: [], truncated: false },
        { name: 'route', values: [], truncated: false },
        { name: 'operation', values: [], truncated: false },
      ],
    });
    render(<FacetPanel facets={empty} loading={false} filter={{}} onChange={noop} />);
    expect(screen.getByText('Nothing to filter by in this range')).toBeInTheDocument();
  });

  it("shows the exporter's error message", () => {
    render(
      <FacetPanel
        loading={false}
        error={new Error('the slow-query store cannot be read')}
        filter={{}}
        onChange={noop}
      />,
    );
    expect(screen.getByText('Could not load the facets')).toBeInTheDocument();
    expect(screen.getByText('the slow-query store cannot be read')).toBeInTheDocument();
  });

  it('lists each facet with its values, counts and time, and says when a facet is cut', () => {
    render(<FacetPanel facets={slowQueryFacets()} loading={false} filter={{}} onChange={noop} />);
    const route = screen.getByRole('region', { name: 'Route or job' });
    expect(within(route).getByLabelText('/checkout')).not.toBeChecked();
    expect(within(route).getByText('312 · 123.5 s')).toBeInTheDocument();
    expect(within(route).getByText(/Top 2 by time/)).toBeInTheDocument();
    const db = screen.getByRole('region', { name: 'Database' });
    expect(within(db).getByText('1,500 · 420.0 s')).toBeInTheDocument();
    expect(within(db).queryByText(/Top \d by time/)).not.toBeInTheDocument();
  });

  it('ticks the value the filter holds', () => {
    render(
      <FacetPanel
        facets={slowQueryFacets()}
        loading={false}
        filter={{ operation: 'select' }}
        onChange={noop}
      />,
    );
    expect(screen.getByLabelText('SELECT')).toBeChecked();
  });

  it('ticking a value sets its filter, ticking the chosen one clears it', async () => {
    const onChange = jest.fn();
    const { rerender } = render(
      <FacetPanel facets={slowQueryFacets()} loading={false} filter={{}} onChange={onChange} />,
    );
    await userEvent.click(screen.getByLabelText('/checkout'));
    expect(onChange).toHaveBeenLastCalledWith({ route: '/checkout' });
    rerender(
      <FacetPanel
        facets={slowQueryFacets()}
        loading={false}
        filter={{ route: '/checkout' }}
        onChange={onChange}
      />,
    );
    await userEvent.click(screen.getByLabelText('/checkout'));
    expect(onChange).toHaveBeenLastCalledWith({ route: undefined });
  });

  it('ticking the (none) service filters to the samples that name no service', async () => {
    const onChange = jest.fn();
    render(<FacetPanel facets={slowQueryFacets()} loading={false} filter={{}} onChange={onChange} />);
    const service = screen.getByRole('region', { name: 'Service' });
    await userEvent.click(within(service).getByLabelText('(none)'));
    expect(onChange).toHaveBeenCalledWith({ service: '(none)' });
  });
});
