import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Lints `code` as if it were the file `file` (repo-relative) with the repo's eslint.config.mjs. */
async function lintAs(file: string, code: string): Promise<LintMessage[]> {
  const running = promisify(execFile)(
    process.execPath,
    [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', file],
    { cwd: ROOT },
  );
  running.child.stdin?.end(code);
  // eslint exits 1 when it finds errors; its JSON report is on stdout either way.
  const { stdout } = await running.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const [result] = JSON.parse(stdout) as Array<{ messages: LintMessage[] }>;
  return result.messages.filter((m) => m.ruleId === 'boundaries/dependencies');
}

describe('the layer rule in npm run lint', () => {
  test('a feature importing server internals is refused', async () => {
    const found = await lintAs(
      'exporter/src/ingest/probe.ts',
      "import { loggableError } from '../server/errors';\nexport const x = loggableError;\n",
    );
    expect(found.map((m) => m.message)).toEqual([
      'There is no policy allowing dependencies from elements of type "feature" to elements of type "server"',
    ]);
  });

  test('a feature importing the kit is fine', async () => {
    const found = await lintAs(
      'exporter/src/ingest/probe.ts',
      "import { ApiError } from '../kit/errors';\nexport const x = ApiError;\n",
    );
    expect(found).toEqual([]);
  });

  test('core importing a feature is refused', async () => {
    const found = await lintAs(
      'exporter/src/core/probe.ts',
      "import { fingerprint } from '../queries/fingerprint';\nexport const x = fingerprint;\n",
    );
    expect(found).toHaveLength(1);
  });

  test('an adapter importing a feature is refused', async () => {
    const found = await lintAs(
      'exporter/src/instrument/probe.ts',
      "import { SlowQueryCapture } from '../queries/capture';\nexport const x = SlowQueryCapture;\n",
    );
    expect(found).toHaveLength(1);
  });
});
