/**
 * Prometheus' query API (instant and range), for SLA reports and incident diagnostics. Hand-written
 * because the only calls needed are two form POSTs; what matters is failing clearly and quickly (see Upstream) and errors
 * that say which failure happened.
 */
import { z } from 'zod';
import type { PrometheusConfig } from '../config/prometheus';
import { isTransient, TransportError, Upstream } from './transport';

/** A Prometheus to talk to: the config with its URL known. */
export type PrometheusTarget = PrometheusConfig & { url: string };

export type PrometheusFailure = 'unreachable' | 'timeout' | 'bad_response' | 'query';

export class PrometheusError extends Error {
  override name = 'PrometheusError';
  constructor(
    readonly kind: PrometheusFailure,
    message: string,
  ) {
    super(message);
  }
}

/** One series of an instant vector. */
export interface Sample {
  labels: Record<string, string>;
  /** NaN and ±Inf come through as numbers; callers decide what they mean. */
  value: number;
}

/** One series of a range query: [unix seconds, value] pairs, NaN and ±Inf as numbers. */
export interface RangeSeries {
  labels: Record<string, string>;
  values: Array<[number, number]>;
}

const point = z.tuple([z.number(), z.string()]);
const answerSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          value: point.optional(),
          values: z.array(point).optional(),
        }),
      ),
    })
    .optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** Quotes a label value for a PromQL matcher. */
export const promString = (s: string) =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export class PrometheusClient {
  private readonly upstream: Upstream;

  constructor(config: PrometheusTarget) {
    this.upstream = new Upstream({ name: 'Prometheus', ...config });
  }

  get displayUrl(): string {
    return this.upstream.displayUrl;
  }

  /**
   * Instant query, retried (prometheus.retries) after a refused connection, a timeout or a 5xx; a bad
   * query is not retried. `signal` cancels it (and its retries). Throws PrometheusError.
   */
  async query(expr: string, options: { time?: number; signal?: AbortSignal } = {}): Promise<Sample[]> {
    const form = new URLSearchParams({ query: expr });
    if (options.time !== undefined) form.set('time', String(options.time));
    const result = await this.retrying('/api/v1/query', form, 'vector', options.signal);
    return result.map((r) => ({ labels: r.metric, value: Number(r.value?.[1]) }));
  }

  /** Range query from `start` to `end` (unix seconds) every `step` seconds, retried like query(). */
  async queryRange(
    expr: string,
    start: number,
    end: number,
    step: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<RangeSeries[]> {
    const form = new URLSearchParams({
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    const result = await this.retrying('/api/v1/query_range', form, 'matrix', options.signal);
    return result.map((r) => ({
      labels: r.metric,
      values: (r.values ?? []).map(([t, v]): [number, number] => [t, Number(v)]),
    }));
  }

  private retrying(
    path: string,
    form: URLSearchParams,
    resultType: 'vector' | 'matrix',
    signal?: AbortSignal,
  ) {
    return this.upstream.retrying(
      () => this.once(path, form, resultType, signal),
      (err) => err instanceof PrometheusError && err.kind !== 'query',
      signal,
    );
  }

  private async once(
    path: string,
    form: URLSearchParams,
    resultType: 'vector' | 'matrix',
    signal?: AbortSignal,
  ) {
    const where = `Prometheus at ${this.displayUrl}`;
    let answer;
    try {
      answer = await this.upstream.once(path, {
        method: 'POST',
        body: form.toString(),
        contentType: 'application/x-www-form-urlencoded',
        signal,
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      throw new PrometheusError(
        isTransient(err) ? (err.kind as 'unreachable' | 'timeout') : 'bad_response',
        err.message,
      );
    }
    let parsed;
    try {
      parsed = answerSchema.parse(JSON.parse(answer.text));
    } catch {
      throw new PrometheusError(
        'bad_response',
        `${where} answered HTTP ${answer.status} with a body that is not its API's JSON` +
          (answer.text ? `: ${answer.text.slice(0, 120)}` : ''),
      );
    }
    if (parsed.status !== 'success' || !parsed.data) {
      const kind = answer.status === 503 ? 'unreachable' : answer.status >= 500 ? 'bad_response' : 'query';
      throw new PrometheusError(
        kind,
        `${where} rejected the query (HTTP ${answer.status}, ${parsed.errorType ?? 'error'}): ${parsed.error ?? 'no message'}`,
      );
    }
    if (parsed.data.resultType !== resultType)
      throw new PrometheusError(
        'bad_response',
        `expected ${resultType === 'vector' ? 'an instant vector' : 'a range matrix'}, got ${parsed.data.resultType}`,
      );
    return parsed.data.result;
  }
}
