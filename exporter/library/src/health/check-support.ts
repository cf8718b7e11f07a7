/**
 * What the health-check factories share: their timing, the driver timeout backstop, display targets and
 * abortable work.
 */
import { redactUrl } from '../redact-url';
import type { HealthCheck } from './registry';

export type Timing = Pick<HealthCheck, 'intervalMs' | 'timeoutMs'>;

/**
 * The driver's own connect timeout: only a backstop, set past the check's timeout so the registry's
 * abort (with its clear "timed out after N ms") is what normally ends a hung run.
 */
export const backstop = (t: Timing) => (t.timeoutMs ?? 30_000) + 1_000;

/** `host:port/db` of a URL, for display: never the user or password. */
export function targetOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

/** Rejects when `signal` aborts, after running `onAbort` (close the socket the check opened). */
export function abortable<T>(signal: AbortSignal, work: Promise<T>, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err as Error);
      },
    );
  });
}
