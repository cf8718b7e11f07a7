import React, { useMemo } from 'react';
import { useMeasure } from 'react-use';
import { FieldColorModeId, FieldType, type Field } from '@grafana/data';
import { Sparkline, Stack, Text, Tooltip, useTheme2 } from '@grafana/ui';
import { formatCount, formatMs } from '../../utils/format';

export interface LoadSeries {
  count: number[];
  totalMs: number[];
}

interface Props {
  series: LoadSeries;
  /** Start of the first bucket, epoch ms. */
  from: number;
  bucketSeconds: number;
  width?: number;
  height?: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What the sparkline draws, in words: the tooltip and the accessible name. */
export function describeLoad({ count, totalMs }: LoadSeries, bucketSeconds: number): string {
  const peak = totalMs.reduce((best, ms, i) => (ms > totalMs[best] ? i : best), 0);
  const per = bucketSeconds >= 3600 ? `${bucketSeconds / 3600} h` : `${Math.round(bucketSeconds / 60)} min`;
  return (
    `${formatCount(sum(count))} queries, ${formatMs(sum(totalMs))} in the range; ` +
    `busiest ${per}: ${formatCount(count[peak] ?? 0)} queries, ${formatMs(totalMs[peak] ?? 0)}`
  );
}

/** What the Sparkline draws: each bucket's time spent, at the bucket's start, on a y axis from zero. */
export function loadFields(
  { totalMs }: LoadSeries,
  from: number,
  bucketSeconds: number,
  color: string,
): { x: Field; y: Field } {
  const max = Math.max(1, ...totalMs);
  return {
    x: {
      name: 'time',
      type: FieldType.time,
      config: {},
      values: totalMs.map((_, i) => from + i * bucketSeconds * 1000),
    },
    y: {
      name: 'load',
      type: FieldType.number,
      config: { unit: 'ms', color: { mode: FieldColorModeId.Fixed, fixedColor: color } },
      values: totalMs,
      // The Sparkline reads the y range from field state, which Grafana's field pipeline fills in panels.
      state: { range: { min: 0, max, delta: max } },
    },
  };
}

/**
 * A fingerprint's time spent per bucket over the list's range (PMM QAN's load column), drawn with
 * @grafana/ui's Sparkline as Grafana's table cells draw theirs; counts and time are in the tooltip.
 */
export function LoadSparkline({ series, from, bucketSeconds, width = 140, height = 28 }: Props) {
  const theme = useTheme2();
  // Drawn at the width the cell gives it, once measured (as Chart.tsx does): uPlot needs a canvas to
  // draw on, which a layout-less DOM (jsdom) does not give, and there the numbers are in the label.
  const [ref, { width: measured }] = useMeasure<HTMLDivElement>();
  const color = theme.colors.primary.main;
  const sparkline = useMemo(
    () => loadFields(series, from, bucketSeconds, color),
    [series, from, bucketSeconds, color],
  );
  const label = describeLoad(series, bucketSeconds);
  return (
    <Tooltip
      content={
        <Stack direction="column" gap={0}>
          <Text variant="bodySmall">{label}</Text>
        </Stack>
      }
    >
      <div role="img" aria-label={`Load: ${label}`} style={{ width, height }}>
        {/* The measured box is inside: Tooltip puts its own ref on its child. */}
        <div ref={ref} style={{ width: '100%', height: '100%' }}>
          {measured > 0 && (
            <Sparkline
              width={Math.floor(measured)}
              height={height}
              theme={theme}
              sparkline={sparkline}
              config={{ custom: { fillOpacity: 25, lineWidth: 1 } }}
            />
          )}
        </div>
      </div>
    </Tooltip>
  );
}
