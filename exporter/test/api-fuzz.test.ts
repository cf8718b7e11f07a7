/**
 * A sample of bench:fuzz (issue 12): hostile inputs for every /api/v1 route and the webhook, through
 * real HTTP against the real service. Every answer is a 2xx, or a 4xx JSON body with a message (or an
 * ingestion report with a reason per event); never a 5xx. The million-input run is `npm run bench:fuzz`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { freePort, killAll, start, waitForHttp } from '../library/test/support/processes';
import { startTestService, type TestService, TOKENS } from './support/service';

interface FuzzRequest {
  method: string;
  path: string;
}
// Plain CommonJS shared with bench/fuzz.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fuzz = require('../../bench/fuzz-inputs.js') as {
  requests(f: typeof fc, seed: number, n: number): FuzzRequest[];
  toFetch(base: string, tokens: Record<string, string>, r: FuzzRequest): { url: string; init: RequestInit };
  violation(status: number, contentType: string | null, text: string): string | undefined;
};

jest.setTimeout(120_000);

let svc: TestService;
let dir: string;
beforeAll(async () => {
  // A real Prometheus, so /sla/report answers from it rather than 503 "not configured".
  dir = mkdtempSync(path.join(tmpdir(), 'pw-fuzz-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  start('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/-/ready`);
  svc = await startTestService({ prometheus: { url: `http://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await svc.close();
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

test('150 hostile requests over every route get 2xx or a 4xx JSON with a message, never a 5xx', async () => {
  const problems: string[] = [];
  const inputs = fuzz.requests(fc, 12, 150);
  for (let i = 0; i < inputs.length; i += 10)
    await Promise.all(
      inputs.slice(i, i + 10).map(async (r) => {
        const { url, init } = fuzz.toFetch(svc.url, TOKENS, r);
        const res = await fetch(url, init);
        const problem = fuzz.violation(res.status, res.headers.get('content-type'), await res.text());
        if (problem) problems.push(`${r.method} ${r.path}: ${problem}`);
      }),
    );
  expect(problems).toEqual([]);
  expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
});
