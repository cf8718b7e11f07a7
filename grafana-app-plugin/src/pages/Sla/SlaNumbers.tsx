import React from 'react';
import { Stack } from '@grafana/ui';
import type { SlaEndpointReport } from '../../api/types';
import { StatTile } from '../../components/common/StatTile';
import { formatMs, formatPercent } from '../../utils/format';
import { Missed } from './Missed';
import { belowTarget, budgetText, latencyTarget, toMs } from './slaEndpoint';

/** One endpoint's numbers against its targets. */
export function SlaNumbers({ endpoint }: { endpoint: SlaEndpointReport }) {
  const missed = belowTarget(endpoint);
  const { latency, errors, availability } = endpoint;
  const budget = endpoint.budgetRemaining.ratio;
  return (
    <Stack gap={1} wrap="wrap">
      <StatTile title="Latency target" value={latencyTarget(endpoint)} />
      <StatTile
        title="Actual p95"
        value={<Missed missed={missed.p95}>{formatMs(toMs(latency.p95.value))}</Missed>}
        description={`p50 ${formatMs(toMs(latency.p50.value))} · p99 ${formatMs(toMs(latency.p99.value))}`}
      />
      <StatTile
        title="Latency compliance"
        value={<Missed missed={missed.latency}>{formatPercent(latency.compliance?.value, 2)}</Missed>}
        description={`target ${formatPercent(latency.target?.quantile)}`}
      />
      <StatTile
        title="Error rate"
        value={<Missed missed={missed.errors}>{formatPercent(errors.rate.value, 2)}</Missed>}
        description={`target < ${formatPercent(errors.target?.maxRatio, 2)}`}
      />
      <StatTile
        title="Availability"
        value={<Missed missed={missed.availability}>{formatPercent(availability?.value.value, 3)}</Missed>}
        description={`target ${formatPercent(availability?.target, 2)}`}
      />
      <StatTile
        title="Budget left"
        value={<Missed missed={(budget ?? 0) < 0}>{formatPercent(budget)}</Missed>}
        description={budgetText(endpoint)}
      />
    </Stack>
  );
}
