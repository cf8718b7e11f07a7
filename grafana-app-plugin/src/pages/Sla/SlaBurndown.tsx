import React, { useMemo } from 'react';
import type { TimeRange } from '@grafana/data';
import { Alert, LoadingPlaceholder, Text } from '@grafana/ui';
import { Chart } from '../../components/common/Chart';
import { formatPercent } from '../../utils/format';
import { burndownFrames, useSlaBurndown } from './useSlaViews';

/**
 * Error budget remaining over the period per SLI, Pyrra's main chart: from 100 % at the start, down
 * as bad events spend it; below 0 the objective is missed. Read by the exporter from Prometheus, so
 * it needs no datasource in Grafana.
 */
export function SlaBurndown({ period, sla, range }: { period: string; sla: string; range: TimeRange }) {
  const state = useSlaBurndown(period, sla);
  const slis = useMemo(
    () => state.value?.endpoints.find((e) => e.sla === sla)?.slis ?? [],
    [state.value, sla],
  );
  const frames = useMemo(() => burndownFrames(slis), [slis]);
  let body: React.ReactNode;
  if (state.error) {
    body = (
      <Alert severity="warning" title="Could not load the budget burndown">
        {state.error.message}
      </Alert>
    );
  } else if (!state.value) {
    body = <LoadingPlaceholder text="Reading the budget burndown…" />;
  } else if (slis.length === 0) {
    body = <Text color="secondary">This SLA sets no objective with an error budget.</Text>;
  } else {
    const last = slis.map((s) => ({ s, left: [...s.points].reverse().find((p) => p.remaining !== null) }));
    body = (
      <>
        <Text color="secondary" variant="bodySmall" element="p">
          {last
            .map(({ s, left }) => `${s.sli}: ${left ? formatPercent(left.remaining) : 'no data'} left`)
            .join(' · ')}
        </Text>
        <Chart frames={frames} timeRange={range} testId="data-testid sla-burndown-chart" />
      </>
    );
  }
  return (
    <section data-testid="data-testid sla-burndown">
      <Text element="h4">Error budget burndown</Text>
      {body}
    </section>
  );
}
