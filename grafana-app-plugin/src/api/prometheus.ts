import { lastValueFrom } from 'rxjs';
import { createDataFrame, FieldColorModeId, FieldType, type DataFrame } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { toExporterError } from './errors';

interface MatrixResult {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: MatrixResult[] };
  error?: string;
}

/**
 * A PromQL range query through Grafana's datasource proxy, so Grafana adds the datasource's
 * credentials and the browser needs no access to Prometheus itself.
 */
export async function queryRange(
  datasourceUid: string,
  expr: string,
  start: number,
  end: number,
  stepSeconds: number,
): Promise<MatrixResult[]> {
  const params = new URLSearchParams({
    query: expr,
    start: String(Math.floor(start / 1000)),
    end: String(Math.floor(end / 1000)),
    step: String(stepSeconds),
  });
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<PromResponse>({
        url: `/api/datasources/proxy/uid/${encodeURIComponent(datasourceUid)}/api/v1/query_range?${params}`,
        method: 'GET',
        showErrorAlert: false,
      }),
    );
    if (response.data.status !== 'success' || !response.data.data) {
      throw new Error(response.data.error ?? 'Prometheus answered without data');
    }
    return response.data.data.result;
  } catch (e) {
    const err = toExporterError(e);
    const data = (e as { data?: PromResponse }).data;
    throw new Error(
      data?.error ? `Prometheus: ${data.error}` : err.message.replace('the exporter', 'Prometheus'),
    );
  }
}

/** A step that gives about 200 points over the range, at least 15 s. */
export function stepFor(start: number, end: number): number {
  return Math.max(15, Math.ceil((end - start) / 1000 / 200));
}

/**
 * A series this short is drawn as points: one point makes no line, and two make a dash easily missed at
 * the edge of a long range (a young Prometheus holds one step of a 7-day SLA period, at its end). The
 * chart's automatic points stay off for such a lone point.
 */
const FEW_POINTS = 2;

/** Series as one data frame each, named by `name` or their labels. */
export function matrixToFrames(
  result: MatrixResult[],
  name: (metric: Record<string, string>) => string,
  unit?: string,
  scale = 1,
  color?: string,
): DataFrame[] {
  return result.map((series) =>
    createDataFrame({
      name: name(series.metric),
      fields: [
        { name: 'Time', type: FieldType.time, values: series.values.map(([t]) => t * 1000) },
        {
          name: name(series.metric),
          type: FieldType.number,
          values: series.values.map(([, v]) => Number(v) * scale),
          config: {
            unit,
            displayNameFromDS: name(series.metric),
            ...(color ? { color: { mode: FieldColorModeId.Fixed, fixedColor: color } } : {}),
            ...(series.values.length <= FEW_POINTS ? { custom: { showPoints: 'always', pointSize: 5 } } : {}),
          },
        },
      ],
    }),
  );
}
