import http from 'node:http';
import https from 'node:https';
import { redactUrl } from '@perfwatch/node/internal';

/** What went wrong talking to an upstream: never reached, no (complete) answer in time, or too big. */
export type TransportFailure = 'unreachable' | 'timeout' | 'too_large';

export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly kind: TransportFailure,
    message: string,
    /** The reason alone, e.g. `ECONNREFUSED`, for callers that phrase their own message. */
    readonly detail: string,
  ) {
    super(message);
  }
}

export interface UpstreamAnswer {
  status: number;
  text: string;
}

/** One upstream (Prometheus, Alertmanager): where it is, how long one attempt may take, how often to retry. */
export interface UpstreamOptions {
  /** What to call it in messages, e.g. "Prometheus". */
  name: string;
  url: string;
  timeoutMs: number;
  /** Extra attempts after a failure the caller calls retryable; 0 for requests that must not repeat. */
  retries: number;
}

export interface RequestOptions {
  method?: string;
  /** A string body is sent as is with `contentType` (JSON by default). */
  body?: string;
  contentType?: string;
  /** The caller's own cancellation (e.g. a diagnostics budget); the deadline applies regardless. */
  signal?: AbortSignal;
}

/** A failure that may pass: the upstream was not reached or did not answer in time. */
export const isTransient = (err: unknown): boolean =>
  err instanceof TransportError && (err.kind === 'unreachable' || err.kind === 'timeout');

/** Largest answer read from an upstream. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Pause between attempts: long enough for a restarting upstream, short against the caller's budget. */
const RETRY_PAUSE_MS = 200;

/**
 * The one HTTP transport to Prometheus and Alertmanager. Each attempt has a hard deadline
 * (AbortSignal.timeout, joined with the caller's signal) that covers connecting, the headers and the
 * whole body; when it fires, the request is destroyed and its socket closed. node:http rather than
 * fetch: undici did not reliably close the socket of a fetch aborted while it waited for headers
 * (Node 20.20, tried here: aborted 100 ms or more after sending, the silent peer's socket was still
 * open a second later; with fetch, the diagnostics test "queries cut off by the deadline close their
 * connections" failed), so a stuck upstream would pile up connections.
 */
export class Upstream {
  private readonly base: URL;
  private readonly authorization?: string;
  /** The URL with its password masked, for messages and logs. */
  readonly displayUrl: string;

  constructor(readonly options: UpstreamOptions) {
    const u = new URL(options.url);
    // Credentials in the URL become a basic-auth header (never sent in the request line).
    if (u.username || u.password)
      this.authorization = `Basic ${Buffer.from(
        `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`,
      ).toString('base64')}`;
    u.username = '';
    u.password = '';
    this.base = u;
    this.displayUrl = redactUrl(options.url).replace(/(?<!\/)\/+$/, '');
  }

  /** The URL of `path` (with its query) under the configured base, which may have a path prefix. */
  private target(path: string): URL {
    const prefix = this.base.pathname.replace(/(?<!\/)\/+$/, '').replace(/^\/$/, '');
    const [pathname, query] = path.split('?', 2);
    const u = new URL(this.base.href);
    u.pathname = `${prefix}${pathname}`;
    u.search = query ? `?${query}` : '';
    return u;
  }

  /**
   * Runs `attempt` once and then up to `retries` more times while `retryable` says its failure may
   * be transient (by default: not reached, or no answer in time). Throws the last failure.
   */
  async retrying<T>(
    attempt: () => Promise<T>,
    retryable: (err: unknown) => boolean = isTransient,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (n >= this.options.retries || !retryable(err) || signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
  }

  /** One attempt under the deadline. */
  once(path: string, options: RequestOptions = {}): Promise<UpstreamAnswer> {
    const { name, timeoutMs } = this.options;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const url = this.target(path);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.authorization) headers.authorization = this.authorization;
      if (options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = String(Buffer.byteLength(options.body));
      }
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, { method: options.method ?? 'GET', headers });
      let settled = false;
      let responded = false;
      const settle = (err: Error | undefined, answer?: UpstreamAnswer) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err) {
          // Destroying the request closes its socket at once: nothing is left waiting on the peer.
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const fail = (kind: TransportFailure, message: string, detail: string) =>
        settle(new TransportError(kind, `${name} at ${this.displayUrl} ${message}`, detail));
      const onAbort = () => {
        if (!deadline.aborted)
          return settle(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        const detail = `${responded ? 'no complete answer' : 'no answer'} within ${timeoutMs} ms`;
        fail(
          'timeout',
          `did not ${responded ? 'finish answering' : 'answer'} within ${timeoutMs} ms`,
          detail,
        );
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: Error & { code?: string }) => {
        const detail = err.code ?? err.message;
        fail('unreachable', `is not reachable (${detail})`, detail);
      });
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES)
            return fail('too_large', `answered more than ${MAX_BODY_BYTES} bytes`, 'answer too large');
          chunks.push(c);
        });
        res.on('error', (err) => fail('unreachable', `broke off its answer (${err.message})`, err.message));
        res.on('end', () =>
          settle(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(options.body);
    });
  }
}
