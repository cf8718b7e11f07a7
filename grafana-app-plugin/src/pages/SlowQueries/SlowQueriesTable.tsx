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
import type { FingerprintStats, SlowQueryList } from '../../api/types';
import { CodeLine } from '../../components/common/CodeBlock';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import type { UrlPatch } from '../../hooks/useUrlQuery';
import { prefixHref } from '../../utils/routing';
import { ListPager } from './ListPager';
import { type SeriesAxis, statColumns } from './statColumns';

type DetailQuery = Record<string, string | undefined>;

function fingerprintColumns(
  detailQuery: DetailQuery,
  queryCell: string,
  axis: SeriesAxis,
): Array<Column<FingerprintStats>> {
  return [
    {
      id: 'fingerprint',
      header: 'Query',
      cell: ({ row: { original: r } }: CellProps<FingerprintStats>) => (
        <div className={queryCell}>
          <TextLink
            href={prefixHref(`${ROUTES.SlowQueries}/${r.id}`, detailQuery)}
            inline={false}
            color="primary"
          >
            <CodeLine code={r.fingerprint} maxWidth={620} />
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
    ...statColumns<FingerprintStats>(axis),
  ];
}

interface Props {
  data: SlowQueryList;
  /** The list's filters, carried to the detail page so it shows the same slice. */
  detailQuery: DetailQuery;
  /** Stands for detailQuery in memo dependencies (the URL's search string). */
  urlKey: string;
  page: number;
  perPage: number;
  initialSortBy: Array<SortingRule<FingerprintStats>>;
  onSort: (state: { sortBy: Array<SortingRule<FingerprintStats>> }) => void;
  onPage: (patch: UrlPatch) => void;
}

/** Fingerprints ranked by load, sorted and paged by the exporter. */
export function SlowQueriesTable({ data, detailQuery, urlKey, page, perPage, ...props }: Props) {
  const styles = useStyles2(getStyles);
  // detailQuery is derived from the URL, which urlKey stands for.
  const from = Date.parse(data.from);
  const columns = useMemo(
    () => fingerprintColumns(detailQuery, styles.queryCell, { from, bucketSeconds: data.bucketSeconds }),
    [styles, urlKey, from, data.bucketSeconds],
  );
  return (
    <div data-testid={testIds.slowQueries.table}>
      <InteractiveTable<FingerprintStats>
        columns={columns}
        data={data.items}
        getRowId={(r: FingerprintStats) => r.id}
        fetchData={props.onSort}
        initialSortBy={props.initialSortBy}
        disableSortRemove
      />
      <ListPager total={data.total} page={page} perPage={perPage} onPage={props.onPage} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  queryCell: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), maxWidth: 640 }),
});
