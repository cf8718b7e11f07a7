import path from 'node:path';
import { loadConfig } from '../config/load';
import type { Command } from './command';

const options = {
  config: { type: 'string', short: 'c' },
  out: { type: 'string', short: 'o' },
} as const;

/** Environment overrides are ignored: the committed dashboards depend on the file alone. */
function configFrom(values: Record<string, unknown>) {
  return loadConfig(values.config as string | undefined, {});
}

// The generator pulls in @grafana/grafana-foundation-sdk (a dev dependency); load it only here.
const generator = () => import('../dashboards/generate');

export const dashboardsGenerateCommand: Command = {
  name: 'dashboards generate',
  summary: 'write the Grafana dashboards (--out dir, default ./dashboards) with thresholds from --config',
  options,
  async run({ values }) {
    const { writeDashboards } = await generator();
    const out = path.resolve((values.out as string | undefined) ?? 'dashboards');
    for (const file of writeDashboards(configFrom(values), out)) console.log(`wrote ${file}`);
    return 0;
  },
};

export const dashboardsCheckCommand: Command = {
  name: 'dashboards check',
  summary: 'fail when the dashboards in --out (default ./dashboards) differ from what generate writes',
  options,
  async run({ values }) {
    const { staleDashboards } = await generator();
    const out = path.resolve((values.out as string | undefined) ?? 'dashboards');
    const stale = staleDashboards(configFrom(values), out);
    if (stale.length === 0) {
      console.log(`dashboards in ${out} are up to date`);
      return 0;
    }
    console.error(`stale dashboards in ${out}: ${stale.join(', ')}; run: npm run dashboards`);
    return 1;
  },
};
