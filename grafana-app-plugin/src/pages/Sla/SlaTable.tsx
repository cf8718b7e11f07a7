import React, { useMemo } from 'react';
import { InteractiveTable, Stack, Text, TextLink, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { SlaEndpointReport } from '../../api/types';
import { PriorityBadge, SlaStatusBadge } from '../../components/common/Badges';
import { ROUTES } from '../../constants';
import { formatCount, formatMs, formatPercent } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { Missed } from './Missed';
import {
  belowTarget,
  budgetText,
  endpointLabel,
  latencyTarget,
  sortEndpoints,
  thresholdMs,
  toMs,
} from './slaEndpoint';

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
      { id: 'priority', header: 'Priority', cell: ({ value }) => <PriorityBadge priority={value} /> },
      {
        id: 'target',
        header: 'Latency target',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => latencyTarget(e),
      },
      {
        id: 'p95Ms',
        header: 'Actual p95',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <Missed missed={belowTarget(e).p95}>{formatMs(toMs(e.latency.p95.value))}</Missed>
        ),
      },
      {
        id: 'latencyCompliance',
        header: 'Latency compliance',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <span
            title={`share of requests within ${formatMs(thresholdMs(e))}; target ${formatPercent(e.latency.target?.quantile)}`}
          >
            <Missed missed={belowTarget(e).latency}>{formatPercent(e.latency.compliance?.value, 2)}</Missed>
          </span>
        ),
      },
      {
        id: 'errorRate',
        header: 'Error rate',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <span title={`target < ${formatPercent(e.errors.target?.maxRatio, 2)}`}>
            <Missed missed={belowTarget(e).errors}>{formatPercent(e.errors.rate.value, 2)}</Missed>
          </span>
        ),
      },
      {
        id: 'availability',
        header: 'Availability',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <span title={`target ${formatPercent(e.availability?.target, 2)}`}>
            <Missed missed={belowTarget(e).availability}>
              {formatPercent(e.availability?.value.value, 3)}
            </Missed>
          </span>
        ),
      },
      {
        id: 'budgetRemaining',
        header: 'Budget left',
        cell: ({ row: { original: e } }: CellProps<SlaEndpointReport>) => (
          <Stack direction="column" gap={0}>
            <Missed missed={(e.budgetRemaining.ratio ?? 0) < 0}>
              {formatPercent(e.budgetRemaining.ratio)}
            </Missed>
            <Text variant="bodySmall" color="secondary">
              {budgetText(e) ?? '–'}
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
