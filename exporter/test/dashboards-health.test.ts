/**
 * The overview dashboard's Health row, with its queries run by a real Prometheus 2.42 scraping a real
 * Perfwatch whose health checks pass and fail, and whose ingest endpoint hears from an app.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { panelQueries } from '../src/dashboards/queries';
import { killAll } from '../library/test/support/processes';
import { eventually, promQuery, startPrometheus } from './support/prometheus-stack';
import { startTestService, type TestService } from './support/service';

jest.setTimeout(90_000);

const overview = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'dashboards', 'overview.json'), 'utf8'),
) as Parameters<typeof panelQueries>[0];
const queriesOf = (panel: string) => panelQueries(overview).filter((q) => q.panel === panel);

let dir: string;
let svc: TestService;
let prometheus: string;
let failedBefore: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-health-dash-'));
  failedBefore = Date.now() / 1000;
  svc = await startTestService({
    health: {
      checks: [
        { type: 'disk', name: 'root-disk', path: '/', intervalMs: 200 },
        // No app ever reports this task: down as soon as its 1 s grace is over.
        {
          type: 'schedule',
          name: 'nightly-export',
          task: 'export:nightly',
          maxAgeSeconds: 1,
          intervalMs: 200,
        },
      ],
    },
  });
  await svc.api('/api/v1/events', {
    method: 'POST',
    scope: 'ingest',
    body: JSON.stringify({ app: 'billing', events: [], unsent: 4 }),
  });
  prometheus = await startPrometheus({
    dir,
    ruleFiles: [],
    targets: [{ job: 'perfwatch', target: new URL(svc.url).host }],
    scrapeInterval: '1s',
    evaluationInterval: '1s',
  });
});

afterAll(async () => {
  await svc?.close();
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

test('the Health checks table shows each check with its status and its last failure', async () => {
  const [status, lastFailure] = queriesOf('Health checks');
  expect(status.expr).toContain('perfwatch_health_check_up');
  const rows = await eventually('both checks scraped, one of them failed', async () => {
    const up = await promQuery(prometheus, status.expr);
    const failed = await promQuery(prometheus, lastFailure.expr);
    return up.length === 2 && failed.length === 1 ? { up, failed } : undefined;
  });
  const byCheck = Object.fromEntries(rows.up.map((r) => [r.metric.check, Number(r.value[1])]));
  expect(byCheck).toEqual({ 'root-disk': 1, 'nightly-export': 0 });
  expect(rows.failed[0].metric.check).toBe('nightly-export');
  // Milliseconds, for Grafana's dateTimeAsIso unit.
  expect(Number(rows.failed[0].value[1])).toBeGreaterThanOrEqual(failedBefore * 1000);
  expect(Number(rows.failed[0].value[1])).toBeLessThanOrEqual(Date.now() + 1000);
});

test('the Apps sending events table shows the time since each app last sent, and its unsent events', async () => {
  const [since, unsent] = queriesOf('Apps sending events');
  const sinceRows = await eventually('the heartbeat scraped', async () => {
    const r = await promQuery(prometheus, since.expr);
    return r.length === 1 ? r : undefined;
  });
  expect(sinceRows[0].metric.app).toBe('billing');
  expect(Number(sinceRows[0].value[1])).toBeGreaterThanOrEqual(0);
  expect(Number(sinceRows[0].value[1])).toBeLessThan(60);
  // $__range is Grafana's; an hour stands in for it here.
  const rows = await promQuery(prometheus, unsent.expr.replaceAll('$__range', '1h'));
  expect(rows.map((r) => r.metric.app)).toEqual(['billing']);
});
