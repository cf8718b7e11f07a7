/**
 * Reading the PromQL back out of dashboard JSON: what the stale check, the metric-name check and the
 * "no dead panels" test run against. Works on any dashboard JSON, generated or hand-made.
 */

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

interface PanelJson {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: PanelJson[];
}

interface DashboardJson {
  title?: string;
  panels?: PanelJson[];
  templating?: { list?: Array<{ name?: string; type?: string; query?: unknown; definition?: string }> };
}

/** Every PromQL target of every panel (rows' nested panels included). */
export function panelQueries(d: DashboardJson): PanelQuery[] {
  const out: PanelQuery[] = [];
  const walk = (panels: PanelJson[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? [])
        if (t.expr)
          out.push({ dashboard: d.title ?? '?', panel: p.title ?? '?', refId: t.refId ?? '?', expr: t.expr });
      walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

/** The PromQL inside the dashboard's query variables (`label_values(metric{…}, label)` → `metric{…}`). */
export function variableQueries(d: DashboardJson): Array<{ name: string; expr: string }> {
  const out: Array<{ name: string; expr: string }> = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q =
      typeof v.query === 'string' ? v.query : ((v.query as { query?: string })?.query ?? v.definition ?? '');
    const m = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(q.trim());
    if (m) out.push({ name: v.name ?? '?', expr: m[1] });
  }
  return out;
}

/** Index of the parenthesis closing the one opened at `open`. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in: ${s}`);
}

/**
 * Removes the zero-fill fallbacks the generator writes (`or vector(0)`, `or 0 * (…)`), so a check
 * sees whether the underlying series exist rather than the fallback's zero.
 */
export function withoutZeroFill(expr: string): string {
  let s = expr.replace(/ or vector\(0\)/g, '');
  for (let i = s.indexOf(' or 0 * ('); i >= 0; i = s.indexOf(' or 0 * (')) {
    const open = i + ' or 0 * '.length;
    s = s.slice(0, i) + s.slice(closing(s, open) + 1);
  }
  return s;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/** Metric names an expression reads (functions, keywords, label names and strings excluded). */
export function metricNamesIn(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^[\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const after = s.slice(m.index! + name.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase())) continue;
    // Parts of numbers such as 1e3 are not names.
    if (m.index! > 0 && /[0-9.]/.test(s[m.index! - 1])) continue;
    names.add(name);
  }
  return [...names];
}

/**
 * Replaces dashboard variables the way Grafana would for an "All" selection and the given range:
 * $job/$instance/$route → `.*`, $__rate_interval/$__interval → `rateInterval`, $__range → `range`.
 */
export function expandVariables(expr: string, o: { range: string; rateInterval: string }): string {
  return expr
    .replace(/\$__rate_interval/g, o.rateInterval)
    .replace(/\$__interval/g, o.rateInterval)
    .replace(/\$__range/g, o.range)
    .replace(/\$\{?(job|instance|route)\}?/g, '.*');
}
