import React, { useMemo } from 'react';
import { Badge, InteractiveTable, Stack, TagList, Text, TextLink, type Column } from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { IncidentAlert } from '../../api/types';
import { formatTime } from '../../utils/format';

/** Labels worth a column of their own; the rest show as tags. */
const HIDDEN_LABELS = new Set(['alertname']);

export function AlertsTable({ alerts }: { alerts: IncidentAlert[] }) {
  const columns = useMemo<Array<Column<IncidentAlert>>>(
    () => [
      {
        id: 'status',
        header: 'State',
        cell: ({ value }) => <Badge color={value === 'firing' ? 'red' : 'green'} text={value} />,
      },
      {
        id: 'alertname',
        header: 'Alert',
        cell: ({ row: { original: a } }: CellProps<IncidentAlert>) => (
          <Stack direction="column" gap={0.5}>
            <strong>{a.labels.alertname ?? a.fingerprint}</strong>
            {a.annotations.summary && (
              <Text variant="bodySmall" color="secondary">
                {a.annotations.summary}
              </Text>
            )}
          </Stack>
        ),
      },
      {
        id: 'labels',
        header: 'Labels',
        cell: ({ row: { original: a } }: CellProps<IncidentAlert>) => (
          <TagList
            tags={Object.entries(a.labels)
              .filter(([k]) => !HIDDEN_LABELS.has(k))
              .map(([k, v]) => `${k}=${v}`)}
          />
        ),
      },
      { id: 'startsAt', header: 'Since', cell: ({ value }) => formatTime(value) },
      {
        id: 'endsAt',
        header: 'Ended',
        cell: ({ row: { original: a } }: CellProps<IncidentAlert>) =>
          a.status === 'resolved' ? formatTime(a.endsAt) : '–',
      },
      {
        id: 'links',
        header: 'Links',
        cell: ({ row: { original: a } }: CellProps<IncidentAlert>) => (
          <Stack gap={1}>
            {(a.runbookUrl ?? a.annotations.runbook_url) && (
              <TextLink href={(a.runbookUrl ?? a.annotations.runbook_url)!} external>
                Runbook
              </TextLink>
            )}
            {a.annotations.dashboard_url && (
              <TextLink href={a.annotations.dashboard_url} external>
                Dashboard
              </TextLink>
            )}
            {a.generatorUrl && (
              <TextLink href={a.generatorUrl} external>
                Source
              </TextLink>
            )}
          </Stack>
        ),
      },
    ],
    [],
  );
  if (alerts.length === 0) {
    return <Text color="secondary">No alerts: this incident was opened by hand.</Text>;
  }
  return (
    <InteractiveTable<IncidentAlert>
      columns={columns}
      data={alerts}
      getRowId={(a: IncidentAlert) => a.fingerprint}
    />
  );
}
