import { useAsyncRetry } from 'react-use';
import { api } from '../../api/client';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { isValidPeriod } from '../../utils/period';

/** The report period from the URL (30 days when absent or invalid), and its setter. */
export function usePeriod(): [string, (period: string) => void] {
  const [params, update] = useUrlQuery();
  const raw = params.get('period');
  const period = isValidPeriod(raw) ? raw : '30d';
  return [period, (p: string) => update({ period: p === '30d' ? null : p })];
}

/** The exporter's SLA report for a period. */
export function useSlaReport(period: string) {
  return useAsyncRetry(() => api.slaReport(period), [period]);
}
