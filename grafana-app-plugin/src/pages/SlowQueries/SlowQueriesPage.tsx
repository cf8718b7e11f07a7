import React, { useCallback } from 'react';
import { PluginPage } from '@grafana/runtime';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, LinkButton, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import type { SlowQueryGroupBy } from '../../api/types';
import { QueryState } from '../../components/common/QueryState';
import { Toolbar } from '../../components/common/Layout';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { ROUTES } from '../../constants';
import { formatCount } from '../../utils/format';
import { DASHBOARDS, dashboardHref, prefixHref } from '../../utils/routing';
import { SlowQueriesTable } from './SlowQueriesTable';
import { SlowQueryFilters } from './SlowQueryFilters';
import { FacetPanel } from './FacetPanel';
import { GROUP_TITLES, SlowQueryGroupsTable } from './SlowQueryGroupsTable';
import {
  GROUP_BYS,
  useServerSort,
  useSlowQueryExport,
  useSlowQueryFacets,
  useSlowQueryGroupList,
  useSlowQueryList,
  useSlowQueryParams,
} from './useSlowQueries';

const GROUP_OPTIONS: Array<{ label: string; value: SlowQueryGroupBy | '' }> = [
  { label: 'Query', value: '' },
  ...GROUP_BYS.map((by) => ({ label: GROUP_TITLES[by], value: by })),
];
const GROUP_NOUNS: Record<SlowQueryGroupBy, [string, string]> = {
  route: ['route or job', 'routes and jobs'],
  database: ['database', 'databases'],
  service: ['service', 'services'],
};

export default function SlowQueriesPage() {
  const params = useSlowQueryParams();
  const { update, range, filter, groupBy, perPage, page } = params;
  const { state, key } = useSlowQueryList(params);
  const groups = useSlowQueryGroupList(params);
  const facets = useSlowQueryFacets(params);
  const styles = useStyles2(getStyles);
  const sorting = useServerSort(params);
  const exporter = useSlowQueryExport(params);
  const data = state.value;
  const grouped = groups.value;
  const shown = groupBy ? groups : state;

  const setFilter = useCallback(
    (patch: Record<string, string | undefined>) => update({ ...patch, page: null }),
    [update],
  );
  const windowQuery = { from: String(filter.from), to: String(filter.to) };
  const detailQuery = {
    from: params.params.get('from') ?? undefined,
    to: params.params.get('to') ?? undefined,
    database: filter.database,
    route: filter.route,
    operation: filter.operation,
    service: filter.service,
  };
  // Paging and server-side sorting, the same for the fingerprints and the groups.
  const tableProps = {
    urlKey: key,
    page,
    perPage,
    initialSortBy: sorting.initialSortBy,
    onSort: sorting.onSort,
    onPage: update,
  };
  let summary = ' ';
  if (groupBy && grouped) {
    const [one, many] = GROUP_NOUNS[groupBy];
    summary = `${formatCount(grouped.total)} ${grouped.total === 1 ? one : many}, ${grouped.totalSeconds.toFixed(1)} s of slow-query time`;
  } else if (!groupBy && data) {
    summary = `${formatCount(data.total)} fingerprints, ${data.totalSeconds.toFixed(1)} s of slow-query time`;
  }

  return (
    <PluginPage subTitle="Statements over the slow-query threshold, by fingerprint, route, database or service, ranked by their share of the time">
      <Toolbar align="stretch">
        <SlowQueryFilters filter={filter} onChange={setFilter} />
        <Stack gap={1} alignItems="center">
          <TimeRangeControl range={range} onChange={update} />
          <Button variant="secondary" icon="sync" aria-label="Refresh" onClick={shown.retry} />
        </Stack>
      </Toolbar>

      <Toolbar dense>
        <Stack gap={2} alignItems="center">
          <Stack gap={1} alignItems="center">
            <Text color="secondary" variant="bodySmall">
              Group by
            </Text>
            <RadioButtonGroup
              size="sm"
              aria-label="Group by"
              options={GROUP_OPTIONS}
              value={groupBy ?? ''}
              onChange={(by) => update({ groupBy: by || null, page: null })}
            />
          </Stack>
          <Text color="secondary">{summary}</Text>
        </Stack>
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
            onClick={exporter.run}
            disabled={!data?.total}
            tooltip={groupBy ? 'Exports fingerprints: group by Query to export' : undefined}
          >
            Export CSV
          </Button>
        </Stack>
      </Toolbar>
      {exporter.error && <Text color="error">Export failed: {exporter.error}</Text>}
      {exporter.note && (
        <Alert severity="warning" title="Export truncated" data-testid="data-testid sq-export-truncated">
          {exporter.note}
        </Alert>
      )}

      <div className={styles.body}>
        <FacetPanel
          facets={facets.value}
          loading={facets.loading}
          error={facets.error}
          filter={filter}
          onChange={setFilter}
        />
        <div className={styles.main}>
          <QueryState
            loading={shown.loading && !shown.value}
            error={shown.error}
            empty={Boolean(shown.value && shown.value.items.length === 0)}
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
            onRetry={shown.retry}
          >
            {groupBy && grouped && (
              <SlowQueryGroupsTable
                data={grouped}
                listQuery={Object.fromEntries(params.params.entries())}
                {...tableProps}
              />
            )}
            {!groupBy && data && <SlowQueriesTable data={data} detailQuery={detailQuery} {...tableProps} />}
          </QueryState>
        </div>
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  body: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'flex-start' }),
  // min-width 0 lets the table scroll inside its column instead of pushing the page wider.
  main: css({ flex: 1, minWidth: 0 }),
});
