#!/usr/bin/env node
/*
 * Is the plugin compatible with the oldest Grafana it declares (plugin.json grafanaDependency)?
 * Compares, with @grafana/levitate, every @grafana/data, ui and runtime export the module uses
 * between the version installed here (what the build uses) and that oldest version.
 *
 * Why not `levitate is-compatible` as is: it reads the installed versions with `npm list` in the
 * module's folder, which in this npm workspace lists the root project, so it printed "Skipping
 * package … not installed locally" for each package and then "appears to be compatible" — a check
 * that cannot fail. It also reports a package it could not download as compatible. Here a skipped
 * package, a failed download or a module that uses nothing from a package is a failure.
 *
 *   node scripts/levitate-compat.mjs [--path src/module.tsx] [--target 12.3.0] [--packages a,b]
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// levitate downloads each package version it compares into os.tmpdir(); keep them in one private
// cache (node_modules/.cache, never committed) so a second run does not download them again.
process.env.TMPDIR = path.join(root, 'node_modules/.cache/levitate');
process.env.LEVITATE_CACHE = 'true';
mkdirSync(process.env.TMPDIR, { recursive: true });
const { createTsProgram, getIncompatibilitiesBetweenPackages, getUsageInfo, printIncompatibilities } =
  await import('@grafana/levitate');
const require = createRequire(path.join(root, 'package.json'));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

const plugin = JSON.parse(readFileSync(path.join(root, 'src/plugin.json'), 'utf8'));
const declared = plugin.dependencies?.grafanaDependency ?? '';
const minimum = /^>=\s*(\d+\.\d+\.\d+)/.exec(declared)?.[1];
const target = arg('target', minimum);
const modulePath = path.resolve(root, arg('path', 'src/module.tsx'));
if (!target) {
  console.error(`plugin.json grafanaDependency "${declared}" names no minimum version (>=X.Y.Z)`);
  process.exit(2);
}

const PACKAGES = (arg('packages', '') || '@grafana/data,@grafana/ui,@grafana/runtime').split(',');

/*
 * Signature changes looked at and found harmless. Only CHANGES can be listed here: an export the
 * old version lacks (a removal) always fails.
 * - AppPlugin.setRootPage: the parameter type is spelled `type ComponentType` in one version's
 *   declaration and `ComponentType` in the other's; it is the same React type.
 * - config: GrafanaBootConfig gained fields after 12.3. The plugin reads config.bootData.user
 *   only (login, orgRole, isGrafanaAdmin), which 12.3 has.
 */
const IGNORED = { changes: [/^AppPlugin\.setRootPage$/, /^config$/], additions: [], removals: [] };
const program = createTsProgram(modulePath);
let failed = false;

for (const name of PACKAGES) {
  const installed = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  const from = `${name}@${installed}`;
  const to = `${name}@${target}`;
  console.log(`\n${path.relative(root, modulePath)}: ${from} → ${to}`);
  const used = await getUsageInfo(modulePath, [from]);
  if (used.length === 0) {
    console.error(`  FAIL: no use of ${name} found (or ${from} could not be fetched); nothing was compared`);
    failed = true;
    continue;
  }
  console.log(`  ${new Set(used.map((u) => u.propertyName)).size} exports of ${name} used`);
  let incompatibilities;
  try {
    incompatibilities = await getIncompatibilitiesBetweenPackages(program, from, to, IGNORED);
  } catch (e) {
    console.error(`  FAIL: could not compare ${from} with ${to}: ${e instanceof Error ? e.message : e}`);
    failed = true;
    continue;
  }
  if (incompatibilities.length > 0) {
    failed = true;
    printIncompatibilities(incompatibilities, { markdown: false });
    console.error(
      `  FAIL: ${incompatibilities.length} use(s) of ${name} differ in ${to}: ` +
        incompatibilities.map((i) => i.name).join(', '),
    );
  } else {
    console.log(`  OK: every export used exists in ${to} with the same signature`);
  }
}

if (failed) {
  console.error(
    `\n${path.relative(root, modulePath)} is NOT compatible with Grafana ${target} (${declared}).`,
  );
  process.exit(1);
}
console.log(`\n${path.relative(root, modulePath)} is compatible with Grafana ${target} (${declared}).`);
