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
