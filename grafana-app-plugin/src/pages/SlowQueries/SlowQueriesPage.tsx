import React, { useCallback, useMemo, useState } from 'react';
import { useAsyncRetry } from 'react-use';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage, locationService } from '@grafana/runtime';
import {
  Alert,
  Badge,
  Button,
  InteractiveTable,
  LinkButton,
  Pagination,
  RadioButtonGroup,
  Stack,
  Text,
  TextLink,
  Tooltip,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps, SortingRule } from 'react-table';
import { api } from '../../api/client';
import type { FingerprintStats, SlowQueryFilter, SlowQuerySort } from '../../api/types';
import { CommitInput } from '../../components/common/CommitInput';
import { QueryState } from '../../components/common/QueryState';
import { ShareBar } from '../../components/common/ShareBar';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { downloadText, toCsv } from '../../utils/csv';
import { formatCount, formatMs, formatTime } from '../../utils/format';
import { DASHBOARDS, dashboardHref, prefixHref } from '../../utils/routing';
import { parseRange } from '../../utils/time';

const SORTS: SlowQuerySort[] = ['totalTime', 'count', 'mean', 'p95', 'max', 'lastSeen'];
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
const PAGE_SIZES = [25, 50, 100];
const OPERATIONS = ['', 'SELECT', 'INSERT', 'UPDATE', 'DELETE'];

export const CSV_HEADER = [
  'fingerprint_id',
  'fingerprint',
  'db_system',
  'database',
  'operation',
  'count',
  'total_seconds',
  'share_percent',
  'mean_ms',
  'p95_ms',
  'max_ms',
  'first_seen',
  'last_seen',
  'n_plus_one',
];

export function slowQueryCsvRow(r: FingerprintStats): unknown[] {
  return [
    r.id,
    r.fingerprint,
    r.dbSystem,
    r.database ?? '',
    r.operation,
    r.count,
    r.totalSeconds.toFixed(3),
    (r.share * 100).toFixed(2),
    r.meanMs.toFixed(1),
    r.p95Ms.toFixed(1),
    r.maxMs.toFixed(1),
    r.firstSeen,
    r.lastSeen,
    r.nPlusOne ? 'yes' : 'no',
  ];
}

/** Filters, sort and page as the URL holds them. */
export function useSlowQueryParams() {
  const [params, update] = useUrlQuery();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'));
  const filter: SlowQueryFilter = {
    from,
    to,
    database: params.get('database') || undefined,
    route: params.get('route') || undefined,
    operation: params.get('operation') || undefined,
    q: params.get('q') || undefined,
  };
  const sortParam = params.get('sort') as SlowQuerySort | null;
  const sort: SlowQuerySort = sortParam && SORTS.includes(sortParam) ? sortParam : 'totalTime';
  const order: 'asc' | 'desc' = params.get('order') === 'asc' ? 'asc' : 'desc';
  const perPageParam = Number(params.get('perPage'));
  const perPage = PAGE_SIZES.includes(perPageParam) ? perPageParam : 25;
  const page = Math.max(1, Number(params.get('page')) || 1);
  return { params, update, range, filter, sort, order, perPage, page };
}

/** The most rows one CSV export fetches (20 API pages of 500). */
export const EXPORT_MAX_ROWS = 10_000;

export default function SlowQueriesPage() {
  const styles = useStyles2(getStyles);
  const { params, update, range, filter, sort, order, perPage, page } = useSlowQueryParams();
  const [exporting, setExporting] = useState<string | undefined>();
  const [exportNote, setExportNote] = useState<string | undefined>();

  // `from`/`to` stay relative in the URL ("now-24h"): the string is the key, so a retry re-reads "now".
  const key = params.toString();
  const state = useAsyncRetry(
    () => api.slowQueries({ ...filter, sort, order, limit: perPage, offset: (page - 1) * perPage }),
    [key],
  );
  const data = state.value;

  const setFilter = useCallback(
    (patch: Record<string, string | undefined>) => update({ ...patch, page: null }),
    [update],
  );

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

  const windowQuery = { from: String(filter.from), to: String(filter.to) };
  const detailQuery = {
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    database: filter.database,
    route: filter.route,
    operation: filter.operation,
  };

  const columns = useMemo<Array<Column<FingerprintStats>>>(
    () => [
      {
        id: 'fingerprint',
        header: 'Query',
        cell: ({ row: { original: r } }: CellProps<FingerprintStats>) => (
          <div className={styles.queryCell}>
            <TextLink
              href={prefixHref(`${ROUTES.SlowQueries}/${r.id}`, detailQuery)}
              inline={false}
              color="primary"
            >
              <span className={styles.sql} title={r.fingerprint}>
                {r.fingerprint}
              </span>
            </TextLink>
            <Stack gap={0.5}>
              <Text variant="bodySmall" color="secondary">
                {r.dbSystem}
                {r.database ? ` · ${r.database}` : ''} · {r.operation}
              </Text>
              {r.nPlusOne && (
                <Tooltip content="The same statement ran more often than the N+1 threshold within one request or job">
                  <span>
                    <Badge color="orange" text="N+1" icon="exclamation-triangle" />
                  </span>
                </Tooltip>
              )}
            </Stack>
          </div>
        ),
      },
      {
        id: 'share',
        header: 'Load',
        sortType: 'number',
        cell: ({ row: { original: r } }: CellProps<FingerprintStats>) => <ShareBar share={r.share} />,
      },
      { id: 'count', header: 'Count', sortType: 'number', cell: ({ value }) => formatCount(value) },
      { id: 'meanMs', header: 'Mean', sortType: 'number', cell: ({ value }) => formatMs(value) },
      { id: 'p95Ms', header: 'p95', sortType: 'number', cell: ({ value }) => formatMs(value) },
      { id: 'maxMs', header: 'Max', sortType: 'number', cell: ({ value }) => formatMs(value) },
      { id: 'lastSeen', header: 'Last seen', sortType: 'string', cell: ({ value }) => formatTime(value) },
    ],
    // detailQuery is derived from the URL, which `key` stands for.
    [styles, key],
  );

  const exportCsv = async () => {
    setExporting(undefined);
    setExportNote(undefined);
    try {
      const rows: FingerprintStats[] = [];
      let total = 0;
      // The API pages at 500 rows; an export takes the matching fingerprints in the table's order,
      // up to EXPORT_MAX_ROWS so one click cannot pull an unbounded table into the browser.
      for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += 500) {
        const chunk = await api.slowQueries({ ...filter, sort, order, limit: 500, offset });
        total = chunk.total;
        rows.push(...chunk.items);
        if (rows.length >= chunk.total || chunk.items.length === 0) {
          break;
        }
      }
      const stamp = new Date(filter.from!).toISOString().slice(0, 16).replace(/[:T]/g, '-');
      downloadText(`slow-queries-${stamp}.csv`, toCsv(CSV_HEADER, rows.map(slowQueryCsvRow)));
      if (total > rows.length) {
        setExportNote(
          `The file holds the first ${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} fingerprints in the current order. Narrow the filters or the time range to export the rest.`,
        );
      }
    } catch (e) {
      setExporting(e instanceof Error ? e.message : String(e));
    }
  };

  const numberOfPages = data ? Math.max(1, Math.ceil(data.total / perPage)) : 1;

  return (
    <PluginPage subTitle="Statements over the slow-query threshold, grouped by fingerprint and ranked by their share of the time">
      <div className={styles.controls}>
        <Stack gap={1} wrap="wrap" alignItems="center">
          <CommitInput
            aria-label="Search SQL"
            placeholder="Search SQL text"
            prefixIcon="search"
            width={30}
            value={filter.q ?? ''}
            onCommit={(q) => setFilter({ q })}
          />
          <CommitInput
            aria-label="Database"
            placeholder="Database or system"
            width={20}
            value={filter.database ?? ''}
            onCommit={(database) => setFilter({ database })}
          />
          <CommitInput
            aria-label="Route or job"
            placeholder="Route or queue:job"
            width={24}
            value={filter.route ?? ''}
            onCommit={(route) => setFilter({ route })}
          />
          <RadioButtonGroup
            aria-label="Operation"
            options={OPERATIONS.map((o) => ({ label: o || 'All', value: o }))}
            value={filter.operation ?? ''}
            onChange={(operation) => setFilter({ operation })}
          />
        </Stack>
        <Stack gap={1} alignItems="center">
          <TimeRangeControl range={range} onChange={update} />
          <Button variant="secondary" icon="sync" aria-label="Refresh" onClick={state.retry} />
        </Stack>
      </div>

      <div className={styles.summary}>
        <Text color="secondary">
          {data
            ? `${formatCount(data.total)} fingerprints, ${data.totalSeconds.toFixed(1)} s of slow-query time`
            : ' '}
        </Text>
        <Stack gap={1}>
          <LinkButton
            variant="secondary"
            size="sm"
            icon="apps"
            href={dashboardHref(DASHBOARDS.database, windowQuery)}
            tooltip="The Perfwatch / Database dashboard for the same time window"
          >
            Database dashboard
          </LinkButton>
          <LinkButton
            variant="secondary"
            size="sm"
            icon="fire"
            href={prefixHref(ROUTES.Incidents, windowQuery)}
            tooltip="Incidents open in the same time window"
          >
            Incidents in this window
          </LinkButton>
          <Button
            variant="secondary"
            size="sm"
            icon="download-alt"
            onClick={exportCsv}
            disabled={!data?.total}
          >
            Export CSV
          </Button>
        </Stack>
      </div>
      {exporting && <Text color="error">Export failed: {exporting}</Text>}
      {exportNote && (
        <Alert severity="warning" title="Export truncated" data-testid="data-testid sq-export-truncated">
          {exportNote}
        </Alert>
      )}

      <QueryState
        loading={state.loading && !data}
        error={state.error}
        empty={Boolean(data && data.items.length === 0)}
        errorTitle="Could not load slow queries"
        loadingText="Loading slow queries…"
        emptyMessage="No slow queries in this time range"
        emptyHint={
          <Text color="secondary" element="p">
            Only statements slower than the exporter&apos;s threshold (queries.slowThresholdMs, 100 ms by
            default) are captured, and samples are kept for the retention period. Widen the time range or
            clear the filters.
          </Text>
        }
        onRetry={state.retry}
      >
        {data && (
          <div data-testid={testIds.slowQueries.table}>
            <InteractiveTable<FingerprintStats>
              columns={columns}
              data={data.items}
              getRowId={(r: FingerprintStats) => r.id}
              fetchData={onSort}
              initialSortBy={initialSortBy}
              disableSortRemove
            />
            <div className={styles.pager}>
              <Text color="secondary" variant="bodySmall">
                {(page - 1) * perPage + 1}–{Math.min(page * perPage, data.total)} of {formatCount(data.total)}
              </Text>
              <Pagination
                currentPage={page}
                numberOfPages={numberOfPages}
                onNavigate={(p) => update({ page: p === 1 ? null : String(p) })}
                hideWhenSinglePage
              />
              <RadioButtonGroup
                size="sm"
                aria-label="Rows per page"
                options={PAGE_SIZES.map((n) => ({ label: String(n), value: n }))}
                value={perPage}
                onChange={(n) => update({ perPage: n === 25 ? null : String(n), page: null })}
              />
            </div>
          </div>
        )}
      </QueryState>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  controls: css({
    display: 'flex',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  summary: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(1),
  }),
  queryCell: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), maxWidth: 640 }),
  sql: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: 620,
  }),
  pager: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginTop: theme.spacing(1),
  }),
});
