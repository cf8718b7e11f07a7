import React from 'react';
import { Stack } from '@grafana/ui';
import type { SlaEndpointReport } from '../../api/types';
import { StatTile } from '../../components/common/StatTile';
import { formatDuration, formatMs, formatPercent } from '../../utils/format';
import { latencyTarget } from './slaEndpoint';

/** One endpoint's numbers against its targets. */
export function SlaNumbers({ endpoint }: { endpoint: SlaEndpointReport }) {
  return (
    <Stack gap={1} wrap="wrap">
      <StatTile title="Latency target" value={latencyTarget(endpoint)} />
      <StatTile
        title="Actual p95"
        value={formatMs(endpoint.p95Ms)}
        description={`p50 ${formatMs(endpoint.p50Ms)} · p99 ${formatMs(endpoint.p99Ms)}`}
      />
      <StatTile
        title="Latency compliance"
        value={formatPercent(endpoint.latencyCompliance, 2)}
        description={`target ${formatPercent(endpoint.target.latencyQuantile)}`}
      />
      <StatTile
        title="Error rate"
        value={formatPercent(endpoint.errorRate, 2)}
        description={`target < ${formatPercent(endpoint.target.errorRate, 2)}`}
      />
      <StatTile
        title="Availability"
        value={formatPercent(endpoint.availability, 3)}
        description={`target ${formatPercent(endpoint.target.availability, 2)}`}
      />
      <StatTile
        title="Budget left"
        value={formatPercent(endpoint.budgetRemaining)}
        description={
          endpoint.budgetRemainingMinutes === null
            ? undefined
            : `${formatDuration(Math.max(0, endpoint.budgetRemainingMinutes) * 60)} of full outage`
        }
      />
    </Stack>
  );
}
