import { useCallback, useMemo, useState } from 'react';
import { useAsyncRetry } from 'react-use';
import type { SortingRule } from 'react-table';
import { locationService } from '@grafana/runtime';
import { api } from '../../api/client';
import type { FingerprintStats, SlowQueryFilter, SlowQueryGroupBy, SlowQuerySort } from '../../api/types';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { downloadText, toCsv } from '../../utils/csv';
import { parseRange } from '../../utils/time';
import { CSV_HEADER, fetchForExport, slowQueryCsvRow } from './slowQueryCsv';

const SORTS: SlowQuerySort[] = ['totalTime', 'count', 'mean', 'p95', 'max', 'lastSeen'];
/** What the list can be grouped by besides the fingerprint (the URL's `groupBy`). */
export const GROUP_BYS: SlowQueryGroupBy[] = ['route', 'database', 'service'];
/**
 * The exporter's name for samples that name no service, in facets, groups and the filter: no service
 * can be called so (names are letters, digits, _ . and -).
 */
export const NO_SERVICE = '(none)';
export const PAGE_SIZES = [25, 50, 100];
/** Points of each row's load sparkline: enough for its ~140 px, well under the exporter's cap. */
export const LOAD_BUCKETS = 30;
/** Values shown per facet. */
export const FACET_TOP = 8;
/** Table column id → the API's sort key. */
const SORT_BY_COLUMN: Record<string, SlowQuerySort> = {
  share: 'totalTime',
  count: 'count',
  meanMs: 'mean',
  p95Ms: 'p95',
  maxMs: 'max',
  lastSeen: 'lastSeen',
};
const COLUMN_BY_SORT = Object.fromEntries(Object.entries(SORT_BY_COLUMN).map(([c, s]) => [s, c]));

/** The filters the list, its groups and a fingerprint's detail share, as the URL holds them. */
export function urlFilter(params: URLSearchParams): Omit<SlowQueryFilter, 'from' | 'to' | 'q'> {
  return {
    database: params.get('database') || undefined,
    route: params.get('route') || undefined,
    operation: params.get('operation') || undefined,
    service: params.get('service') || undefined,
  };
}

/** Filters, grouping, sort and page as the URL holds them. */
export function useSlowQueryParams() {
  const [params, update] = useUrlQuery();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'));
  const filter: SlowQueryFilter = { from, to, ...urlFilter(params), q: params.get('q') || undefined };
  const groupParam = params.get('groupBy') as SlowQueryGroupBy | null;
  const groupBy = groupParam && GROUP_BYS.includes(groupParam) ? groupParam : undefined;
  const sortParam = params.get('sort') as SlowQuerySort | null;
  const sort: SlowQuerySort = sortParam && SORTS.includes(sortParam) ? sortParam : 'totalTime';
  const order: 'asc' | 'desc' = params.get('order') === 'asc' ? 'asc' : 'desc';
  const perPageParam = Number(params.get('perPage'));
  const perPage = PAGE_SIZES.includes(perPageParam) ? perPageParam : 25;
  const page = Math.max(1, Number(params.get('page')) || 1);
  return { params, update, range, filter, groupBy, sort, order, perPage, page };
}

export type SlowQueryParams = ReturnType<typeof useSlowQueryParams>;

/** The URL's filters, sort and page as the exporter takes them, with each row's sparkline buckets. */
function pageQuery({ filter, sort, order, perPage, page }: SlowQueryParams) {
  return { ...filter, sort, order, limit: perPage, offset: (page - 1) * perPage, buckets: LOAD_BUCKETS };
}

/** One page of fingerprints for the URL's filters (nothing is read while the list is grouped). */
export function useSlowQueryList(p: SlowQueryParams) {
  // `from`/`to` stay relative in the URL ("now-24h"): the string is the key, so a retry re-reads "now".
  const key = p.params.toString();
  const state = useAsyncRetry(async () => (p.groupBy ? undefined : api.slowQueries(pageQuery(p))), [key]);
  return { state, key };
}

/** One page of routes, databases or services when the URL groups the list (PMM QAN's "group by"). */
export function useSlowQueryGroupList(p: SlowQueryParams) {
  return useAsyncRetry(
    async () => (p.groupBy ? api.slowQueryGroups({ ...pageQuery(p), by: p.groupBy }) : undefined),
    [p.params.toString()],
  );
}

/** The facet panel's values for the URL's filters (sorting and paging do not change them). */
export function useSlowQueryFacets({ params, filter }: SlowQueryParams) {
  const key = ['from', 'to', 'database', 'route', 'operation', 'service', 'q']
    .map((k) => params.get(k))
    .join('\n');
  return useAsyncRetry(() => api.slowQueryFacets({ ...filter, top: FACET_TOP }), [key]);
}

/**
 * Sorting happens on the server: the table reports its sort rule, the URL takes it (replacing the
 * history entry, as the table reports its initial rule too), and the list is fetched again.
 */
export function useServerSort({ update, sort, order }: SlowQueryParams) {
  const initialSortBy = useMemo<Array<SortingRule<FingerprintStats>>>(
    () => [{ id: COLUMN_BY_SORT[sort] ?? 'share', desc: order === 'desc' }],
    // Only the first render's value counts for the table; later changes come from the table itself.
    [],
  );
  const onSort = useCallback(
    ({ sortBy }: { sortBy: Array<SortingRule<FingerprintStats>> }) => {
      const rule = sortBy[0];
      const nextSort = rule ? (SORT_BY_COLUMN[rule.id] ?? 'totalTime') : 'totalTime';
      const nextOrder = rule && !rule.desc ? 'asc' : 'desc';
      const current = locationService.getSearch();
      const curSort = current.get('sort') ?? 'totalTime';
      const curOrder = current.get('order') ?? 'desc';
      if (nextSort !== curSort || nextOrder !== curOrder) {
        update(
          {
            sort: nextSort === 'totalTime' ? null : nextSort,
            order: nextOrder === 'desc' ? null : 'asc',
            page: null,
          },
          true,
        );
      }
    },
    [update],
  );
  return { initialSortBy, onSort };
}

/** The CSV download of every matching fingerprint, with what went wrong or was left out. */
export function useSlowQueryExport({ filter, sort, order }: SlowQueryParams) {
  const [error, setError] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const run = async () => {
    setError(undefined);
    setNote(undefined);
    try {
      const { rows, total } = await fetchForExport({ ...filter, sort, order });
      const stamp = new Date(filter.from!).toISOString().slice(0, 16).replace(/[:T]/g, '-');
      downloadText(`slow-queries-${stamp}.csv`, toCsv(CSV_HEADER, rows.map(slowQueryCsvRow)));
      if (total > rows.length) {
        setNote(
          `The file holds the first ${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} fingerprints in the current order. Narrow the filters or the time range to export the rest.`,
        );
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return { run, error, note };
}
