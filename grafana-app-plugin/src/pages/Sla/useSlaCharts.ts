import { useMemo } from 'react';
import { useAsyncRetry } from 'react-use';
import {
  createDataFrame,
  dateTime,
  FieldColorModeId,
  FieldType,
  type DataFrame,
  type TimeRange,
} from '@grafana/data';
import { matrixToFrames, queryRange, stepFor } from '../../api/prometheus';
import type { SlaEndpointReport } from '../../api/types';
import { useSettings } from '../../utils/settings';
import { thresholdMs } from './slaEndpoint';
import { chartQueries } from './slaPromql';

/** A dashed horizontal line across the range: a target or the 1× burn rate. */
function constantFrame(name: string, value: number, range: TimeRange, unit?: string): DataFrame {
  return createDataFrame({
    name,
    fields: [
      { name: 'Time', type: FieldType.time, values: [range.from.valueOf(), range.to.valueOf()] },
      {
        name,
        type: FieldType.number,
        values: [value, value],
        config: {
          unit,
          color: { mode: FieldColorModeId.Fixed, fixedColor: 'text' },
          custom: { lineStyle: { fill: 'dash', dash: [10, 10] } },
        },
      },
    ],
  });
}

/** An absolute time range for the charts from epoch milliseconds. */
export function useAbsoluteRange(from: number, to: number): TimeRange {
  return useMemo<TimeRange>(() => {
    const f = dateTime(from);
    const t = dateTime(to);
    return { from: f, to: t, raw: { from: f, to: t } };
  }, [from, to]);
}

/**
 * The latency and burn-rate series of one endpoint over the period, from Prometheus through
 * Grafana's datasource proxy; undefined without a datasource configured.
 */
export function useSlaCharts(endpoint: SlaEndpointReport, range: TimeRange) {
  const { prometheusDatasourceUid: uid } = useSettings();
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const state = useAsyncRetry(async () => {
    if (!uid) {
      return undefined;
    }
    const queries = chartQueries(endpoint);
    const step = stepFor(from, to);
    const run = (expr: string | undefined) =>
      expr ? queryRange(uid, expr, from, to, step) : Promise.resolve(undefined);
    const [latency, errorBurn, latencyBurn] = await Promise.all([
      run(queries.latency),
      run(queries.errorBurn),
      run(queries.latencyBurn),
    ]);
    const q = Math.round((endpoint.latency.target?.quantile ?? 0) * 100);
    const threshold = thresholdMs(endpoint);
    return {
      latency: [
        ...(latency ? matrixToFrames(latency, () => `p${q}`, 'ms', 1000, 'orange') : []),
        ...(threshold !== null ? [constantFrame('target', threshold, range, 'ms')] : []),
      ],
      burn: [
        ...(errorBurn ? matrixToFrames(errorBurn, () => 'error budget burn (1h)', 'x', 1, 'red') : []),
        ...(latencyBurn
          ? matrixToFrames(latencyBurn, () => 'latency budget burn (1h)', 'x', 1, 'orange')
          : []),
        constantFrame('1× = budget used exactly by period end', 1, range, 'x'),
      ],
    };
  }, [uid, endpoint.sla, from, to]);
  return { configured: Boolean(uid), state };
}
