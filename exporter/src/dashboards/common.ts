/**
 * Shared pieces of the Perfwatch dashboards: variables, selectors, links and small panel factories
 * over @grafana/grafana-foundation-sdk, so each dashboard file reads as its layout.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TableSortByFieldStateBuilder,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type DashboardLink,
  type DataTransformerConfig,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as text from '@grafana/grafana-foundation-sdk/text';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
export const TAG = 'perfwatch';

/** The app plugin's pages; every dashboard links to them, keeping the time range. */
export const APP_PAGES = {
  slowQueries: { title: 'Slow queries', path: '/a/perfwatch-app/slow-queries' },
  incidents: { title: 'Incidents', path: '/a/perfwatch-app/incidents' },
  sla: { title: 'SLA reports', path: '/a/perfwatch-app/sla' },
} as const;

/** A link to an app page for the dashboard's current time range. */
export function appLink(page: keyof typeof APP_PAGES) {
  const p = APP_PAGES[page];
  return { title: p.title, url: `${p.path}?from=\${__from}&to=\${__to}` };
}

/** Label matchers for the job/instance(/route) variables. */
export function sel(opts: { route?: boolean; extra?: string } = {}): string {
  const parts = ['job=~"$job"', 'instance=~"$instance"'];
  if (opts.route) parts.push('route=~"$route"');
  if (opts.extra) parts.push(opts.extra);
  return `{${parts.join(', ')}}`;
}

/**
 * `((expr) or vector(0))`, or `((expr) or 0 * (like))` to keep `like`'s labels: shows 0 instead of
 * "No data" where an empty result means "none happened". The dead-panels test strips exactly these
 * forms and still requires `expr` itself to return data.
 */
export function zeroFill(expr: string, like?: string): string {
  return `((${expr}) or ${like ? `0 * (${like})` : 'vector(0)'})`;
}

const by = (labels: string[]) => (labels.length ? ` by (${labels.join(', ')})` : '');

/** histogram_quantile over a histogram's buckets. */
export function quantile(
  q: number,
  metric: string,
  selector: string,
  labels: string[] = [],
  window = '$__rate_interval',
) {
  return `histogram_quantile(${q}, sum by (${['le', ...labels].join(', ')}) (rate(${metric}_bucket${selector}[${window}])))`;
}

/** Mean of a histogram: rate of _sum over rate of _count. */
export function mean(metric: string, selector: string, labels: string[] = [], window = '$__rate_interval') {
  return `sum${by(labels)} (rate(${metric}_sum${selector}[${window}])) / sum${by(labels)} (rate(${metric}_count${selector}[${window}]))`;
}

export function rate(metric: string, selector: string, labels: string[] = [], window = '$__rate_interval') {
  return `sum${by(labels)} (rate(${metric}${selector}[${window}]))`;
}

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query in table format (table panels). */
  table?: boolean;
  /** Instant query (stat panels). */
  instant?: boolean;
}

function target(q: Query, i: number) {
  const b = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(String.fromCharCode(65 + i))
    .expr(q.expr);
  if (q.legend !== undefined) b.legendFormat(q.legend);
  if (q.table) b.format(PromQueryFormat.Table).instant();
  else if (q.instant) b.instant();
  else b.range();
  return b;
}

export function thresholds(steps: Threshold[]) {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** Green below `warn`, orange from `warn`, red from `crit`. */
export function traffic(warn: number, crit: number) {
  return thresholds([
    { value: null, color: 'green' },
    { value: warn, color: 'orange' },
    { value: crit, color: 'red' },
  ]);
}

export interface PanelOpts {
  description?: string;
  unit?: string;
  /** Width in grid columns (of 24) and height in rows. */
  w?: number;
  h?: number;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdsConfigBuilder;
  links?: { title: string; url: string }[];
}

/** The builder methods every panel kind shares. */
interface PanelLike<T> {
  title(t: string): T;
  description(d: string): T;
  datasource(d: DataSourceRef): T;
  span(w: number): T;
  height(h: number): T;
  unit(u: string): T;
  decimals(d: number): T;
  min(m: number): T;
  max(m: number): T;
  thresholds(t: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').ThresholdsConfig>): T;
  links(l: cog.Builder<DashboardLink>[]): T;
  targets(t: cog.Builder<cog.Dataquery>[]): T;
}

function base<T extends PanelLike<T>>(
  p: T,
  title: string,
  queries: Query[],
  o: PanelOpts,
  size: [number, number],
): T {
  p.title(title)
    .datasource(DATASOURCE)
    .span(o.w ?? size[0])
    .height(o.h ?? size[1])
    .targets(queries.map(target));
  if (o.description) p.description(o.description);
  if (o.unit) p.unit(o.unit);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.thresholds) p.thresholds(o.thresholds);
  if (o.links)
    p.links(o.links.map((l) => new DashboardLinkBuilder(l.title).type(DashboardLinkType.Link).url(l.url)));
  return p;
}

export function timeseriesPanel(title: string, queries: Query[], o: PanelOpts = {}) {
  return base(new timeseries.PanelBuilder(), title, queries, o, [12, 8])
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull']),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .fillOpacity(10)
    .lineWidth(1)
    .spanNulls(false);
}

export function statPanel(title: string, query: Query, o: PanelOpts = {}) {
  return base(new stat.PanelBuilder(), title, [{ ...query, instant: true }], o, [4, 4])
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(o.thresholds ?? thresholds([{ value: null, color: 'green' }]));
}

/**
 * A table of instant queries joined on their labels; `columns` renames each query's value column
 * ("Value #A" …) and `hide` drops label columns nobody needs.
 */
export function tablePanel(
  title: string,
  queries: Query[],
  columns: string[],
  o: PanelOpts & { hide?: string[]; sortBy?: string } = {},
) {
  const renameByName: Record<string, string> = {};
  queries.forEach((_q, i) => {
    renameByName[queries.length === 1 ? 'Value' : `Value #${String.fromCharCode(65 + i)}`] = columns[i];
  });
  const excludeByName: Record<string, boolean> = { Time: true };
  for (const h of o.hide ?? []) excludeByName[h] = true;
  const transformations: DataTransformerConfig[] = [
    ...(queries.length > 1 ? [{ id: 'merge', options: {} }] : []),
    { id: 'organize', options: { excludeByName, renameByName } },
  ];
  const p = base(
    new table.PanelBuilder(),
    title,
    queries.map((q) => ({ ...q, table: true })),
    o,
    [12, 8],
  ).transformations(transformations);
  if (o.sortBy) p.sortBy([new TableSortByFieldStateBuilder().displayName(o.sortBy).desc(true)]);
  return p;
}

export function timelinePanel(title: string, queries: Query[], o: PanelOpts = {}) {
  return base(new statetimeline.PanelBuilder(), title, queries, o, [12, 8])
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .legend(new VizLegendOptionsBuilder().showLegend(false));
}

export function textPanel(title: string, markdown: string, o: { w?: number; h?: number } = {}) {
  return new text.PanelBuilder()
    .title(title)
    .span(o.w ?? 24)
    .height(o.h ?? 3)
    .content(markdown)
    .mode(text.TextMode.Markdown);
}

export function row(title: string) {
  return new RowBuilder(title);
}

export interface VariableSpec {
  /** Metric whose label values populate job/instance (and route). */
  anchor: string;
  route?: boolean;
}

/** datasource, job, instance (and route) variables, each narrowing the next. */
export function variables(spec: VariableSpec) {
  const all = { text: 'All', value: '$__all' };
  const query = (name: string, label: string, q: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query({ query: q, refId: `PrometheusVariableQueryEditor-VariableQuery` })
      .definition(q)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current(all);
  const out = [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    query('job', 'Job', `label_values(${spec.anchor}, job)`),
    query('instance', 'Instance', `label_values(${spec.anchor}{job=~"$job"}, instance)`),
  ];
  if (spec.route)
    out.push(
      query('route', 'Route', `label_values(${spec.anchor}{job=~"$job", instance=~"$instance"}, route)`),
    );
  return out;
}

/** Header links: the other Perfwatch dashboards (by tag) and the app's pages. */
function links() {
  return [
    new DashboardLinkBuilder('Perfwatch')
      .type(DashboardLinkType.Dashboards)
      .tags([TAG])
      .asDropdown(true)
      .includeVars(true)
      .keepTime(true),
    ...Object.values(APP_PAGES).map((p) =>
      new DashboardLinkBuilder(p.title)
        .type(DashboardLinkType.Link)
        .url(p.path)
        .keepTime(true)
        .icon('external link'),
    ),
  ];
}

export function dashboard(uid: string, title: string, description: string, vars: VariableSpec) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .variables(variables(vars))
    .links(links());
}

export type { Dashboard };
