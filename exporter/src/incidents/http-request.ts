import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Largest response body read from Prometheus or Alertmanager. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * One HTTP request with a hard deadline. node:http rather than fetch: an aborted fetch leaves its
 * socket open until undici's 5-minute headers timeout when the peer hangs; destroying the request
 * closes it at once, so a stuck Prometheus cannot pile up connections.
 */
export function httpRequest(
  url: string,
  options: { method?: string; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = client.request(target, { method: options.method ?? 'GET', headers });
    const fail = (err: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = () =>
      fail(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) return fail(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(options.body);
  });
}
