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

/** The dashboards plugin.json bundles (generated into ../dashboards; uids are stable). */
export const DASHBOARDS = {
  overview: 'perfwatch-overview',
  http: 'perfwatch-http',
  database: 'perfwatch-database',
  queues: 'perfwatch-queues',
  files: 'perfwatch-files',
  system: 'perfwatch-system',
} as const;

/**
 * A bundled dashboard with the page's time range (raw `from`/`to`, relative or epoch ms) and
 * template variables as `var-<name>`, the way Grafana's own dashboard links carry them.
 */
export function dashboardHref(
  uid: (typeof DASHBOARDS)[keyof typeof DASHBOARDS],
  range: { from?: string; to?: string },
  vars: Record<string, string | undefined> = {},
): string {
  const params = new URLSearchParams();
  if (range.from) {
    params.set('from', range.from);
  }
  if (range.to) {
    params.set('to', range.to);
  }
  for (const [name, value] of Object.entries(vars)) {
    if (value) {
      params.set(`var-${name}`, value);
    }
  }
  const search = params.toString();
  return locationUtil.assureBaseUrl(`/d/${uid}${search ? `?${search}` : ''}`);
}
