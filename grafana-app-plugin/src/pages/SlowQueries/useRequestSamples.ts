import { useMemo } from 'react';
import { useAsyncRetry } from 'react-use';
import { api } from '../../api/client';
import type { RequestSamples } from '../../api/types';
import { useUrlQuery } from '../../hooks/useUrlQuery';

/** Around the request's samples, so a fingerprint opened from here has them in its range. */
const MARGIN_MS = 60 * 60_000;

export interface RequestSummary {
  totalMs: number;
  /** First to last sample's capture time. */
  spanMs: number;
  nPlusOne: boolean;
  /** The fingerprint detail pages' range for this request (epoch ms). */
  window: { from: string; to: string };
}

export function summariseRequest(r: RequestSamples): RequestSummary | undefined {
  if (r.items.length === 0) {
    return undefined;
  }
  const first = Date.parse(r.items[0].capturedAt);
  const last = Date.parse(r.items[r.items.length - 1].capturedAt);
  return {
    totalMs: r.items.reduce((a, s) => a + s.durationMs, 0),
    spanMs: last - first,
    nPlusOne: r.fingerprints.some((f) => f.nPlusOne),
    window: { from: String(first - MARGIN_MS), to: String(last + MARGIN_MS) },
  };
}

/** The request id in the URL (`?id=`) and that request's stored slow queries. */
export function useRequestSamples() {
  const [params] = useUrlQuery();
  const requestId = params.get('id') ?? '';
  const state = useAsyncRetry(
    async () => (requestId ? api.requestSamples(requestId) : undefined),
    [requestId],
  );
  const summary = useMemo(() => (state.value ? summariseRequest(state.value) : undefined), [state.value]);
  return { requestId, state, samples: state.value, summary };
}
