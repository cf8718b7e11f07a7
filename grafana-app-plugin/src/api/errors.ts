import { isFetchError } from '@grafana/runtime';

/** An error from the exporter or from Grafana's proxy, with a message a person can act on. */
export class ExporterError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ExporterError';
  }
}

interface ErrorData {
  error?: { code?: string; message?: string };
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
    return new ExporterError(exporterMessage, status, code);
  }
  if (status === 403) {
    return new ExporterError(
      `Grafana refused the request${grafanaMessage ? ` (${grafanaMessage})` : ''}: changing incidents needs the Editor role.`,
      status,
    );
  }
  if (status === 404 && grafanaMessage) {
    return new ExporterError(
      `Grafana has no proxy route for this request (${grafanaMessage}); is the Perfwatch app enabled and up to date?`,
      status,
    );
  }
  if (status === 502 || status === 504 || status === 0) {
    return new ExporterError(
      'Grafana could not reach the exporter. Check the exporter URL on the Perfwatch app configuration page ' +
        'and that the exporter runs and is reachable from the Grafana server.',
      status,
    );
  }
  const text = grafanaMessage || e.statusText || 'request failed';
  return new ExporterError(`${text} (HTTP ${status})`, status);
}
