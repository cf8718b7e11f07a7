import { isFetchError } from '@grafana/runtime';

/** An error from the exporter or from Grafana's proxy, with a message a person can act on. */
export class ExporterError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    /** The exporter's `error.details` (e.g. explain_refused's `{ reason }`). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ExporterError';
  }

  /** A refusal that repeating will not fix (token, scope, role): polling stops on it. */
  get isAuthFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

interface ErrorData {
  error?: { code?: string; message?: string; details?: unknown };
  message?: string;
}

/**
 * Turns what getBackendSrv().fetch throws into words. The exporter answers
 * `{ error: { code, message } }`; Grafana's proxy answers `{ message }` for its own refusals
 * (route not found, role too low, upstream unreachable).
 */
export function toExporterError(e: unknown): ExporterError {
  if (e instanceof ExporterError) {
    return e;
  }
  if (!isFetchError(e)) {
    return new ExporterError(e instanceof Error ? e.message : String(e), 0);
  }
  const data = (e.data ?? {}) as ErrorData;
  const exporterMessage = data.error?.message;
  const code = data.error?.code;
  const grafanaMessage = data.message;
  const status = e.status ?? 0;

  if (exporterMessage) {
    if (status === 401) {
      return new ExporterError(
        `The exporter rejected the API token: ${exporterMessage}. Set a valid token on the Perfwatch app's configuration page.`,
        status,
        code,
      );
    }
    if (status === 403) {
      return new ExporterError(
        `The exporter refused this with the configured token: ${exporterMessage}.`,
        status,
        code,
      );
    }
    return new ExporterError(exporterMessage, status, code, data.error?.details);
  }
  if (status === 403) {
    return new ExporterError(
      `Grafana refused the request${grafanaMessage ? ` (${grafanaMessage})` : ''}: changing incidents needs the Editor role or the Perfwatch Incidents writer role.`,
      status,
    );
  }
  if (status === 404 && grafanaMessage) {
    return new ExporterError(
      `Grafana has no proxy route for this request (${grafanaMessage}); is the Perfwatch app enabled and up to date?`,
      status,
    );
  }
  if (status === 401) {
    // Grafana's own 401 (no exporter body): backendSrv already tried to renew the session once.
    return new ExporterError(
      'Grafana answered 401 Unauthorized: your Grafana session may have expired. Reload the page to sign in again.',
      status,
    );
  }
  if (status === 504) {
    // pkg/util/proxyutil/reverse_proxy.go, errorHandler: 504 is a timeout talking to the exporter,
    // which Grafana did reach (a refused connection or a DNS failure is 502).
    return new ExporterError(
      'The exporter did not answer in time (Grafana proxy timeout, HTTP 504). It may be overloaded or ' +
        'the query too large: narrow the time range or try again.',
      status,
    );
  }
  if (status === 502 || status === 0) {
    return new ExporterError(
      'Grafana could not reach the exporter. Check the exporter URL on the Perfwatch app configuration page ' +
        'and that the exporter runs and is reachable from the Grafana server.',
      status,
    );
  }
  const text = grafanaMessage || e.statusText || 'request failed';
  return new ExporterError(`${text} (HTTP ${status})`, status);
}
