/**
 * A small client for Prometheus' instant-query API. Hand-written because the only call needed is one
 * POST; what matters is failing clearly and quickly: a per-request timeout, one retry on what may be
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

interface ApiResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
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
    let last: PrometheusError | undefined;
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      try {
        return await this.once(expr, time);
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

  private async once(expr: string, time?: number): Promise<Sample[]> {
    const body = new URLSearchParams({ query: expr });
    if (time !== undefined) body.set('time', String(time));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.authorization) headers.authorization = this.authorization;
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1/query`, {
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
    if (parsed.data.resultType !== 'vector')
      throw new PrometheusError('bad_response', `expected an instant vector, got ${parsed.data.resultType}`);
    return parsed.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
