import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from './command';
import { renderOpenApi } from '../openapi/document';

const options = { out: { type: 'string', short: 'o' } } as const;
const target = (values: Record<string, unknown>) =>
  path.resolve((values.out as string | undefined) ?? 'openapi.yaml');

export const openapiGenerateCommand: Command = {
  name: 'openapi generate',
  summary: 'write the API description (--out, default ./openapi.yaml) from the routes\u2019 zod schemas',
  options,
  async run({ values }) {
    const out = target(values);
    writeFileSync(out, renderOpenApi());
    console.log(`wrote ${out}`);
    return 0;
  },
};

export const openapiCheckCommand: Command = {
  name: 'openapi check',
  summary: 'fail when --out (default ./openapi.yaml) differs from what generate writes',
  options,
  async run({ values }) {
    const out = target(values);
    let committed = '';
    try {
      committed = readFileSync(out, 'utf8');
    } catch {
      // A missing file is stale like any other.
    }
    if (committed === renderOpenApi()) {
      console.log(`${out} is up to date`);
      return 0;
    }
    console.error(`${out} is stale; run: npm run openapi`);
    return 1;
  },
};
