import React from 'react';
import type { TimeRange } from '@grafana/data';
import { Alert, LoadingPlaceholder, Text } from '@grafana/ui';
import type { SlaEndpointReport } from '../../api/types';
import { Chart } from '../../components/common/Chart';
import { NoDatasource } from '../../components/common/NoDatasource';
import { useSlaCharts } from './useSlaCharts';

/** Latency against its target and the budget burn rate over the period. */
export function SlaCharts({ endpoint, range }: { endpoint: SlaEndpointReport; range: TimeRange }) {
  const { configured, state } = useSlaCharts(endpoint, range);
  if (!configured) {
    return <NoDatasource what="latency and burn-rate charts" />;
  }
  if (state.error) {
    return (
      <Alert severity="warning" title="Could not query Prometheus">
        {state.error.message}
      </Alert>
    );
  }
  if (!state.value) {
    return <LoadingPlaceholder text="Querying Prometheus…" />;
  }
  return (
    <div>
      <Text element="h4">
        {endpoint.latency.target !== null
          ? `p${Math.round(endpoint.latency.target.quantile * 100)} latency against the target`
          : 'p95 latency (the SLA sets no latency target)'}
      </Text>
      <Chart frames={state.value.latency} timeRange={range} testId="data-testid sla-latency-chart" />
      <Text element="h4">Burn rate</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        How fast the error budget is being spent: above 1× it runs out before the period ends; 14.4× over an
        hour is the fastest paging tier.
      </Text>
      <Chart frames={state.value.burn} timeRange={range} testId="data-testid sla-burn-chart" />
    </div>
  );
}
