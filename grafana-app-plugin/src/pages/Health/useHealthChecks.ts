import { useEffect } from 'react';
import { useAsyncRetry } from 'react-use';
import { api } from '../../api/client';
import { ExporterError } from '../../api/errors';

/** The checks run on the exporter's own schedule; re-reading every 15 s keeps the page current. */
export const HEALTH_REFRESH_MS = 15_000;

/** The last result of every configured health check, refreshed while the page is open. */
export function useHealthChecks() {
  const state = useAsyncRetry(() => api.healthChecks(), []);
  const { retry, error } = state;
  const stopped = error instanceof ExporterError && error.isAuthFailure;
  useEffect(() => {
    if (stopped) {
      return;
    }
    const timer = setInterval(retry, HEALTH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [retry, stopped]);
  return state;
}
