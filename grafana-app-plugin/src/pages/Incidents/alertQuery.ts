import type { IncidentAlert } from '../../api/types';

/** What an alert's generator URL says about the query behind it. */
export type AlertQuery =
  | { kind: 'expr'; expr: string; alertname: string; source: string }
  | { kind: 'unparsable'; alertname: string; source: string; reason: string }
  | { kind: 'none'; alertname: string };

/** At most this many distinct queries are graphed on one incident (one per alert rule, usually one). */
export const MAX_ALERT_QUERIES = 3;

/**
 * The PromQL expression of a Prometheus (or vmalert/Thanos ruler) generator URL. Prometheus builds
 * it as `<external URL>/graph?g0.expr=<query-escaped expr>&g0.tab=1` (util/strutil/strconv.go,
 * TableLinkForExpression, used by rules/alerting.go for every alert's GeneratorURL); Prometheus 3's
 * UI reads the same `g0.expr` parameter under /query. Anything else (a Grafana-managed rule's
 * /alerting/grafana/<uid>/view, a link with no expression) is unparsable, and says why.
 */
export function parseGeneratorUrl(url: string): { expr: string } | { reason: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { reason: 'it is not a URL' };
  }
  const expr = parsed.searchParams.get('g0.expr')?.trim();
  if (!expr) {
    return { reason: 'it carries no PromQL expression (no g0.expr parameter)' };
  }
  return { expr };
}

/** The queries behind an incident's alerts, one per distinct expression, in the alerts' order. */
export function alertQueries(alerts: IncidentAlert[]): AlertQuery[] {
  const seen = new Set<string>();
  const out: AlertQuery[] = [];
  for (const a of alerts) {
    const alertname = a.labels.alertname ?? a.fingerprint;
    const source = a.generatorUrl?.trim();
    const query: AlertQuery = !source
      ? { kind: 'none', alertname }
      : (() => {
          const parsed = parseGeneratorUrl(source);
          return 'expr' in parsed
            ? { kind: 'expr' as const, expr: parsed.expr, alertname, source }
            : { kind: 'unparsable' as const, alertname, source, reason: parsed.reason };
        })();
    const key = query.kind === 'expr' ? `expr:${query.expr}` : `${query.kind}:${alertname}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(query);
    }
  }
  return out.slice(0, MAX_ALERT_QUERIES);
}

/** A series' name in a legend: its labels as PromQL writes them, or the expression when it has none. */
export function seriesName(metric: Record<string, string>, expr: string): string {
  const labels = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`);
  const name = metric.__name__ ?? '';
  if (labels.length === 0) {
    return name || expr;
  }
  return `${name}{${labels.join(', ')}}`;
}
