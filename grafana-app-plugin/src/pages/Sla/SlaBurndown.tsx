import React, { useMemo } from 'react';
import type { TimeRange } from '@grafana/data';
import { Alert, LoadingPlaceholder, Text } from '@grafana/ui';
import { Chart } from '../../components/common/Chart';
import type { SlaCoverage } from '../../api/types';
import { formatCoverage, formatPercent, formatTime } from '../../utils/format';
import { burndownFrames, useSlaBurndown } from './useSlaViews';

/**
 * Where the chart's lines can be: the axis spans the whole period the budget belongs to, but Prometheus
 * may hold only part of it (a young Prometheus holds the last minutes of a 7-day period, and the lines
 * then sit at the right edge). Said over the chart so the empty part does not read as a broken chart
 * or as a budget left untouched.
 */
function CoverageLine({ coverage }: { coverage: SlaCoverage }) {
  if (coverage.complete) {
    return null;
  }
  return (
    <Text color="secondary" variant="bodySmall" element="p">
      {coverage.from && coverage.to
        ? `Prometheus holds data from ${formatTime(coverage.from)} to ${formatTime(coverage.to)} only, ${formatCoverage(coverage.ratio)} of the period: the lines cover that part, the rest of the period has nothing to draw.`
        : 'Prometheus holds no data of this period: there is nothing to draw.'}
    </Text>
  );
}

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
        <CoverageLine coverage={state.value.coverage} />
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
