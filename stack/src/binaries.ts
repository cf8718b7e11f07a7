import { which } from './processes';

/** The Debian packages the native stack runs, by the binary each provides. */
export const BINARIES = {
  prometheus: { bin: 'prometheus', pkg: 'prometheus' },
  promtool: { bin: 'promtool', pkg: 'prometheus' },
  alertmanager: { bin: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  amtool: { bin: 'amtool', pkg: 'prometheus-alertmanager' },
  nodeExporter: { bin: 'prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
  // The scale path (docs/scaling.md): long-term storage, its rule evaluator and its collector.
  victoriaMetrics: { bin: 'victoria-metrics', pkg: 'victoria-metrics' },
  vmalert: { bin: 'vmalert', pkg: 'victoria-metrics' },
  vmagent: { bin: 'vmagent', pkg: 'victoria-metrics' },
} as const;

export type BinaryName = keyof typeof BINARIES;

export class MissingBinariesError extends Error {
  constructor(readonly missing: Array<{ bin: string; pkg: string }>) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))].join(' ');
    super(
      `missing ${missing.map((m) => m.bin).join(', ')}. Install with:\n  sudo apt-get install -y ${pkgs}\n` +
        `(or run: bash scripts/install-system-deps.sh). Without Debian packages, put the official ` +
        `Prometheus, Alertmanager, node_exporter (and VictoriaMetrics) binaries on PATH under these names.`,
    );
  }
}

/** Resolves the binaries' paths or throws one error naming every missing package. */
export function findBinaries<K extends BinaryName>(names: K[]): Record<K, string> {
  const found = {} as Record<K, string>;
  const missing: Array<{ bin: string; pkg: string }> = [];
  for (const n of names) {
    const p = which(BINARIES[n].bin);
    if (p) found[n] = p;
    else missing.push(BINARIES[n]);
  }
  if (missing.length) throw new MissingBinariesError(missing);
  return found;
}
