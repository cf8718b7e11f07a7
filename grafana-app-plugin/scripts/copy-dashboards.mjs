#!/usr/bin/env node
/*
 * Puts the repository's generated dashboards (../dashboards, from `npm run dashboards`) into
 * dist/dashboards/, where plugin.json's `includes` of type dashboard point, so installing the app
 * brings them. Run after webpack, which empties dist/ on every build.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.resolve(root, '../dashboards');
const to = path.join(root, 'dist/dashboards');
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.json'));
for (const f of files) {
  copyFileSync(path.join(from, f), path.join(to, f));
}
console.log(`copied ${files.length} dashboards into dist/dashboards`);
