import { act } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { currentSearch, renderHookAt } from '../../test/render';
import { useServerSort, useSlowQueryParams } from './useSlowQueries';

const LIST = '/a/perfwatch-app/slow-queries';

describe('useSlowQueryParams', () => {
  it('reads filters, sort, order, page size and page from the URL', () => {
    const { result } = renderHookAt(
      `${LIST}?database=shop&route=GET%20%2F&operation=SELECT&q=orders&sort=p95&order=asc&perPage=50&page=3`,
      useSlowQueryParams,
    );
    expect(result.current.filter).toMatchObject({
      database: 'shop',
      route: 'GET /',
      operation: 'SELECT',
      q: 'orders',
    });
    expect(result.current).toMatchObject({ sort: 'p95', order: 'asc', perPage: 50, page: 3 });
  });

  it('falls back to total time, descending, 25 rows and page 1 on values it does not know', () => {
    const { result } = renderHookAt(`${LIST}?sort=drop&order=up&perPage=1000&page=-2`, useSlowQueryParams);
    expect(result.current).toMatchObject({ sort: 'totalTime', order: 'desc', perPage: 25, page: 1 });
  });
});

describe('useServerSort', () => {
  const sorting = () => useServerSort(useSlowQueryParams());

  it('starts the table on the URL sort', () => {
    const { result } = renderHookAt(`${LIST}?sort=count&order=asc`, sorting);
    expect(result.current.initialSortBy).toEqual([{ id: 'count', desc: false }]);
  });

  it('writes a new sort into the URL and goes back to the first page', () => {
    const { result } = renderHookAt(`${LIST}?page=4`, sorting);
    act(() => result.current.onSort({ sortBy: [{ id: 'maxMs', desc: true }] }));
    expect(currentSearch().get('sort')).toBe('max');
    expect(currentSearch().get('page')).toBeNull();
  });

  it('leaves the URL alone when the table reports the sort it already has', () => {
    const { result } = renderHookAt(`${LIST}?sort=max&page=4`, sorting);
    const before = locationService.getHistory().length;
    act(() => result.current.onSort({ sortBy: [{ id: 'maxMs', desc: true }] }));
    expect(currentSearch().get('page')).toBe('4');
    expect(locationService.getHistory().length).toBe(before);
  });
});
