import React from 'react';
import { Alert, InteractiveTable, LoadingPlaceholder, Text, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import { testIds } from '../../components/testIds';
import { formatCount, formatMs } from '../../utils/format';
import { comparePeriods, type ComparisonRow, type Totals } from './comparePeriods';

type Cell = CellProps<ComparisonRow>;

const show = (metric: ComparisonRow['metric'], v: number | null) =>
  v === null
    ? '—'
    : metric === 'Executions'
      ? formatCount(v)
      : metric === 'p95'
        ? formatMs(v)
        : `${v.toFixed(2)} s`;

function Change({ change }: { change: number | null }) {
  if (change === null) {
    return <Text color="secondary">new in this range</Text>;
  }
  const pct = Math.round(change * 100);
  // More executions, a higher p95 or more time are all worse: red up, green down.
  return (
    <Text
      color={pct > 0 ? 'error' : pct < 0 ? 'success' : 'secondary'}
    >{`${pct > 0 ? '+' : ''}${pct} %`}</Text>
  );
}

const columns: Array<Column<ComparisonRow>> = [
  { id: 'metric', header: '' },
  { id: 'now', header: 'This range', cell: ({ row: { original: r } }: Cell) => show(r.metric, r.now) },
  {
    id: 'before',
    header: 'Previous range',
    cell: ({ row: { original: r } }: Cell) => show(r.metric, r.before),
  },
  { id: 'change', header: 'Change', cell: ({ row: { original: r } }: Cell) => <Change change={r.change} /> },
];

interface Props {
  now: Totals;
  previous: { loading: boolean; error?: Error; value?: Totals | null };
}

/** This range against the one before it, of the same length. */
export function PeriodComparison({ now, previous }: Props) {
  return (
    <section data-testid={testIds.slowQueries.comparison}>
      <Text element="h3">Compared with the previous range</Text>
      {previous.error ? (
        <Alert severity="warning" title="Could not load the previous range">
          {previous.error.message}
        </Alert>
      ) : previous.loading || previous.value === undefined ? (
        <LoadingPlaceholder text="Loading the previous range…" />
      ) : (
        <InteractiveTable
          columns={columns}
          data={comparePeriods(now, previous.value)}
          getRowId={(r: ComparisonRow) => r.metric}
        />
      )}
    </section>
  );
}
