import { useEffect, useState } from 'react';
import { useAsyncRetry, useInterval } from 'react-use';
import { ExporterError } from '../../api/errors';
import { api } from '../../api/client';
import type { Incident, IncidentDetail } from '../../api/types';
import { capitalize } from '../../utils/format';

/** How often an open incident page reads the incident again (new alerts, notes by others). */
export const REFRESH_MS = 30_000;

const isIncident = (v: unknown): v is Incident =>
  typeof v === 'object' && v !== null && 'status' in v && 'severity' in v && 'id' in v;

/** One incident and the actions on it, each showing its result at once. */
export function useIncident(id: number) {
  const loaded = useAsyncRetry(() => api.incident(id), [id]);
  const [incident, setIncident] = useState<IncidentDetail | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();

  const [refreshError, setRefreshError] = useState<Error | undefined>();

  useEffect(() => {
    if (loaded.value) {
      setIncident(loaded.value);
    }
  }, [loaded.value]);

  // The page refreshes itself, but never under a running action (its answer would be overwritten)
  // and not after a refused token or role (it would be refused again).
  const authFailed = refreshError instanceof ExporterError && refreshError.isAuthFailure;
  useInterval(
    async () => {
      if (busy) {
        return;
      }
      try {
        setIncident(await api.incident(id));
        setRefreshError(undefined);
      } catch (e) {
        setRefreshError(e instanceof Error ? e : new Error(String(e)));
      }
    },
    incident && !authFailed ? REFRESH_MS : null,
  );

  /**
   * Runs an action and shows its result at once. Actions answer with the incident's new state
   * (without alerts and timeline); the full incident is read again for the new timeline entry.
   * Resolves to whether the action itself went through.
   */
  const act = async (name: string, call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(name);
    setActionError(undefined);
    try {
      const updated = await call();
      if (isIncident(updated)) {
        setIncident((current) => (current ? { ...current, ...updated } : current));
      }
    } catch (e) {
      setActionError(`${capitalize(name)} failed: ${e instanceof Error ? e.message : String(e)}`);
      setBusy(undefined);
      return false;
    }
    // The action is done; only the refresh of the timeline can fail now, and saying the action
    // failed would invite a second, duplicate one.
    try {
      setIncident(await api.incident(id));
    } catch (e) {
      setActionError(
        `${capitalize(name)} done, but the incident could not be read again (${e instanceof Error ? e.message : String(e)}); reload to see the timeline.`,
      );
    } finally {
      setBusy(undefined);
    }
    return true;
  };

  return {
    loaded,
    incident,
    busy,
    act,
    actionError,
    refreshError,
    dismissError: () => setActionError(undefined),
  };
}

export type IncidentActions = ReturnType<typeof useIncident>;
