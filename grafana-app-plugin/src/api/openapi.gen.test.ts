import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

// The pages' wire types come from the exporter's contract; a stale copy would let them drift again.
test('openapi.gen.ts is what openapi-typescript makes of exporter/openapi.yaml (npm run openapi)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfwatch-openapi-gen-'));
  try {
    const out = path.join(dir, 'openapi.gen.ts');
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
        path.join(ROOT, 'exporter/openapi.yaml'),
        '-o',
        out,
      ],
      { stdio: 'pipe' },
    );
    expect(readFileSync(path.join(__dirname, 'openapi.gen.ts'), 'utf8')).toEqual(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
