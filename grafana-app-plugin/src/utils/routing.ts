import { PLUGIN_BASE_URL } from '../constants';

type QueryValue = string | number | undefined | null;

/** The URL of a plugin page, with the query parameters that have a value. */
export function prefixRoute(route: string, query?: Record<string, QueryValue>): string {
  const url = `${PLUGIN_BASE_URL}/${route}`;
  if (!query) {
    return url;
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}
