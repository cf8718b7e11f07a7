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

  test('library core importing the rest of the library is refused', async () => {
    const found = await lintAs(
      'exporter/library/src/core/probe.ts',
      "import { fingerprint } from '../queries/fingerprint';\nexport const x = fingerprint;\n",
    );
    expect(found).toHaveLength(1);
  });

  test('a library adapter importing the query capture is refused', async () => {
    const found = await lintAs(
      'exporter/library/src/instrument/probe.ts',
      "import { SlowQueryCapture } from '../queries/capture';\nexport const x = SlowQueryCapture;\n",
    );
    expect(found).toHaveLength(1);
  });

  test('a library adapter importing the call-site capture it feeds is fine', async () => {
    const found = await lintAs(
      'exporter/library/src/instrument/probe.ts',
      "import { callSiteOf } from '../queries/call-site';\nexport const x = callSiteOf;\n",
    );
    expect(found).toEqual([]);
  });

  test('a library file importing any service file, even a leaf beside its entry, is refused', async () => {
    const found = await lintAs(
      'exporter/library/src/health/probe.ts',
      "import { VERSION } from '../../../src/version';\nexport const x = VERSION;\n",
    );
    expect(found.map((m) => m.message)).toEqual([
      'There is no policy allowing dependencies from elements of type "library" to elements of type "service"',
    ]);
  });

  test("a library test importing the service's test support is refused", async () => {
    const found = await lintAs(
      'exporter/library/test/probe.test.ts',
      "import { TOKENS } from '../../test/support/service';\nexport const x = TOKENS;\n",
    );
    expect(found).toHaveLength(1);
  });

  test("a service file importing the library's sources by path instead of the package is refused", async () => {
    const found = await lintAs(
      'exporter/src/ingest/probe.ts',
      "import { Recorder } from '../../library/src/core/recorder';\nexport const x = Recorder;\n",
    );
    expect(found.map((m) => m.message)).toEqual([
      'There is no policy allowing dependencies from elements of type "feature" to elements of type "library"',
    ]);
  });
});
