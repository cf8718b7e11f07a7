import { rangeUtil } from '@grafana/data';
import { useAsyncRetry, useInterval } from 'react-use';
import { api } from '../../api/client';
import { ExporterError } from '../../api/errors';
import {
  INCIDENT_STATUSES,
  type IncidentFilter,
  type IncidentSeverity,
  type IncidentStatus,
} from '../../api/types';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { parseRange } from '../../utils/time';

export const PAGE_SIZE = 50;
const OPEN: IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

/** Filters, range, page and refresh interval as the URL holds them. */
export function useIncidentParams() {
  const [params, update] = useUrlQuery();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'), { from: 'now-7d', to: 'now' });
  // No status in the URL means the open ones: what someone on call looks at first.
  const statuses = (params.getAll('status').length ? params.getAll('status') : OPEN) as IncidentStatus[];
  const severities = params.getAll('severity') as IncidentSeverity[];
  const page = Math.max(1, Number(params.get('page')) || 1);
  const filter: IncidentFilter = {
    status: statuses.length === INCIDENT_STATUSES.length ? undefined : statuses,
    severity: severities.length ? severities : undefined,
    label: params.getAll('label').filter(Boolean),
    assignee: params.get('assignee') || undefined,
    q: params.get('q') || undefined,
    from,
    to,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  return {
    params,
    update,
    range,
    statuses,
    severities,
    page,
    filter,
    refresh: params.get('refresh') ?? '',
    /** Stands for every filter: a new key is a new list. */
    key: params.toString(),
  };
}

export type IncidentParams = ReturnType<typeof useIncidentParams>;

/** The list and the MTTA/MTTR stats, refreshed on the URL's interval. */
export function useIncidentList({ params, filter, key, refresh }: IncidentParams) {
  const list = useAsyncRetry(() => api.incidents(filter), [key]);
  const stats = useAsyncRetry(
    () => api.incidentStats({ from: filter.from, to: filter.to }),
    [params.get('from'), params.get('to')],
  );
  const reload = () => {
    list.retry();
    stats.retry();
  };
  // A refused token or role will be refused again: auto-refresh pauses instead of hammering the
  // proxy (each 401 also makes Grafana's backendSrv renew the session and repeat the call once).
  const authFailed = [list.error, stats.error].some((e) => e instanceof ExporterError && e.isAuthFailure);
  useInterval(reload, refresh && !authFailed ? rangeUtil.intervalToMs(refresh) : null);
  return { list, stats, reload };
}
