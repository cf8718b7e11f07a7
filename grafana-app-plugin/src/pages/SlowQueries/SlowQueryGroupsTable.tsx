import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  InteractiveTable,
  Stack,
  Text,
  TextLink,
  Tooltip,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps, SortingRule } from 'react-table';
import type { SlowQueryGroup, SlowQueryGroupBy, SlowQueryGroups } from '../../api/types';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import type { UrlPatch } from '../../hooks/useUrlQuery';
import { formatCount } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { ListPager } from './ListPager';
import { type SeriesAxis, statColumns } from './statColumns';
import { NO_SERVICE } from './useSlowQueries';

export const GROUP_TITLES: Record<SlowQueryGroupBy, string> = {
  route: 'Route or job',
  database: 'Database',
  service: 'Service',
};

/** Why a (none) row exists: the samples it holds were sent without a service name. */
const NO_SERVICE_HINT =
  'Slow queries from apps that name no service: in-process capture without queries.service, or ingested batches without "app"';

function groupColumns(
  by: SlowQueryGroupBy,
  /** The list's URL query, which a row's link narrows to its value. */
  listQuery: Record<string, string>,
  valueCell: string,
  axis: SeriesAxis,
): Array<Column<SlowQueryGroup>> {
  return [
    {
      id: 'value',
      header: GROUP_TITLES[by],
      cell: ({ row: { original: g } }: CellProps<SlowQueryGroup>) => {
        // The row's fingerprints: the list filtered by this value, no longer grouped.
        const { groupBy: _grouped, page: _page, ...rest } = listQuery;
        const link = (
          <TextLink href={prefixHref(ROUTES.SlowQueries, { ...rest, [by]: g.value })} inline={false}>
            {g.value}
          </TextLink>
        );
        return (
          <div className={valueCell}>
            {by === 'service' && g.value === NO_SERVICE ? (
              <Tooltip content={NO_SERVICE_HINT}>
                <span>{link}</span>
              </Tooltip>
            ) : (
              link
            )}
            <Stack gap={0.5}>
              <Text variant="bodySmall" color="secondary">
                {formatCount(g.fingerprints)} {g.fingerprints === 1 ? 'fingerprint' : 'fingerprints'}
              </Text>
              {g.nPlusOne && (
                <Tooltip content="At least one of its statements ran more often than the N+1 threshold within one request or job">
                  <span>
                    <Badge color="orange" text="N+1" icon="exclamation-triangle" />
                  </span>
                </Tooltip>
              )}
            </Stack>
          </div>
        );
      },
    },
    ...statColumns<SlowQueryGroup>(axis),
  ];
}

interface Props {
  data: SlowQueryGroups;
  listQuery: Record<string, string>;
  /** Stands for listQuery in memo dependencies (the URL's search string). */
  urlKey: string;
  page: number;
  perPage: number;
  initialSortBy: Array<SortingRule<SlowQueryGroup>>;
  onSort: (state: { sortBy: Array<SortingRule<SlowQueryGroup>> }) => void;
  onPage: (patch: UrlPatch) => void;
}

/**
 * Slow queries per route, database or service (PMM QAN's "group by"), ranked by load like the
 * fingerprints; a row links to the list of its fingerprints.
 */
export function SlowQueryGroupsTable({ data, listQuery, urlKey, page, perPage, ...props }: Props) {
  const styles = useStyles2(getStyles);
  const from = Date.parse(data.from);
  const columns = useMemo(
    () => groupColumns(data.by, listQuery, styles.valueCell, { from, bucketSeconds: data.bucketSeconds }),
    // listQuery is derived from the URL, which urlKey stands for.
    [data.by, styles, urlKey, from, data.bucketSeconds],
  );
  return (
    <div data-testid={testIds.slowQueries.groups}>
      <InteractiveTable<SlowQueryGroup>
        columns={columns}
        data={data.items}
        getRowId={(g: SlowQueryGroup) => g.value}
        fetchData={props.onSort}
        initialSortBy={props.initialSortBy}
        disableSortRemove
      />
      <ListPager total={data.total} page={page} perPage={perPage} onPage={props.onPage} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  valueCell: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    maxWidth: 480,
    overflowWrap: 'anywhere',
  }),
});
