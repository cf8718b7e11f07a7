import { useCallback, useEffect, useState } from 'react';

/**
 * A selection of rows on screen: another page, filter or range (a new `key`) clears it, and a
 * refresh keeps only the rows still listed, so a bulk action never reaches rows nobody can see.
 */
export function useSelection<Id>(visibleIds: Id[] | undefined, key: string) {
  const [selected, setSelected] = useState<Set<Id>>(new Set());
  useEffect(() => setSelected(new Set()), [key]);
  useEffect(() => {
    const visible = new Set(visibleIds ?? []);
    setSelected((s) =>
      [...s].every((id) => visible.has(id)) ? s : new Set([...s].filter((id) => visible.has(id))),
    );
  }, [visibleIds]);
  const toggle = useCallback(
    (id: Id) =>
      setSelected((s) => {
        const next = new Set(s);
        if (!next.delete(id)) {
          next.add(id);
        }
        return next;
      }),
    [],
  );
  const setAll = useCallback((ids: Id[]) => setSelected(new Set(ids)), []);
  const clear = useCallback(() => setSelected(new Set()), []);
  return { selected, toggle, setAll, clear };
}
