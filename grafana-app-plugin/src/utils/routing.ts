import { locationUtil } from '@grafana/data';
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

/**
 * The `href` of a link to a plugin page. Under a sub-path install (`serve_from_sub_path`) Grafana
 * lives at e.g. /grafana/, and a link must carry it to work when opened in a new tab or copied;
 * clicks are fine either way (Grafana's link interception strips and re-adds the sub-path).
 * Route elements (<Navigate>, navigate()) take prefixRoute: the router's history adds the sub-path.
 */
export function prefixHref(route: string, query?: Record<string, QueryValue>): string {
  return locationUtil.assureBaseUrl(prefixRoute(route, query));
}

/** The `href` of a Grafana path such as /plugins/<id>, with the sub-path. */
export function grafanaHref(pathname: string): string {
  return locationUtil.assureBaseUrl(pathname);
}
