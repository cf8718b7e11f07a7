/*
 * The compatibility check against the oldest Grafana plugin.json declares really compares: the
 * plugin passes, and a module using an API that version lacks fails, naming the API.
 * Needs the npm registry (levitate downloads the package versions it compares).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

jest.setTimeout(600_000);

function check(modulePath: string) {
  return spawnSync(process.execPath, ['scripts/levitate-compat.mjs', '--path', modulePath], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

describe('levitate compatibility with the minimum Grafana version', () => {
  it('finds the plugin module compatible with @grafana/data, ui and runtime of that version', () => {
    const run = check('src/module.tsx');
    expect(run.stderr).not.toContain('FAIL');
    expect(run.status).toBe(0);
    for (const pkg of ['@grafana/data', '@grafana/ui', '@grafana/runtime']) {
      expect(run.stdout).toMatch(new RegExp(`exports of ${pkg} used`));
    }
  });

  it('fails a module that uses an API the minimum version does not have, and names it', () => {
    const run = check('tests/compat/fixtures/usesApiMissingIn12_3.ts');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('isAppPluginEnabled');
  });
});
