import { createDataFrame, FieldColorModeId, FieldType } from '@grafana/data';
import type { SlowQueryDetail } from '../../api/types';

/** Latency per time bucket as frames for the chart (milliseconds). */
export function timelineFrames(detail: SlowQueryDetail) {
  const times = detail.timeline.map((b) => new Date(b.start).getTime());
  // Fixed colours: outside a panel nothing assigns palette colours per series.
  const ms = (name: string, values: number[], color: string) => ({
    name,
    type: FieldType.number,
    values,
    config: {
      unit: 'ms',
      color: { mode: FieldColorModeId.Fixed, fixedColor: color },
      custom: { pointSize: 4, showPoints: 'always', spanNulls: false },
    },
  });
  return [
    createDataFrame({
      name: 'latency',
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        ms(
          'p95',
          detail.timeline.map((b) => b.p95Ms),
          'orange',
        ),
        ms(
          'mean',
          detail.timeline.map((b) => b.meanMs),
          'blue',
        ),
        ms(
          'max',
          detail.timeline.map((b) => b.maxMs),
          'red',
        ),
      ],
    }),
  ];
}
