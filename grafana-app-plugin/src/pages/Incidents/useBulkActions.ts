import { useState } from 'react';
import { api } from '../../api/client';

export interface BulkMessage {
  severity: 'success' | 'error' | 'warning';
  text: string;
}

/** Acknowledge or resolve several incidents in one call, and say what became of each. */
export function useBulkActions(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<BulkMessage>();
  const run = async (ids: number[], action: 'acknowledge' | 'resolve', note?: string) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const result = await api.bulk(ids, action, note);
      const verb = action === 'resolve' ? 'resolved' : 'acknowledged';
      const failures = result.results.filter((r) => !r.ok);
      setMessage(
        failures.length
          ? {
              severity: 'warning',
              text: `${result.succeeded} ${verb}; ${failures.length} not: ${failures
                .map((f) => `#${f.id} ${f.error?.message ?? 'failed'}`)
                .join('; ')}`,
            }
          : {
              severity: 'success',
              text: `${result.succeeded} incident${result.succeeded === 1 ? '' : 's'} ${verb}.`,
            },
      );
      onDone();
    } catch (e) {
      setMessage({ severity: 'error', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, message, dismiss: () => setMessage(undefined) };
}
