/**
 * The whole loop on the native stack (npm run stack's topology on ephemeral ports): demo shop →
 * Prometheus (generated rules) → Alertmanager (generated escalation tree) → email, Slack and the
 * Perfwatch webhook → incident. Then every dashboard query runs against the live Prometheus.
 *
 * Short intervals, so the loop takes seconds instead of minutes: scrape and rule evaluation every 1 s,
 * Prometheus re-sends alerts every 1 s, Alertmanager group_wait 1 s and group_interval 2 s. The rules
 * themselves (windows, `for` durations) are the generated ones, unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack, type RunningStack } from '../src/stack';
import { copyRules, dropDemoData } from './support/fixtures';
import { checkPanels, deadPanels } from './support/panels';
import { eventually, firingAlerts } from './support/prometheus';

jest.setTimeout(15 * 60_000);

const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PERFWATCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `e2e_${process.pid}_${Date.now()}`;
/** The critical endpoint the test degrades, and the alert severity that must reach email and Slack. */
const ROUTE = '/api/checkout';
const SEVERITY = 'emergency';
const HOST_ALERTS = ['NodeCPUHigh', 'NodeMemoryHigh', 'NodeDiskFreeLow'];

interface Incident {
  id: string | number;
  status: string;
  severity: string;
  title: string;
  createdAt?: string;
}

/**
 * The committed rules with keep_firing_for compressed as the test compresses scrape and evaluation
 * (1 s instead of 15 s): the shipped 10m would hold every page for ten minutes after recovery. The
 * shipped hold itself is replayed by promtool (alert-rules/tests/scenarios.test.yml) and by the live
 * alerting test (exporter/test/sla-live-alerting.test.ts).
 */
function compressedRules(into: string): string {
  const held = copyRules(into, (rule) => {
    if (rule.keep_firing_for === undefined) return false;
    rule.keep_firing_for = '15s';
    return true;
  });
  if (held === 0) throw new Error('no rule has keep_firing_for: compressedRules has nothing to compress');
  return into;
}

/** Measured times, printed at the end (they go into the closing note). */
const timings: Record<string, number> = {};

describe('the whole loop on the native stack', () => {
  let stack: RunningStack;
  let dir: string;
  let startedAt: number;

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${stack.urls.exporter}${p}`, {
      headers: { authorization: `Bearer ${stack.tokens.write}` },
    });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const incidents = async (): Promise<Incident[]> => {
    const body = await api<{ items?: Incident[]; incidents?: Incident[] }>('/api/v1/incidents?limit=100');
    return body.items ?? body.incidents ?? [];
  };
  /**
   * Alerts about the app. The Watchdog always fires (it proves the pipeline works), and the host
   * alerts watch the machine the test runs on — a shared two-core CI box may well be busy — not the demo.
   */
  const appAlerts = async () =>
    (await firingAlerts(stack.urls.prometheus)).filter(
      (a) => a.labels.alertname !== 'Watchdog' && !HOST_ALERTS.includes(a.labels.alertname),
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-e2e-'));
    startedAt = Date.now();
    stack = await startStack({
      ports: 'ephemeral',
      runDir: dir,
      rulesDir: compressedRules(path.join(dir, 'rules')),
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      resendDelay: '1s',
      groupWait: '1s',
      groupInterval: '2s',
      rps: 25,
      databaseUrl: PG_URL,
      redisUrl: REDIS_URL,
      demoSchema: RUN,
      queuePrefix: `pw-${RUN}`,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await dropDemoData(PG_URL, REDIS_URL, RUN);
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
  });

  test('compliant traffic raises no alert, sends no email or Slack message and opens no incident', async () => {
    // Traffic is scraped and the rules have been evaluated many times over it.
    await eventually(
      async () => {
        const res = await fetch(
          `${stack.urls.prometheus}/api/v1/query?query=${encodeURIComponent('sum(up{job="demo"})')}`,
        );
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result[0]?.value[1] === '1' ? true : undefined;
      },
      30_000,
      'demo app scraped',
    );
    await new Promise((r) => setTimeout(r, 45_000));
    // Nothing firing, and no SLA alert even pending.
    const alerts = await appAlerts();
    expect(alerts.filter((a) => a.state === 'firing')).toEqual([]);
    expect(alerts.filter((a) => a.labels.sla !== undefined)).toEqual([]);
    expect(stack.sinks.mails).toEqual([]);
    expect(stack.sinks.slack()).toEqual([]);
    expect(await incidents()).toEqual([]);
  });

  test('a slow critical endpoint produces the emergency email, Slack message and incident', async () => {
    await stack.setPhase('slow-checkout');
    const onset = Date.now();

    const mail = await stack.sinks.waitFor(
      () => stack.sinks.mails.find((m) => m.subject.includes(ROUTE) || m.text.includes(ROUTE)),
      5 * 60_000,
      `email about ${ROUTE}`,
    );
    timings.breachToEmail = mail.receivedAt - onset;
    const slack = await stack.sinks.waitFor(
      () => stack.sinks.slack().find((s) => JSON.stringify(s.body).includes(ROUTE)),
      60_000,
      `Slack message about ${ROUTE}`,
    );
    timings.breachToSlack = slack.receivedAt - onset;
    const incident = await eventually(
      async () =>
        (await incidents()).find((i) => i.title.includes(ROUTE) || JSON.stringify(i).includes(ROUTE)),
      60_000,
      `incident for ${ROUTE}`,
    );
    timings.breachToIncident = Date.now() - onset;

    expect(`${mail.subject}\n${mail.text}`.toLowerCase()).toContain(SEVERITY);
    expect(JSON.stringify(slack.body).toLowerCase()).toContain(SEVERITY);
    expect(incident.status).not.toBe('resolved');
    // The emergency alert makes it a critical incident (emergency → critical in the incident scale).
    await eventually(
      async () =>
        (await incidents()).some((i) => JSON.stringify(i).includes(ROUTE) && i.severity === 'critical')
          ? true
          : undefined,
      60_000,
      'a critical incident',
    );
    // One problem, one stream: the emergency inhibits the critical and warning alerts of the route.
    const routeMails = stack.sinks.mails.filter((m) => `${m.subject}\n${m.text}`.includes(ROUTE));
    for (const m of routeMails) expect(`${m.subject}\n${m.text}`.toLowerCase()).toContain(SEVERITY);
  });

  test('recovery resolves the alerts, sends resolved notifications and resolves the incident', async () => {
    await stack.setPhase('normal');
    const recovered = Date.now();
    let still: string[] = [];
    await eventually(
      async () => {
        // Firing ones: the slow phase also leaves the long-window burn tiers pending (a 6h or 3d
        // window over a few minutes of run is mostly the breach); pending alerts never notified anyone
        // and clear as their windows fill with good traffic, well after this test's patience.
        still = (await appAlerts())
          .filter((a) => a.labels.route === ROUTE && a.state === 'firing')
          .map((a) => `${a.labels.alertname}{${JSON.stringify(a.labels)}} ${a.state}`);
        return still.length > 0 ? undefined : true;
      },
      10 * 60_000,
      `alerts for ${ROUTE} resolved in Prometheus`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; still active: ${still.join('; ')}`);
    });
    timings.recoveryToAlertResolved = Date.now() - recovered;
    await stack.sinks.waitFor(
      () =>
        stack.sinks.mails.find(
          (m) => /resolved/i.test(m.subject) && `${m.subject}\n${m.text}`.includes(ROUTE),
        ),
      2 * 60_000,
      'resolved email',
    );
    await stack.sinks.waitFor(
      () =>
        stack.sinks
          .slack()
          .find((s) => /resolved/i.test(JSON.stringify(s.body)) && JSON.stringify(s.body).includes(ROUTE)),
      2 * 60_000,
      'resolved Slack message',
    );
    await eventually(
      async () => {
        const open = (await incidents()).filter(
          (i) => JSON.stringify(i).includes(ROUTE) && i.status !== 'resolved',
        );
        return open.length === 0 ? true : undefined;
      },
      2 * 60_000,
      'incident resolved',
    );
    timings.recoveryToIncidentResolved = Date.now() - recovered;
  });

  test('no dead panels: every dashboard query returns data from the live Prometheus', async () => {
    // The other degraded phases, so the error, N+1, failed-job and failed-file panels have data too.
    await stack.setPhase('error-burst,n-plus-one,failing-jobs');
    await new Promise((r) => setTimeout(r, 20_000));
    await stack.setPhase('normal');
    await new Promise((r) => setTimeout(r, 5_000));
    const results = await checkPanels(
      stack.urls.prometheus,
      path.join(__dirname, '..', '..', 'dashboards'),
      startedAt,
      Date.now(),
      '15s',
    );
    // The checkout's slow statements reached the service's store, so the Slow queries page lists it.
    await eventually(
      async () => {
        const body = await api<{ items: Array<{ fingerprint: string }> }>('/api/v1/slow-queries?q=pg_sleep');
        return body.items.some((i) => i.fingerprint.startsWith('select pg_sleep')) ? true : undefined;
      },
      90_000,
      "the demo's slow queries in the service API",
    );
    expect(results.length).toBeGreaterThan(50);
    expect(deadPanels(results)).toEqual([]);

    // The check itself catches a panel over a metric nobody exports.
    const bad = mkdtempSync(path.join(tmpdir(), 'pw-dead-'));
    try {
      writeFileSync(
        path.join(bad, 'bad.json'),
        JSON.stringify({
          title: 'bad',
          panels: [
            {
              title: 'typo',
              targets: [
                { refId: 'A', expr: 'rate(http_server_request_duration_second_count[$__rate_interval])' },
              ],
            },
          ],
        }),
      );
      const [typo] = await checkPanels(stack.urls.prometheus, bad, startedAt, Date.now(), '15s');
      expect(typo.problem).toBe('no data');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
