import { useAsyncFn } from 'react-use';
import { api } from '../../api/client';

/** EXPLAIN on demand: nothing runs until the operator asks; asking again replaces the plan. */
export function useExplain(fingerprintId: string, database: string | null) {
  const [state, run] = useAsyncFn(
    () => api.explain(fingerprintId, database ?? undefined),
    [fingerprintId, database],
  );
  return { state, run };
}
