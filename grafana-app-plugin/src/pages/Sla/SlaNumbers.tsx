import React from 'react';
import { Stack } from '@grafana/ui';
import type { SlaEndpointReport } from '../../api/types';
import { StatTile } from '../../components/common/StatTile';
import { formatMs, formatPercent } from '../../utils/format';
import { Missed } from './Missed';
import { belowTarget, budgetText, latencyTarget } from './slaEndpoint';

/** One endpoint's numbers against its targets. */
export function SlaNumbers({ endpoint }: { endpoint: SlaEndpointReport }) {
  const missed = belowTarget(endpoint);
  return (
    <Stack gap={1} wrap="wrap">
      <StatTile title="Latency target" value={latencyTarget(endpoint)} />
      <StatTile
        title="Actual p95"
        value={<Missed missed={missed.p95}>{formatMs(endpoint.p95Ms)}</Missed>}
        description={`p50 ${formatMs(endpoint.p50Ms)} · p99 ${formatMs(endpoint.p99Ms)}`}
      />
      <StatTile
        title="Latency compliance"
        value={<Missed missed={missed.latency}>{formatPercent(endpoint.latencyCompliance, 2)}</Missed>}
        description={`target ${formatPercent(endpoint.target.latencyQuantile)}`}
      />
      <StatTile
        title="Error rate"
        value={<Missed missed={missed.errors}>{formatPercent(endpoint.errorRate, 2)}</Missed>}
        description={`target < ${formatPercent(endpoint.target.errorRate, 2)}`}
      />
      <StatTile
        title="Availability"
        value={<Missed missed={missed.availability}>{formatPercent(endpoint.availability, 3)}</Missed>}
        description={`target ${formatPercent(endpoint.target.availability, 2)}`}
      />
      <StatTile
        title="Budget left"
        value={
          <Missed missed={endpoint.budgetRemaining !== null && endpoint.budgetRemaining < 0}>
            {formatPercent(endpoint.budgetRemaining)}
          </Missed>
        }
        description={budgetText(endpoint)}
      />
    </Stack>
  );
}
