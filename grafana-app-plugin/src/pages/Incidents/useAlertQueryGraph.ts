import { useMemo } from 'react';
import { useAsyncRetry } from 'react-use';
import { dateTime, type TimeRange } from '@grafana/data';
import { matrixToFrames, queryRange, stepFor } from '../../api/prometheus';
import { useSettings } from '../../utils/settings';
import { seriesName } from './alertQuery';

/** The most series one alert graph draws: an expression without aggregation can return thousands. */
export const MAX_SERIES = 20;

/**
 * An alert's expression over the incident's window, from Prometheus through Grafana's datasource
 * proxy; `configured` is false without a Prometheus datasource in the app's settings.
 */
export function useAlertQueryGraph(expr: string, from: number, to: number) {
  const { prometheusDatasourceUid: uid } = useSettings();
  const range = useMemo<TimeRange>(() => {
    const f = dateTime(from);
    const t = dateTime(to);
    return { from: f, to: t, raw: { from: f, to: t } };
  }, [from, to]);
  const state = useAsyncRetry(async () => {
    if (!uid) {
      return undefined;
    }
    const result = await queryRange(uid, expr, from, to, stepFor(from, to));
    return {
      frames: matrixToFrames(result.slice(0, MAX_SERIES), (m) => seriesName(m, expr)),
      total: result.length,
    };
  }, [uid, expr, from, to]);
  return { uid, range, state };
}
