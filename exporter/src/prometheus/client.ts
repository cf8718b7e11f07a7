/**
 * A small client for Prometheus' query API (instant and range). Hand-written because the calls needed
 * are two form POSTs; what matters is failing clearly and quickly: a per-request timeout, one retry on what may be
 * transient (refused connection, timeout, 5xx), and errors that say which of those happened.
 */
import type { PrometheusConfig } from '../config/prometheus';

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

export interface Sample {
  metric: Record<string, string>;
  /** NaN and ±Inf come through as numbers; callers decide what they mean. */
  value: number;
}

/** One series of a range query: [unix seconds, value] pairs, NaN and ±Inf as numbers. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

interface ApiResponse {
  status: 'success' | 'error';
  data?: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      value?: [number, string];
      values?: Array<[number, string]>;
    }>;
  };
  errorType?: string;
  error?: string;
}

/** URL without credentials, safe for logs and error messages. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

export class PrometheusClient {
  private readonly base: string;
  private readonly authorization?: string;
  readonly displayUrl: string;

  constructor(private readonly config: PrometheusTarget) {
    const u = new URL(config.url);
    // fetch refuses URLs with credentials; send them as basic auth instead.
    if (u.username || u.password)
      this.authorization = `Basic ${Buffer.from(
        `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`,
      ).toString('base64')}`;
    u.username = '';
    u.password = '';
    this.base = u.toString().replace(/(?<!\/)\/+$/, '');
    this.displayUrl = displayUrl(config.url);
  }

  /** Instant query. Throws PrometheusError. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const body = new URLSearchParams({ query: expr });
    if (time !== undefined) body.set('time', String(time));
    const data = await this.retrying('query', body, 'vector');
    return data.map((r) => ({ metric: r.metric, value: Number(r.value?.[1]) }));
  }

  /** Range query from `start` to `end` (unix seconds) every `step` seconds. Throws PrometheusError. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const body = new URLSearchParams({
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    const data = await this.retrying('query_range', body, 'matrix');
    return data.map((r) => ({
      metric: r.metric,
      values: (r.values ?? []).map(([t, v]): [number, number] => [t, Number(v)]),
    }));
  }

  private async retrying(
    api: 'query' | 'query_range',
    body: URLSearchParams,
    resultType: 'vector' | 'matrix',
  ): Promise<NonNullable<ApiResponse['data']>['result']> {
    let last: PrometheusError | undefined;
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      try {
        return await this.once(api, body, resultType);
      } catch (err) {
        if (!(err instanceof PrometheusError)) throw err;
        last = err;
        // A bad query or an answer Prometheus gave on purpose will not change on a retry.
        if (err.kind === 'query') throw err;
        if (attempt < this.config.retries) await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw last!;
  }

  private async once(
    api: 'query' | 'query_range',
    body: URLSearchParams,
    resultType: 'vector' | 'matrix',
  ): Promise<NonNullable<ApiResponse['data']>['result']> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.authorization) headers.authorization = this.authorization;
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1/${api}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new PrometheusError(
          'timeout',
          `Prometheus at ${this.displayUrl} did not answer within ${this.config.timeoutMs} ms`,
        );
      const reason = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new PrometheusError(
        'unreachable',
        `Prometheus at ${this.displayUrl} is not reachable (${reason})`,
      );
    }
    let parsed: ApiResponse;
    let text = '';
    try {
      text = await res.text();
      parsed = JSON.parse(text) as ApiResponse;
    } catch (err) {
      if ((err as Error).name === 'TimeoutError')
        throw new PrometheusError(
          'timeout',
          `Prometheus at ${this.displayUrl} did not finish answering within ${this.config.timeoutMs} ms`,
        );
      throw new PrometheusError(
        'bad_response',
        `Prometheus at ${this.displayUrl} answered HTTP ${res.status} with a body that is not its API's JSON` +
          (text ? `: ${text.slice(0, 120)}` : ''),
      );
    }
    if (parsed.status !== 'success' || !parsed.data) {
      const kind = res.status >= 500 && res.status !== 503 ? 'bad_response' : 'query';
      throw new PrometheusError(
        res.status === 503 ? 'unreachable' : kind,
        `Prometheus at ${this.displayUrl} rejected the query (HTTP ${res.status}, ${parsed.errorType ?? 'error'}): ${
          parsed.error ?? 'no message'
        }`,
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
