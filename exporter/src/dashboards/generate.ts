import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PerfwatchConfig } from '../config/schema';
import type { Dashboard } from './common';
import { databaseDashboard } from './database';
import { filesDashboard } from './files';
import { httpDashboard } from './http';
import { overviewDashboard } from './overview';
import { queuesDashboard } from './queues';
import { slaThresholds } from './sla-source';
import { systemDashboard } from './system';

/** Panel ids in layout order: the builders leave them unset (rows get 0), Grafana wants them unique. */
function numberPanels(d: Dashboard): Dashboard {
  (d.panels ?? []).forEach((p, i) => {
    p.id = i + 1;
  });
  return d;
}

/** Every generated dashboard, by file name (dashboards/<name>.json). */
export function buildDashboards(config: PerfwatchConfig): Map<string, Dashboard> {
  return new Map<string, Dashboard>(
    (
      [
        ['overview.json', overviewDashboard(slaThresholds(config))],
        ['http.json', httpDashboard()],
        ['database.json', databaseDashboard()],
        ['queues.json', queuesDashboard()],
        ['files.json', filesDashboard()],
        ['system.json', systemDashboard()],
      ] as const
    ).map(([name, b]) => [name, numberPanels(b.build())]),
  );
}

/** The files' exact bytes: stable key order from the builders, two-space indent, final newline. */
export function renderDashboards(config: PerfwatchConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, d] of buildDashboards(config)) out.set(name, `${JSON.stringify(d, null, 2)}\n`);
  return out;
}

export function writeDashboards(config: PerfwatchConfig, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderDashboards(config)) {
    writeFileSync(path.join(dir, name), text);
    written.push(path.join(dir, name));
  }
  return written;
}

/** Names of committed files that differ from what the generator produces now (missing counts). */
export function staleDashboards(config: PerfwatchConfig, dir: string): string[] {
  const stale: string[] = [];
  for (const [name, text] of renderDashboards(config)) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(name);
  }
  return stale;
}
