import React from 'react';
import { useAsyncRetry } from 'react-use';
import { Stack, Text, TextLink } from '@grafana/ui';
import { api } from '../../api/client';
import { SeverityBadge, StatusBadge } from '../../components/common/Badges';
import { ROUTES } from '../../constants';
import { formatDuration, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';

interface Props {
  from: string;
  to: string;
  /** Only incidents whose labels match, e.g. `route=/checkout`. */
  label?: string;
  /** Plain text instead of links (the print view). */
  printable?: boolean;
}

/** The incidents that started in an SLA period: the usual explanation for a breach. */
export function PeriodIncidents({ from, to, label, printable }: Props) {
  const fromMs = new Date(from).getTime();
  const toMs = new Date(to).getTime();
  const state = useAsyncRetry(
    () => api.incidents({ from: fromMs, to: toMs, label: label ? [label] : undefined, limit: 100 }),
    [fromMs, toMs, label],
  );
  if (state.error) {
    return <Text color="error">Could not load incidents: {state.error.message}</Text>;
  }
  if (!state.value) {
    return <Text color="secondary">Loading incidents…</Text>;
  }
  const items = state.value.items;
  if (items.length === 0) {
    return <Text color="secondary">No incidents started in this period.</Text>;
  }
  return (
    <Stack direction="column" gap={1}>
      {items.map((i) => (
        <Stack key={i.id} gap={1} alignItems="center" wrap="wrap">
          <SeverityBadge severity={i.severity} />
          <StatusBadge status={i.status} />
          {printable ? (
            <strong>{i.title}</strong>
          ) : (
            <TextLink href={prefixHref(`${ROUTES.Incidents}/${i.id}`)} inline={false}>
              {i.title}
            </TextLink>
          )}
          <Text color="secondary" variant="bodySmall">
            {formatTime(i.startedAt)} · {formatDuration(i.durationSeconds)}
          </Text>
        </Stack>
      ))}
      {state.value.total > items.length && (
        <Text color="secondary" variant="bodySmall">
          and {state.value.total - items.length} more
        </Text>
      )}
    </Stack>
  );
}
