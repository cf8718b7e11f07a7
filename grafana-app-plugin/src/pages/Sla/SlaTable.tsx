import React, { useMemo } from 'react';
import { InteractiveTable, Stack, Text, TextLink, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { SlaEndpointReport, SlaPriority, SlaStatus } from '../../api/types';
import { PriorityBadge, SlaStatusBadge } from '../../components/common/Badges';
import { ROUTES } from '../../constants';
import { formatCount, formatDuration, formatMs, formatPercent } from '../../utils/format';
import { prefixHref } from '../../utils/routing';

const PRIORITY_ORDER: Record<SlaPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_ORDER: Record<SlaStatus, number> = { breaching: 0, atRisk: 1, noData: 2, meeting: 3 };

/** The report's seconds as the milliseconds the pages show. */
export const toMs = (seconds: number | null | undefined): number | null =>
  seconds === null || seconds === undefined ? null : seconds * 1000;

/** The latency threshold in milliseconds, null without a latency target. */
export const thresholdMs = (e: SlaEndpointReport): number | null => toMs(e.latency.target?.thresholdSeconds);

/** Worst first within the most important first: what a manager reads top-down. */
export function sortEndpoints(endpoints: SlaEndpointReport[]): SlaEndpointReport[] {
  return [...endpoints].sort(
    (a, b) =>
      (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) ||
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
      a.sla.localeCompare(b.sla),
  );
}

export function latencyTarget(e: SlaEndpointReport): string {
  const t = e.latency.target;
  return t === null ? '–' : `p${Math.round(t.quantile * 100)} < ${formatMs(t.thresholdSeconds * 1000)}`;
}

export function endpointLabel(e: SlaEndpointReport): string {
  return e.method ? `${e.method} ${e.route}` : e.route;
}

export const SLA_CSV_HEADER = [
  'endpoint',
  'route',
  'method',
  'priority',
  'latency_target',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'latency_compliance_percent',
  'error_rate_percent',
  'error_rate_target_percent',
  'availability_percent',
  'availability_target_percent',
  'budget_remaining_percent',
  'budget_remaining_minutes',
  'status',
];

const pct = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined ? '' : (v * 100).toFixed(d);
const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '' : v.toFixed(d));

export function slaCsvRow(e: SlaEndpointReport): unknown[] {
  return [
    e.sla,
    e.route,
    e.method ?? '',
    e.priority,
    latencyTarget(e),
    num(toMs(e.latency.p50.value)),
    num(toMs(e.latency.p95.value)),
    num(toMs(e.latency.p99.value)),
    pct(e.latency.compliance?.value),
    pct(e.errors.rate.value),
    pct(e.errors.target?.maxRatio),
    pct(e.availability?.value.value),
    pct(e.availability?.target),
    pct(e.budgetRemaining.ratio, 1),
    num(e.budgetRemaining.minutes, 0),
    e.status,
  ];
}

interface Props {
  endpoints: SlaEndpointReport[];
  period: string;
  /** Plain text instead of links (the print view). */
  printable?: boolean;
}

export function SlaTable({ endpoints, period, printable }: Props) {
  const rows = useMemo(() => sortEndpoints(endpoints), [endpoints]);
  const columns = useMemo<Array<Column<SlaEndpointReport>>>(
    () => [
      {
        id: 'name',
        header: 'Endpoint',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <Stack direction="column" gap={0}>
            {printable ? (
              <strong>{e.sla}</strong>
            ) : (
              <TextLink
                href={prefixHref(`${ROUTES.Sla}/endpoint/${encodeURIComponent(e.sla)}`, { period })}
                inline={false}
                color="primary"
              >
                {e.sla}
              </TextLink>
            )}
            <Text variant="bodySmall" color="secondary">
              {endpointLabel(e)}
              {e.team ? ` · ${e.team}` : ''}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'priority',
        header: 'Priority',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <PriorityBadge priority={e.priority} />
        ),
      },
      {
        id: 'target',
        header: 'Latency target',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => latencyTarget(e),
      },
      {
        id: 'p95',
        header: 'Actual p95',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => {
          const p95 = e.latency.p95.value;
          const target = e.latency.target;
          return (
            <Text
              color={p95 !== null && target !== null && p95 > target.thresholdSeconds ? 'error' : undefined}
            >
              {formatMs(toMs(p95))}
            </Text>
          );
        },
      },
      {
        id: 'latencyCompliance',
        header: 'Latency compliance',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <span
            title={`share of requests within ${formatMs(thresholdMs(e))}; target ${formatPercent(e.latency.target?.quantile)}`}
          >
            {formatPercent(e.latency.compliance?.value, 2)}
          </span>
        ),
      },
      {
        id: 'errorRate',
        header: 'Error rate',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => {
          const rate = e.errors.rate.value;
          const max = e.errors.target?.maxRatio ?? null;
          return (
            <span title={`target < ${formatPercent(max, 2)}`}>
              <Text color={rate !== null && max !== null && rate > max ? 'error' : undefined}>
                {formatPercent(rate, 2)}
              </Text>
            </span>
          );
        },
      },
      {
        id: 'availability',
        header: 'Availability',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <span title={`target ${formatPercent(e.availability?.target, 2)}`}>
            {formatPercent(e.availability?.value.value, 3)}
          </span>
        ),
      },
      {
        id: 'budgetRemaining',
        header: 'Budget left',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <Stack direction="column" gap={0}>
            <Text
              color={e.budgetRemaining.ratio !== null && e.budgetRemaining.ratio < 0 ? 'error' : undefined}
            >
              {formatPercent(e.budgetRemaining.ratio)}
            </Text>
            <Text variant="bodySmall" color="secondary">
              {e.budgetRemaining.minutes === null
                ? '–'
                : `${formatDuration(Math.max(0, e.budgetRemaining.minutes) * 60)} of full outage`}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'requests',
        header: 'Requests',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => formatCount(e.requests.value),
      },
      { id: 'status', header: 'Status', cell: ({ value }) => <SlaStatusBadge status={value} /> },
    ],
    [period, printable],
  );
  return (
    <InteractiveTable<SlaEndpointReport>
      columns={columns}
      data={rows}
      getRowId={(e: SlaEndpointReport) => e.sla}
    />
  );
}
