// What installing the middleware costs an app: the packed @perfwatch/node installed into an empty app
// with express, side by side in one run with express-prom-bundle + prom-client + express and with
// express alone (and, for reference, the packed service). Sizes and package counts do not drift with
// the machine's load; versions follow the repository's package.json files, so the peers are the ones
// the other benchmarks run.
//
//   npm run bench:install          (builds the library first; rewrites bench/INSTALL.md)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { REPO, LIBRARY, packLibrary, installApp, footprint } = require('./install-footprint.js');

const GOAL_BYTES = 13e6;
const GOAL_PACKAGES = 80;

const rootPkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const libPkg = JSON.parse(fs.readFileSync(path.join(LIBRARY, 'package.json'), 'utf8'));
const express = `express@${libPkg.devDependencies.express}`;
const promClient = `prom-client@${libPkg.dependencies['prom-client']}`;
const promBundle = `express-prom-bundle@${rootPkg.devDependencies['express-prom-bundle']}`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perfwatch-install-'));
try {
  const tarball = packLibrary(work);
  const serviceTarball = packService(work);
  const variants = [
    { name: '@perfwatch/node + express', specs: [tarball, express] },
    { name: 'express-prom-bundle + prom-client + express', specs: [promBundle, promClient, express] },
    { name: 'express alone', specs: [express] },
    // The service, as an app installing @perfwatch/exporter for the middleware got it before the split.
    // --ignore-scripts: better-sqlite3 fetches or compiles its binary, which needs neither counting nor time.
    {
      name: '@perfwatch/exporter (the service) + express',
      specs: [tarball, serviceTarball, express, '--ignore-scripts'],
      reference: true,
    },
  ];
  for (const v of variants) {
    const app = path.join(work, v.name.replace(/[^a-z]+/gi, '-'));
    installApp(app, v.specs);
    Object.assign(v, footprint(app));
    console.log(`${v.name}: ${mb(v.disk)} MB, ${v.packages.length} packages`);
  }
  const ours = variants[0];
  const peer = variants[1];
  const met =
    ours.disk <= GOAL_BYTES && ours.packages.length <= GOAL_PACKAGES && ours.nativeBuilds.length === 0;
  fs.writeFileSync(path.join(REPO, 'bench', 'INSTALL.md'), report(variants, ours, peer, met));
  console.log(
    `goal (≤ ${mb(GOAL_BYTES)} MB, ≤ ${GOAL_PACKAGES} packages, no native build): ${met ? 'met' : 'NOT met'}`,
  );
  process.exitCode = met ? 0 : 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

function packService(dest) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: path.join(REPO, 'exporter'),
    encoding: 'utf8',
  });
  return path.join(dest, JSON.parse(out)[0].filename);
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function version(name) {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [REPO] }), 'utf8'))
    .version;
}

function report(variants, ours, peer, met) {
  const rows = variants.map(
    (v) =>
      `| ${v.name}${v.reference ? ' (reference)' : ''} | ${mb(v.disk)} | ${mb(v.apparent)} | ${v.packages.length} | ${(v.disk / peer.disk).toFixed(2)} | ${v.nativeBuilds.length ? v.nativeBuilds.join(', ') : 'none'} |`,
  );
  const extra = ours.packages.filter((p) => !variants[2].packages.includes(p));
  return `# Install footprint

\`npm run bench:install\` packs \`@perfwatch/node\` (\`npm pack\` of \`exporter/library\`), installs the
tarball into an empty app together with express, and does the same in the same run for
express-prom-bundle + prom-client + express and for express alone (\`npm install --prefer-offline\`: the
local npm cache first, the registry for what it lacks). For reference it also installs the packed service
\`@perfwatch/exporter\`, which is what an app got for the middleware before the library was its own
package. Sizes and counts do not depend on the machine's load.

Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on Node ${process.version}, npm ${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()}.

| app installs | MB on disk | MB of files | packages | disk ÷ express-prom-bundle | native build on install |
| ------------ | ---------: | ----------: | -------: | -------------------------: | ----------------------- |
${rows.join('\n')}

MB = 10⁶ bytes. *On disk* counts allocated blocks as \`du\` does; *of files* sums the files' sizes.
*Packages* counts every installed package.json (nested ones too), as npm counts "added N packages".
*Native build* lists packages with an install script or a \`binding.gyp\`, which npm would run or compile
(the reference row is installed with \`--ignore-scripts\`, so the ones it lists were counted, not built).

Goal (issue 15): the library costs no more than express-prom-bundle does, ≤ 13 MB and ≤ 80 packages
including express, with no native build: **${met ? 'met' : 'not met'}**.

What \`@perfwatch/node\` adds to express alone: ${extra.join(', ')}.

Versions: ${express.split('@')[0]} ${version('express')} in the repository (the apps install \`${express}\`),
${promBundle}, ${promClient}. Drivers (pg, mysql2, knex, bullmq, ioredis, multer, busboy) are optional peer
dependencies of \`@perfwatch/node\`: an app installs the ones it uses and nothing else.
`;
}
