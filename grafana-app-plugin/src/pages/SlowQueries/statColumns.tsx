import React from 'react';
import type { Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import { ShareBar } from '../../components/common/ShareBar';
import { formatCount, formatMs, formatTime } from '../../utils/format';
import { LoadSparkline, type LoadSeries } from './LoadSparkline';

/** What a fingerprint row and a group row (route, database, service) both carry. */
interface RowStats {
  share: number;
  series?: LoadSeries;
  count: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  lastSeen: string;
}

/** Where each row's series starts and how wide its buckets are (absent when the list has no series). */
export interface SeriesAxis {
  from: number;
  bucketSeconds?: number;
}

/**
 * The load and latency columns of both slow-query tables, after their first column. Their ids are
 * the sort keys useServerSort maps to the API's, so both tables sort on the server alike.
 */
export function statColumns<T extends RowStats>(axis: SeriesAxis): Array<Column<T>> {
  return [
    {
      id: 'share',
      header: 'Load',
      sortType: 'number',
      cell: ({ row: { original: r } }: CellProps<T>) => <ShareBar share={r.share} />,
    },
    {
      id: 'series',
      header: 'Load over time',
      cell: ({ row: { original: r } }: CellProps<T>) =>
        r.series && axis.bucketSeconds ? (
          <LoadSparkline series={r.series} from={axis.from} bucketSeconds={axis.bucketSeconds} />
        ) : null,
    },
    { id: 'count', header: 'Count', sortType: 'number', cell: ({ value }) => formatCount(value) },
    { id: 'meanMs', header: 'Mean', sortType: 'number', cell: ({ value }) => formatMs(value) },
    { id: 'p95Ms', header: 'p95', sortType: 'number', cell: ({ value }) => formatMs(value) },
    { id: 'maxMs', header: 'Max', sortType: 'number', cell: ({ value }) => formatMs(value) },
    { id: 'lastSeen', header: 'Last seen', sortType: 'string', cell: ({ value }) => formatTime(value) },
  ];
}
