// Packs @perfwatch/node and installs packages into empty apps, measuring what an app pays on disk:
// shared by bench/install.mjs (side by side with express-prom-bundle) and
// exporter/library/test/packed-readme.test.ts (the README example against the packed tarball).
// CommonJS so both node (ESM bench) and jest (TypeScript tests) can load it.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const LIBRARY = path.join(REPO, 'exporter', 'library');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm pack` of the built library into `dest`; returns the tarball's path. */
function packLibrary(dest) {
  if (!fs.existsSync(path.join(LIBRARY, 'dist', 'index.js')))
    throw new Error('exporter/library/dist is missing: npm run build -w @perfwatch/node first');
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dest], {
    cwd: LIBRARY,
    encoding: 'utf8',
  });
  return path.join(dest, JSON.parse(out)[0].filename);
}

/**
 * A fresh app in `dir` with `specs` installed. `--prefer-offline` takes what the local npm cache holds
 * (the repository's own `npm ci` fills it) and asks the registry only for what it lacks.
 */
function installApp(dir, specs) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: path.basename(dir), version: '0.0.0', private: true }, null, 2),
  );
  execFileSync(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--loglevel=error',
      ...specs,
    ],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function* packageDirs(nodeModules) {
  if (!fs.existsSync(nodeModules)) return;
  for (const name of fs.readdirSync(nodeModules)) {
    if (name.startsWith('.')) continue;
    const dir = path.join(nodeModules, name);
    if (name.startsWith('@')) {
      for (const sub of fs.readdirSync(dir)) yield* withNested(path.join(dir, sub));
    } else yield* withNested(dir);
  }
}
function* withNested(dir) {
  if (!fs.existsSync(path.join(dir, 'package.json'))) return;
  yield dir;
  yield* packageDirs(path.join(dir, 'node_modules'));
}

/** Bytes the tree takes on disk (allocated blocks, as `du` counts them) and its files' own sizes. */
function sizes(dir) {
  let disk = 0;
  let apparent = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      disk += st.blocks * 512;
      apparent += st.size;
      if (e.isDirectory()) stack.push(p);
    }
  }
  return { disk, apparent };
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/**
 * What the app's node_modules holds: bytes, packages (every installed package.json, nested ones too,
 * as npm counts "added N packages"), and the packages npm would build natively on install: an install
 * script, or a binding.gyp (npm runs `node-gyp rebuild` for those without one).
 */
function footprint(app) {
  const nodeModules = path.join(app, 'node_modules');
  const packages = [];
  const nativeBuilds = [];
  for (const dir of packageDirs(nodeModules)) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    packages.push(`${pkg.name}@${pkg.version}`);
    const scripts = INSTALL_SCRIPTS.filter((s) => pkg.scripts && pkg.scripts[s]);
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) scripts.push('binding.gyp');
    if (scripts.length) nativeBuilds.push(`${pkg.name} (${scripts.join(', ')})`);
  }
  return { ...sizes(nodeModules), packages: packages.sort(), nativeBuilds };
}

module.exports = { REPO, LIBRARY, packLibrary, installApp, footprint };
