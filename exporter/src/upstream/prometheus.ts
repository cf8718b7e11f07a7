/**
 * Prometheus' instant-query API, for SLA reports and incident diagnostics. Hand-written because the
 * only call needed is one POST; what matters is failing clearly and quickly (see Upstream) and errors
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

const answerSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(
        z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
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
  query(expr: string, options: { time?: number; signal?: AbortSignal } = {}): Promise<Sample[]> {
    return this.upstream.retrying(
      () => this.once(expr, options),
      (err) => err instanceof PrometheusError && err.kind !== 'query',
      options.signal,
    );
  }

  private async once(expr: string, options: { time?: number; signal?: AbortSignal }): Promise<Sample[]> {
    const form = new URLSearchParams({ query: expr });
    if (options.time !== undefined) form.set('time', String(options.time));
    const where = `Prometheus at ${this.displayUrl}`;
    let answer;
    try {
      answer = await this.upstream.once('/api/v1/query', {
        method: 'POST',
        body: form.toString(),
        contentType: 'application/x-www-form-urlencoded',
        signal: options.signal,
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
    if (parsed.data.resultType !== 'vector')
      throw new PrometheusError('bad_response', `expected an instant vector, got ${parsed.data.resultType}`);
    return parsed.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
}
