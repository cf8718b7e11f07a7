#!/usr/bin/env node
/*
 * The `perfwatch` command. npm links a bin only when its file exists at install time, and `npm ci`
 * in a fresh clone has no dist/ yet: this committed launcher is what gets linked (at the repository
 * root too, through the root's dependency on this workspace). In a source checkout without a build it
 * compiles the exporter once, then runs the compiled CLI; a published package ships dist/.
 */
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const tsconfig = path.join(root, 'tsconfig.build.json');
// The service is built on the library (@perfwatch/node in library/), whose declarations it compiles against.
const libraryTsconfig = path.join(root, 'library', 'tsconfig.build.json');

if (!existsSync(cli) && existsSync(tsconfig)) {
  console.error('perfwatch: exporter/dist is missing; building it once (npm run build does the same)…');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  for (const project of [libraryTsconfig, tsconfig]) {
    const built = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}
require(cli);
