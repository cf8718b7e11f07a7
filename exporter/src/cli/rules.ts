import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { generate, OWNED } from '../sla/generate';
import type { Command } from './command';

/** `--config`, then $PERFWATCH_CONFIG, then ./perfwatch.yml: the generated files come from a file. */
export function configPath(value: unknown): string {
  const p = (value as string | undefined) ?? process.env.PERFWATCH_CONFIG ?? 'perfwatch.yml';
  return path.resolve(p);
}

function walk(root: string, dir: string, out: string[]): void {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return;
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(root, rel, out);
    else out.push(rel);
  }
}

/** Generated files already on disk (paths the generator owns). */
export function ownedFiles(root: string): string[] {
  const out: string[] = [];
  walk(root, 'alert-rules', out);
  walk(root, 'provisioning/alertmanager', out);
  return out.filter((f) => OWNED.some((re) => re.test(f))).sort();
}

export interface Staleness {
  missing: string[];
  changed: string[];
  extra: string[];
}

export function compareGenerated(root: string, files: Map<string, string>): Staleness {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [rel, content] of files) {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) missing.push(rel);
    else if (readFileSync(abs, 'utf8') !== content) changed.push(rel);
  }
  const extra = ownedFiles(root).filter((f) => !files.has(f));
  return { missing, changed, extra };
}

const options = {
  config: { type: 'string', short: 'c' },
  out: { type: 'string', short: 'o' },
} as const;

export const rulesGenerateCommand: Command = {
  name: 'rules generate',
  summary:
    'write alert-rules/*.yml (+ promtool tests) and provisioning/alertmanager/ from the sla: section (--config, --out)',
  options,
  async run({ values }) {
    const file = configPath(values.config);
    const root = path.resolve((values.out as string | undefined) ?? path.dirname(file));
    const { slas, files } = generate(loadConfig(file));
    for (const stale of compareGenerated(root, files).extra) {
      rmSync(path.join(root, stale));
      console.log(`removed  ${stale}`);
    }
    for (const [rel, content] of files) {
      const abs = path.join(root, rel);
      mkdirSync(path.dirname(abs), { recursive: true });
      const same = existsSync(abs) && readFileSync(abs, 'utf8') === content;
      if (!same) writeFileSync(abs, content);
      console.log(`${same ? 'same    ' : 'wrote   '} ${rel}`);
    }
    console.log(`${slas.length} SLAs from ${path.relative(process.cwd(), file) || file}`);
    return 0;
  },
};

export const rulesCheckCommand: Command = {
  name: 'rules check',
  summary: 'fail when the generated rule and Alertmanager files differ from what the config generates',
  options,
  async run({ values }) {
    const file = configPath(values.config);
    const root = path.resolve((values.out as string | undefined) ?? path.dirname(file));
    const { files } = generate(loadConfig(file));
    const { missing, changed, extra } = compareGenerated(root, files);
    if (missing.length + changed.length + extra.length === 0) {
      console.log(`${files.size} generated files are up to date with ${path.basename(file)}`);
      return 0;
    }
    for (const f of missing) console.error(`missing  ${f}`);
    for (const f of changed) console.error(`stale    ${f}`);
    for (const f of extra) console.error(`orphan   ${f} (no longer generated)`);
    console.error(`generated files are stale: run \`perfwatch rules generate --config ${file}\` and commit`);
    return 1;
  },
};
