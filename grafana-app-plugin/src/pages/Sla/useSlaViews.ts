import { useAsyncRetry } from 'react-use';
import { createDataFrame, FieldColorModeId, FieldType, type DataFrame } from '@grafana/data';
import { api } from '../../api/client';
import type { SlaBurndownSli } from '../../api/types';

/** The month-by-month history of every SLA, oldest first. */
export function useSlaHistory(months: number) {
  return useAsyncRetry(() => api.slaHistory(months), [months]);
}

/** One SLA's error budget remaining over the period, per SLI. */
export function useSlaBurndown(period: string, sla: string) {
  return useAsyncRetry(() => api.slaBurndown(period, sla), [period, sla]);
}

const SLI_TITLE: Record<SlaBurndownSli['sli'], string> = {
  latency: 'Latency budget',
  errors: 'Error budget',
  availability: 'Availability budget',
};
const SLI_COLOR: Record<SlaBurndownSli['sli'], string> = {
  latency: 'orange',
  errors: 'red',
  availability: 'blue',
};

/** One chart series per SLI: the share of its budget left at each step (the exporter sends Unix seconds). */
export function burndownFrames(slis: SlaBurndownSli[]): DataFrame[] {
  return slis.map((s) =>
    createDataFrame({
      name: SLI_TITLE[s.sli],
      fields: [
        { name: 'Time', type: FieldType.time, values: s.points.map((p) => p.t * 1000) },
        {
          name: SLI_TITLE[s.sli],
          type: FieldType.number,
          values: s.points.map((p) => p.remaining),
          config: {
            unit: 'percentunit',
            displayNameFromDS: SLI_TITLE[s.sli],
            color: { mode: FieldColorModeId.Fixed, fixedColor: SLI_COLOR[s.sli] },
            // Points as well as lines: early in a period, or on a young Prometheus, an SLI has one or two
            // steps with data, which a line alone does not draw.
            custom: { showPoints: 'always', pointSize: 5, spanNulls: true },
          },
        },
      ],
    }),
  );
}
