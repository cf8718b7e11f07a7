import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  expandVariables,
  panelQueries,
  variableQueries,
  withoutZeroFill,
} from '../../../exporter/src/dashboards/queries';
import { queryRange } from './prometheus';

export interface PanelResult {
  where: string;
  expr: string;
  /** Undefined when the expression returned at least one finite value. */
  problem?: string;
}

/**
 * Runs every panel and variable expression of every dashboard in `dir` as a range query over
 * [start, end], the way Grafana would with "All" selected: each must return a finite value somewhere.
 * Zero-fill fallbacks are stripped, so "0 because nothing matched" does not count as data.
 */
export async function checkPanels(
  prometheus: string,
  dir: string,
  start: number,
  end: number,
  rateInterval: string,
): Promise<PanelResult[]> {
  const rangeSeconds = Math.max(60, Math.round((end - start) / 1000));
  const step = Math.max(2, Math.round(rangeSeconds / 100));
  const results: PanelResult[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const d = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const exprs = [
      ...panelQueries(d).map((q) => ({ where: `${file} › ${q.panel} [${q.refId}]`, expr: q.expr })),
      ...variableQueries(d).map((v) => ({ where: `${file} › variable ${v.name}`, expr: v.expr })),
    ];
    for (const { where, expr } of exprs) {
      const run = withoutZeroFill(expandVariables(expr, { range: `${rangeSeconds}s`, rateInterval }));
      try {
        const series = await queryRange(prometheus, run, start, end, step);
        const finite = series.some((s) => (s.values ?? []).some(([, v]) => Number.isFinite(Number(v))));
        results.push({
          where,
          expr: run,
          problem: finite ? undefined : series.length ? 'only NaN' : 'no data',
        });
      } catch (err) {
        results.push({ where, expr: run, problem: (err as Error).message });
      }
    }
  }
  return results;
}

/**
 * Panels over data the demo stack does not produce, by panel title, with where their data is tested
 * instead. The stack's service has no health checks configured and no app pushes
 * events to it (`npm run stack -- --laravel` adds one, outside these tests).
 */
export const PANELS_FED_ELSEWHERE: Record<string, string> = {
  'overview.json › Health checks': 'health.checks: exporter/test/dashboards-health.test.ts',
  'overview.json › Apps sending events': 'app heartbeats: exporter/test/dashboards-health.test.ts',
  // Only the metrics are checked there (exporter/test/laravel-app.test.ts); these two queries run
  // against data only under `npm run stack -- --laravel`.
  'queues.json › Task runs in the selected range': 'Laravel scheduler events',
  'queues.json › Time since last successful run by task': 'Laravel scheduler events',
};

/**
 * The problems of a panel check, less those of PANELS_FED_ELSEWHERE. A listed panel that no longer
 * exists is a problem too, so the list cannot go stale.
 */
export function deadPanels(results: PanelResult[]): PanelResult[] {
  const panelOf = (r: PanelResult) => r.where.replace(/ \[[^\]]*\]$/, '');
  const present = new Set(results.map(panelOf));
  const stale = Object.keys(PANELS_FED_ELSEWHERE)
    .filter((p) => !present.has(p))
    .map((p) => ({ where: p, expr: '', problem: 'listed in PANELS_FED_ELSEWHERE but not on any dashboard' }));
  return [...results.filter((r) => r.problem && !(panelOf(r) in PANELS_FED_ELSEWHERE)), ...stale];
}
