import { useMemo } from 'react';
import { useParams } from 'react-router-dom';
import { useAsyncRetry } from 'react-use';
import { api } from '../../api/client';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { formatSql } from '../../utils/sql';
import { parseRange } from '../../utils/time';
import { timelineFrames } from './timelineFrames';
import { usePreviousPeriod } from './usePreviousPeriod';
import { urlFilter } from './useSlowQueries';

/** One fingerprint over the URL's range and the list's filters, with its chart and formatted SQL. */
export function useSlowQueryDetail() {
  const { id = '' } = useParams<{ id: string }>();
  const [params, update] = useUrlQuery();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'));
  const filter = { from, to, ...urlFilter(params) };
  const state = useAsyncRetry(() => api.slowQuery(id, filter), [id, params.toString()]);
  const detail = state.value;
  const frames = useMemo(() => (detail ? timelineFrames(detail) : []), [detail]);
  const previous = usePreviousPeriod(id, filter, params.toString());
  const sql = useMemo(() => (detail ? formatSql(detail.fingerprint, detail.dbSystem) : ''), [detail]);
  return {
    id,
    state,
    detail,
    frames,
    previous,
    sql,
    range,
    update,
    /** The list's URL state, for the way back. */
    backQuery: Object.fromEntries(params.entries()),
    windowQuery: { from: String(from), to: String(to) },
  };
}
