import React from 'react';
import { Badge, InteractiveTable, Text, Tooltip, type BadgeColor, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { HealthCheckResult } from '../../api/health';
import { testIds } from '../../components/testIds';
import { formatMs, formatTime } from '../../utils/format';

const STATUS: Record<HealthCheckResult['status'], { color: BadgeColor; text: string }> = {
  up: { color: 'green', text: 'Up' },
  down: { color: 'red', text: 'Down' },
  pending: { color: 'blue', text: 'Pending' },
};

type Cell = CellProps<HealthCheckResult>;

const columns: Array<Column<HealthCheckResult>> = [
  {
    id: 'status',
    header: 'Status',
    cell: ({ row: { original: c } }: Cell) => (
      <Badge color={STATUS[c.status].color} text={STATUS[c.status].text} />
    ),
  },
  {
    id: 'name',
    header: 'Check',
    cell: ({ row: { original: c } }: Cell) => (
      <div>
        <Text weight="medium">{c.name}</Text>
        <Text variant="bodySmall" color="secondary" element="p">
          {c.type}
          {c.target ? ` · ${c.target}` : ''}
        </Text>
      </div>
    ),
  },
  {
    id: 'error',
    header: 'Current error',
    cell: ({ row: { original: c } }: Cell) =>
      c.error ? <Text color="error">{c.error}</Text> : <Text color="secondary">—</Text>,
  },
  {
    id: 'durationMs',
    header: 'Latency',
    cell: ({ row: { original: c } }: Cell) => (
      <Tooltip content={`timeout ${formatMs(c.timeoutMs)}, every ${formatMs(c.intervalMs)}`}>
        <span>{formatMs(c.durationMs)}</span>
      </Tooltip>
    ),
  },
  {
    id: 'lastRunAt',
    header: 'Last run',
    cell: ({ row: { original: c } }: Cell) => formatTime(c.lastRunAt),
  },
  {
    id: 'lastFailureAt',
    header: 'Last failure',
    cell: ({ row: { original: c } }: Cell) =>
      c.lastFailureAt ? (
        <div>
          <Text>{formatTime(c.lastFailureAt)}</Text>
          {c.consecutiveFailures > 0 && (
            <Text variant="bodySmall" color="error" element="p">
              failing {c.consecutiveFailures}× in a row
            </Text>
          )}
          {c.lastFailureError && (
            <Text variant="bodySmall" color="secondary" element="p">
              {c.lastFailureError}
            </Text>
          )}
        </div>
      ) : (
        <Text color="secondary">never failed</Text>
      ),
  },
];

/** One row per configured check: status first, as operators scan for red. */
export function HealthChecksTable({ checks }: { checks: HealthCheckResult[] }) {
  return (
    <div data-testid={testIds.health.table}>
      <InteractiveTable columns={columns} data={checks} getRowId={(c: HealthCheckResult) => c.name} />
    </div>
  );
}
