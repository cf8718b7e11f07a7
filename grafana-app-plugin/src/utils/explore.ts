import { locationUtil, serializeStateToUrlParam } from '@grafana/data';

/**
 * A link that opens a PromQL expression in Grafana's Explore on the configured Prometheus
 * datasource, built the way @grafana/data builds its own internal data links
 * (packages/grafana-data/src/utils/dataLinks.ts, generateInternalHref: `/explore?left=` with the
 * state serialized by serializeStateToUrlParam); Explore migrates that form to its panes URL.
 */
export function exploreHref(
  datasourceUid: string,
  expr: string,
  range: { from: string; to: string } = { from: 'now-1h', to: 'now' },
): string {
  const state = serializeStateToUrlParam({
    datasource: datasourceUid,
    queries: [{ refId: 'A', expr, datasource: { type: 'prometheus', uid: datasourceUid } }],
    range,
  });
  return locationUtil.assureBaseUrl(`/explore?left=${encodeURIComponent(state)}`);
}
