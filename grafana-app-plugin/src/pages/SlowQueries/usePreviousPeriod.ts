import { useAsync } from 'react-use';
import { api } from '../../api/client';
import { ExporterError } from '../../api/errors';
import type { SlowQueryFilter } from '../../api/types';
import { previousRange } from './comparePeriods';

/** The same fingerprint over the previous range; null when it had no slow query then (the exporter's 404). */
export function usePreviousPeriod(
  id: string,
  filter: SlowQueryFilter & { from: number; to: number },
  key: string,
) {
  return useAsync(async () => {
    try {
      return await api.slowQuery(id, { ...filter, ...previousRange(filter.from, filter.to) });
    } catch (e) {
      if (e instanceof ExporterError && e.status === 404) {
        return null;
      }
      throw e;
    }
  }, [id, key]);
}
