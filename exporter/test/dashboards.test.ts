import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '../src/config/load';
import { renderDashboards, staleDashboards } from '../src/dashboards/generate';
import { seriesNames } from '../src/dashboards/metric-names';
import { slaThresholds } from '../src/dashboards/sla-source';
import { metricNamesIn, panelQueries, variableQueries, withoutZeroFill } from '../src/dashboards/queries';
import { registerSystemMetrics } from '@perfwatch/node/internal';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'dashboards');
/** The config the committed dashboards are generated from (the `dashboards` npm script uses it too): the SLAs the committed alert rules come from. */
const CONFIG = path.join(ROOT, 'perfwatch.yml');

type Json = Record<string, unknown> & {
  uid: string;
  title: string;
  panels: Array<Record<string, unknown> & { id: number; type: string; title: string; datasource?: unknown }>;
  templating: { list: Array<{ name: string }> };
  links: Array<{ url?: string; type: string }>;
};

const committed = (): Map<string, Json> =>
  new Map(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Json]),
  );

/** Every name a dashboard may read: metrics.ts, node_*, prom-client defaults and Prometheus' ALERTS. */
async function knownNames(): Promise<Set<string>> {
  const known = seriesNames();
  const registry = new Registry();
  registerSystemMetrics(registry);
  collectDefaultMetrics({ register: registry });
  // The system collector registers node_memory_* families from the first /proc/meminfo read, which
  // one collection guarantees has happened.
  await registry.metrics();
  for (const m of registry.getMetricsAsArray()) {
    known.add(m.name);
    for (const suffix of ['_bucket', '_sum', '_count']) known.add(m.name + suffix);
  }
  // Prometheus adds ALERTS for its alerting rules.
  known.add('ALERTS');
  return known;
}

describe('generated dashboards', () => {
  const config = loadConfig(CONFIG, {});

  test('the committed dashboards/*.json are exactly what the generator writes (npm run dashboards)', () => {
    expect(staleDashboards(config, DIR)).toEqual([]);
    expect([...committed().keys()].sort()).toEqual([...renderDashboards(config).keys()].sort());
  });

  test('every metric a panel or variable reads is defined in core/metrics.ts, node_* or prom-client defaults', async () => {
    const known = await knownNames();
    const unknown: string[] = [];
    for (const d of committed().values()) {
      const exprs = [...panelQueries(d).map((q) => q.expr), ...variableQueries(d).map((v) => v.expr)];
      for (const expr of exprs)
        for (const name of metricNamesIn(expr)) if (!known.has(name)) unknown.push(`${d.title}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  test('every dashboard has a unique uid, the datasource/job/instance variables and links to the app pages', () => {
    const uids = new Set<string>();
    for (const d of committed().values()) {
      expect(uids.has(d.uid)).toBe(false);
      uids.add(d.uid);
      expect(d.templating.list.map((v) => v.name).slice(0, 3)).toEqual(['datasource', 'job', 'instance']);
      const urls = d.links.map((l) => l.url);
      for (const page of ['slow-queries', 'incidents', 'sla'])
        expect(urls).toContain(`/a/perfwatch-app/${page}`);
    }
  });

  test('every query panel reads from the ${datasource} variable and panel ids are unique', () => {
    for (const d of committed().values()) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels.filter((p) => p.type !== 'row' && p.type !== 'text'))
        expect({ panel: p.title, datasource: p.datasource }).toEqual({
          panel: p.title,
          datasource: { type: 'prometheus', uid: '${datasource}' },
        });
    }
  });

  test('the overview and HTTP dashboards filter by route, except per-SLA stats pinned to their endpoint', () => {
    const all = committed();
    const slaRoutes = new Set(slaThresholds(config).map((s) => s.route));
    for (const f of ['overview.json', 'http.json']) {
      expect(all.get(f)!.templating.list.map((v) => v.name)).toContain('route');
      const trends = panelQueries(all.get(f)!).filter((q) =>
        q.expr.includes('http_server_request_duration_seconds'),
      );
      expect(trends.length).toBeGreaterThan(0);
      for (const q of trends) {
        const pinned = /route="([^"]+)"/.exec(q.expr);
        if (pinned) expect(slaRoutes).toContain(pinned[1]);
        else expect(q.expr).toContain('route=~"$route"');
      }
    }
  });

  test('the overview has one stat per latency SLA, coloured at its target and alert thresholds', () => {
    const overview = committed().get('overview.json')!;
    const slas = slaThresholds(config);
    expect(slas.length).toBeGreaterThan(0);
    for (const s of slas) {
      const panel = overview.panels.find(
        (p) => p.type === 'stat' && String(p.description).startsWith(`SLA "${s.name}"`),
      );
      expect(panel).toBeDefined();
      const { defaults } = panel!.fieldConfig as {
        defaults: { thresholds: { steps: Array<{ value: number | null }> } };
      };
      const steps = defaults.thresholds.steps.map((t) => t.value);
      expect(steps).toEqual([
        null,
        s.targetSeconds,
        s.warningSeconds,
        ...(s.criticalSeconds ? [s.criticalSeconds] : []),
      ]);
    }
  });

  test('a low-priority SLA, capped below critical, gets no red threshold', () => {
    const low = slaThresholds(config).find((s) => s.priority === 'low');
    expect(low).toBeDefined();
    expect(low!.criticalSeconds).toBeUndefined();
  });
});

describe('reading queries back', () => {
  test('withoutZeroFill removes both fallback forms and keeps the expression', () => {
    expect(withoutZeroFill('((sum(rate(a[1m]))) or vector(0)) / sum(rate(b[1m]))')).toBe(
      '((sum(rate(a[1m])))) / sum(rate(b[1m]))',
    );
    expect(withoutZeroFill('((sum by (r) (x)) or 0 * (sum by (r) (rate(y[1m]))))')).toBe(
      '((sum by (r) (x)))',
    );
  });

  test('metricNamesIn finds metric names, not functions, label names or strings', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{job=~"$job", route="/a b"}[5m]))) and on (route) topk(10, up) / 1e3',
      ).sort(),
    ).toEqual(['http_server_request_duration_seconds_bucket', 'up']);
  });
});
