import React, { useMemo } from 'react';
import { useMeasure } from 'react-use';
import {
  applyFieldOverrides,
  FieldColorModeId,
  getTimeZone,
  type DataFrame,
  type TimeRange,
} from '@grafana/data';
import type { VizLegendOptions } from '@grafana/schema';
import { TimeSeries, useTheme2 } from '@grafana/ui';

// A type-only import: @grafana/schema is not external, so its enums would be bundled.
const LEGEND: VizLegendOptions = {
  displayMode: 'list' as VizLegendOptions['displayMode'],
  placement: 'bottom',
  showLegend: true,
  calcs: [],
};

interface Props {
  frames: DataFrame[];
  timeRange: TimeRange;
  height?: number;
  testId?: string;
}

/**
 * A time series chart from @grafana/ui. Outside a dashboard panel nobody runs Grafana's field
 * pipeline, so it is applied here (without it the axes have no display processors).
 */
export function Chart({ frames, timeRange, height = 220, testId }: Props) {
  const theme = useTheme2();
  // The signed-in user's Grafana time zone (profile, team or org default), as panels use it.
  const timeZone = getTimeZone();
  const [ref, { width }] = useMeasure<HTMLDivElement>();
  const prepared = useMemo(
    () =>
      applyFieldOverrides({
        data: frames,
        // Grafana's panel default: each series gets the next colour of the classic palette.
        fieldConfig: { defaults: { color: { mode: FieldColorModeId.PaletteClassic } }, overrides: [] },
        replaceVariables: (v: string) => v,
        theme,
        timeZone,
      }),
    [frames, theme, timeZone],
  );
  return (
    <div ref={ref} style={{ width: '100%', height }} data-testid={testId}>
      {width > 0 && (
        <TimeSeries
          frames={prepared}
          width={width}
          height={height}
          timeRange={timeRange}
          timeZone={timeZone}
          legend={LEGEND}
        />
      )}
    </div>
  );
}
