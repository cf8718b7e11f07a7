import { useCallback, useMemo } from 'react';
import { useLocation } from 'react-router-dom';
import { locationService } from '@grafana/runtime';

export type UrlPatch = Record<string, string | string[] | number | undefined | null>;

/**
 * Page state kept in the URL, so every view is a link someone can share. Reads come from the
 * router's location; writes go through Grafana's locationService (which owns the history).
 */
export function useUrlQuery(): [URLSearchParams, (patch: UrlPatch, replace?: boolean) => void] {
  const { search } = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const update = useCallback((patch: UrlPatch, replace = false) => {
    const cleaned: Record<string, string | string[] | number | null> = {};
    for (const [key, value] of Object.entries(patch)) {
      const empty =
        value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
      cleaned[key] = empty ? null : value;
    }
    locationService.partial(cleaned, replace);
  }, []);
  return [params, update];
}
