/*
 * The plugin in real Chromium: the harness page renders the plugin's module with real @grafana/ui
 * and @grafana/runtime; its Grafana-shaped server proxies the plugin's requests, following
 * src/plugin.json, to a real `perfwatch serve` seeded through its API. Screenshots go to
 * tests/browser/.out/ (or to $PERFWATCH_SCREENSHOTS, e.g. ../docs/img for the README).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import {
  contractViolations,
  EXPLAIN,
  MARIADB,
  seedExplainableQuery,
  seedMariadbQuery,
  seedSlaTraffic,
  seedSlowQueries,
  startExporter,
  TOKENS,
  type RunningExporter,
} from './exporter';
import { bundleHarness, HarnessServer } from './harness/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../..', process.env.PERFWATCH_SCREENSHOTS ?? 'tests/browser/.out');
// The Grafana theme of the signed-in user (PERFWATCH_THEME=light for the light screenshots).
const THEME = process.env.PERFWATCH_THEME === 'light' ? 'light' : 'dark';

jest.setTimeout(120_000);

let exporter: RunningExporter;
let harness: HarnessServer;
/** Every harness the tests start: the contract check reads what each proxied. */
const harnesses: HarnessServer[] = [];
let browser: Browser;
let page: Page;
let bundle: { js: string; css: string };
const consoleErrors: string[] = [];

function shotPath(name: string) {
  return path.join(SHOTS, `${name}${THEME === 'light' ? '-light' : ''}.png`);
}

/**
 * What on the page is still loading: the visible lines that say so ("Loading incidents…",
 * "Computing each month…"; PeriodIncidents says it without a spinner) and the visible Grafana Spinners
 * (every LoadingPlaceholder and Suspense fallback draws one). Runs in the page.
 */
function stillLoading(): string[] {
  const busy = /^(Loading|Computing|Querying|Reading|Explaining|Printing)\b.*…$/;
  const lines = document.body.innerText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => busy.test(l));
  const spinners = Array.from(document.querySelectorAll('[data-testid="Spinner"]')).filter(
    (e) => e.getClientRects().length > 0,
  ).length;
  return spinners > 0 ? [...lines, `${spinners} spinner(s)`] : lines;
}

/**
 * Waits until nothing on the page is loading, twice in a row 100 ms apart (a part that starts loading
 * when another has finished, such as the facets after the table, is not missed in between): a
 * screenshot must show the page, not its placeholders.
 */
async function loaded(on: Page): Promise<void> {
  const deadline = Date.now() + 30_000;
  let idle = 0;
  while (idle < 2) {
    const left = await on.evaluate(stillLoading);
    idle = left.length === 0 ? idle + 1 : 0;
    if (idle < 2) {
      if (Date.now() > deadline) {
        throw new Error(`the page was still loading after 30 s: ${left.join('; ')}`);
      }
      // Node's timer: a page whose clock the test installed must not stop the wait.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The whole page, once loaded. */
async function shot(name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await loaded(page);
  // The pointer stays where the last click was: off the content, no row is shown hovered.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: shotPath(name), fullPage: true });
}

/** One part of a page, once the page has loaded. */
async function shotOf(part: Locator, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await loaded(part.page());
  await part.screenshot({ path: shotPath(name) });
}

async function go(pathname: string) {
  await page.goto(harness.at(pathname));
}

/** "2026-12-06 13:05:09" in a time zone, as the pages format times (formatTime). */
function inZone(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

async function createIncident(title: string): Promise<{ id: number; startedAt: string }> {
  const created = await exporter.api('/incidents', {
    method: 'POST',
    token: TOKENS.grafana,
    body: JSON.stringify({ title, severity: 'critical', labels: { route: '/checkout' } }),
  });
  expect(created.status).toBe(201);
  return (await created.json()) as { id: number; startedAt: string };
}

beforeAll(async () => {
  // allSettled: when the bundle fails to build, the exporter that did start is still stopped (afterAll).
  const [bundled, started] = await Promise.allSettled([bundleHarness(), startExporter()]);
  if (started.status === 'fulfilled') {
    exporter = started.value;
  }
  if (bundled.status === 'rejected' || started.status === 'rejected') {
    throw bundled.status === 'rejected' ? bundled.reason : (started as PromiseRejectedResult).reason;
  }
  bundle = bundled.value;
  await seedSlowQueries(exporter);
  await seedSlaTraffic(exporter);
  harness = new HarnessServer(bundle, exporter.prometheus);
  harnesses.push(harness);
  harness.theme = THEME;
  await harness.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  // The browser runs in UTC; the Grafana user's time zone (boot data) is what the pages must use.
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    timezoneId: 'UTC',
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') {
      consoleErrors.push(m.text());
    }
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await harness?.stop();
  await exporter?.stop();
});

describe('Perfwatch app in Chromium against a real exporter', () => {
  afterEach(async () => {
    // What the page showed when a test ended: the first thing to look at when one fails.
    const name =
      expect
        .getState()
        .currentTestName?.replace(/[^a-z0-9]+/gi, '-')
        .slice(-60) ?? 'test';
    mkdirSync(path.join(__dirname, '.out/last'), { recursive: true });
    await page.screenshot({ path: path.join(__dirname, '.out/last', `${name}.png`) }).catch(() => undefined);
  });

  it('is configured on its config page, and the connection test goes through the proxy', async () => {
    // The configuration page is for organization admins (plugin.json), as saving settings is in Grafana.
    harness.role = 'Admin';
    await go('/plugins/perfwatch-app');
    // A Grafana session cookie in the browser, which the proxy must not hand to the exporter.
    await page.evaluate(() => {
      document.cookie = 'grafana_session=secret-session-id; path=/';
    });
    await page.getByTestId('data-testid ac-exporter-url').fill(exporter.url);
    await page.getByTestId('data-testid ac-api-token').fill(TOKENS.grafana);
    await page.getByTestId('data-testid ac-submit').click();
    await page.getByText('Connected to the exporter').waitFor();
    await page.getByText('Token "grafana" has the scopes: read, write.').waitFor();
    await page.getByText('Grafana sends x-grafana-user: alice', { exact: false }).waitFor();
    await shot('config');
    harness.role = 'Editor';
    // The token stayed on the server: the browser only learns that one is set.
    const meta = await page.evaluate(() =>
      fetch('/api/plugins/perfwatch-app/settings').then((r) => r.text()),
    );
    expect(meta).not.toContain(TOKENS.grafana);
    expect(meta).toContain('"apiToken":true');
    // /whoami and /status go out together; either may be last.
    expect(harness.forwarded.find((f) => f.url.endsWith('/api/v1/status'))).toMatchObject({
      url: `${exporter.url}/api/v1/status`,
      user: 'alice',
      auth: 'Bearer ***',
      cookie: false,
    });
  });

  it('forwards X-Grafana-User only when send_user_header is on', async () => {
    harness.sendUserHeader = false;
    try {
      await go('/a/perfwatch-app/slow-queries');
      await page.getByTestId('data-testid sq-table').waitFor();
      expect(harness.forwarded.at(-1)?.user).toBeUndefined();
      // …and the configuration page says so after Save & test.
      harness.role = 'Admin';
      await go('/plugins/perfwatch-app');
      await page.getByTestId('data-testid ac-submit').click();
      await page.getByText('Grafana sends no x-grafana-user header', { exact: false }).waitFor();
    } finally {
      harness.sendUserHeader = true;
      harness.role = 'Editor';
    }
  });

  it('ranks the seeded slow queries, flags the N+1 and filters through the URL', async () => {
    await go('/a/perfwatch-app/slow-queries');
    const table = page.getByTestId('data-testid sq-table');
    await table.getByText(/select o\.id, o\.total/i).waitFor();
    await table.getByText(/from order_items/i).waitFor();
    await table.getByText('N+1').first().waitFor();
    expect(await table.getByRole('row').count()).toBe(5); // header + 4 fingerprints
    await shot('slow-queries');

    await page.getByLabel('Search SQL').fill('invoices');
    await page.getByLabel('Search SQL').press('Enter');
    await page.waitForURL(/q=invoices/);
    await table.getByText(/update invoices/i).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="data-testid sq-table"] tbody tr').length === 1,
    );
  });

  it('draws a load sparkline per fingerprint and filters the table from the facet panel', async () => {
    await go('/a/perfwatch-app/slow-queries');
    const table = page.getByTestId('data-testid sq-table');
    // The checkout join ran 24 times over the last 6 hours: its series spans several buckets.
    const load = table.getByRole('img', { name: /^Load: 24 queries/ });
    await load.waitFor();
    // Drawn once its cell is measured, a frame after the row.
    await load.locator('canvas').waitFor();
    expect(await load.locator('canvas').count()).toBe(1);
    const facets = page.getByTestId('data-testid sq-facets');
    const routes = facets.getByRole('region', { name: 'Route or job' });
    await routes.getByText('queue:reports/monthly').waitFor();
    expect(await routes.getByRole('checkbox').count()).toBe(3);
    await facets.getByRole('region', { name: 'Database' }).getByText('6 · 9.2 s').waitFor();
    await routes.getByText('queue:reports/monthly', { exact: true }).click();
    // locationService writes the query as URLSearchParams does, or leaves ':' and '/' as they are.
    await page.waitForFunction(() => /route=queue(%3A|:)reports(%2F|\/)monthly/.test(window.location.search));
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="data-testid sq-table"] tbody tr').length === 1,
    );
    await table.getByText(/update invoices/i).waitFor();
    await shot('slow-queries-facets');
  });

  it('groups the slow queries by service, and a service opens its fingerprints', async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page.getByTestId('data-testid sq-table').waitFor();
    await page.getByRole('radiogroup', { name: 'Group by' }).getByRole('radio', { name: 'Service' }).check();
    await page.waitForFunction(
      () => new URLSearchParams(window.location.search).get('groupBy') === 'service',
    );
    const groups = page.getByTestId('data-testid sq-groups');
    const rows = groups.locator('tbody tr');
    await groups.getByText('billing-worker').waitFor();
    // shop-api: the checkout join, the orders list and the item loop; billing-worker: the report job.
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^shop-api3 fingerprints/);
    expect(await rows.nth(1).textContent()).toMatch(/^billing-worker1 fingerprint/);
    await page.getByText(/^2 services, /).waitFor();
    // Each service's load over the range, as the fingerprint rows have.
    await rows
      .nth(1)
      .getByRole('img', { name: /^Load: 6 queries/ })
      .locator('canvas')
      .waitFor();
    await shot('slow-queries-grouped');
    await groups.getByRole('link', { name: 'billing-worker' }).click();
    await page.waitForFunction(() => {
      const q = new URLSearchParams(window.location.search);
      return q.get('service') === 'billing-worker' && !q.has('groupBy');
    });
    const table = page.getByTestId('data-testid sq-table');
    await table.getByText(/update invoices/i).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
  });

  it('exports the table as CSV', async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page.getByTestId('data-testid sq-table').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('Export CSV').click(),
    ]);
    const file = await download.path();
    const lines = readFileSync(file!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^fingerprint_id,fingerprint,db_system/);
    expect(lines).toHaveLength(5); // header + 4 fingerprints
    expect(download.suggestedFilename()).toMatch(/^slow-queries-.*\.csv$/);
  });

  it('opens a fingerprint with its formatted SQL, samples, issuers and latency chart', async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page
      .getByTestId('data-testid sq-table')
      .getByText(/select o\.id, o\.total/i)
      .click();
    await page.waitForURL(/slow-queries\/[0-9a-f]{16}/);
    const sql = page.getByTestId('data-testid sq-sql');
    await sql.waitFor();
    expect(await sql.textContent()).toMatch(/^SELECT\n {2}o\.id,/);
    await page.getByText('POST /checkout').first().waitFor();
    await page.locator('[data-testid="data-testid sq-chart"] canvas').first().waitFor();
    // The seeded queries all fall in the last 24 hours: none in the 24 hours before.
    await page.getByTestId('data-testid sq-comparison').getByText('new in this range').first().waitFor();
    await shot('slow-query-detail');
  });

  it("lists a request's queries in the order they ran, reached from a sample's request id", async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page
      .getByTestId('data-testid sq-table')
      .getByText(/from order_items/i)
      .click();
    await page.waitForURL(/slow-queries\/[0-9a-f]{16}/);
    const loop = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('link', { name: 'orders-page-1' }).first().click();
    await page.waitForURL(/\/slow-queries\/request\?id=orders-page-1$/);
    // Seeded: the customer's orders first, then their items one order at a time, 100 ms apart.
    const queries = page.getByTestId('data-testid sq-request-queries');
    await queries.getByRole('row').nth(9).waitFor();
    const rows = (await queries.getByRole('row').all()).slice(1);
    expect(rows).toHaveLength(9);
    const cells = await Promise.all(rows.map((r) => r.getByRole('cell').allTextContents()));
    // The redacted samples, as the exporter stores them: literals as ?, lower case.
    expect(cells.map((c) => c.at(-1))).toEqual([
      'select id, status, total from orders where customer_id = ? order by created_at desc limit ?',
      ...Array<string>(8).fill('select * from order_items where order_id = ?'),
    ]);
    // The first row is dated, the others say how long after it they ran: in that order.
    expect(cells.slice(1).map((c) => c[0])).toEqual(
      [250, 350, 450, 550, 650, 750, 850, 950].map((ms) => `+${ms} ms`),
    );
    // Two fingerprints, most queries first: the loop's (the one the link came from, flagged N+1) with
    // 8 taking 120 to 155 ms each, then the list's.
    const fingerprints = page.getByTestId('data-testid sq-request-fingerprints').getByRole('row');
    expect(await fingerprints.count()).toBe(3);
    const [first, second] = await Promise.all(
      [1, 2].map((i) => fingerprints.nth(i).getByRole('cell').allTextContents()),
    );
    expect(first.slice(0, 3)).toEqual([loop, '8N+1', '1.10 s']);
    expect(second.slice(1, 3)).toEqual(['1', '210 ms']);
    await page.getByText('N+1 pattern').waitFor();
    await shot('slow-query-request');
  });

  it("compares a fingerprint's range with the one before it, both holding samples", async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page
      .getByTestId('data-testid sq-table')
      .getByText(/select o\.id, o\.total/i)
      .click();
    await page.waitForURL(/slow-queries\/[0-9a-f]{16}/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    // The seeded checkouts ran every 15 minutes over the last 6 hours: the last 3 hours and the 3
    // before them each hold about half.
    const to = Date.now();
    await go(`/a/perfwatch-app/slow-queries/${id}?from=${to - 3 * 3600_000}&to=${to}`);
    const comparison = page.getByTestId('data-testid sq-comparison');
    const executions = comparison.getByRole('row').filter({ hasText: 'Executions' });
    await executions.getByText(/^[+-]?\d+ %$/).waitFor();
    const [now, before] = (await executions.getByRole('cell').allTextContents()).slice(1, 3).map(Number);
    expect(now).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(0);
    await shotOf(comparison, 'slow-query-comparison');
  });

  it('explains a fingerprint on the real PostgreSQL, showing the plan as a tree and as text', async () => {
    const { id, drop } = await seedExplainableQuery(exporter);
    try {
      await go(`/a/perfwatch-app/slow-queries/${id}`);
      await page.getByTestId('data-testid sq-sql').waitFor();
      await page.getByRole('button', { name: 'Run EXPLAIN' }).click();
      const tree = page.getByTestId('data-testid sq-plan-tree');
      await tree.waitFor();
      expect(await tree.textContent()).toContain(EXPLAIN.table);
      await page
        .getByText(/Generic plan .* on connection “inventory” \(pg\), 2 parameters bound to NULL/)
        .waitFor();
      await shot('slow-query-explain');
      await page.getByRole('tab', { name: 'Text' }).click();
      expect(await page.getByTestId('data-testid sq-plan-text').textContent()).toMatch(
        new RegExp(`Index Scan on ${EXPLAIN.table}_sku`),
      );
    } finally {
      drop();
    }
  });

  it('explains a fingerprint on the real MariaDB, its placeholder bound to NULL, as a tree and as text', async () => {
    const { id, drop } = await seedMariadbQuery(exporter);
    try {
      await go(`/a/perfwatch-app/slow-queries/${id}`);
      await page.getByTestId('data-testid sq-sql').waitFor();
      await page.getByRole('button', { name: 'Run EXPLAIN' }).click();
      const tree = page.getByTestId('data-testid sq-plan-tree');
      await tree.waitFor();
      // MariaDB plans for the bound values: a plan, not PostgreSQL's generic one, on the mysql2 connection.
      await page.getByText(/^Plan on connection “warehouse” \(mysql2\), 1 parameter bound to NULL/).waitFor();
      const nodes = await tree.textContent();
      expect(nodes).toContain(`table ${MARIADB.stock}`);
      expect(nodes).toContain(`table ${MARIADB.reservations}`);
      // The NULL sits in the join's ON: the plan is the real one, not the "Impossible WHERE" of a NULL in the WHERE.
      expect(await page.getByText(/Impossible WHERE/).count()).toBe(0);
      await shot('slow-query-explain-mariadb');
      await page.getByRole('tab', { name: 'Text' }).click();
      // EXPLAIN's rows as the mysql client prints them: the stock scanned, the reservations looked up by index.
      const text = await page.getByTestId('data-testid sq-plan-text').textContent();
      expect(text).toMatch(new RegExp(`^1 +\\| SIMPLE +\\| ${MARIADB.stock} +\\| ALL `, 'm'));
      expect(text).toMatch(
        new RegExp(
          `^1 +\\| SIMPLE +\\| ${MARIADB.reservations} +\\| ref +\\| ${MARIADB.reservations}_sku `,
          'm',
        ),
      );
    } finally {
      drop();
    }
  });

  it('says how to set up EXPLAIN for a database without a connection', async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page
      .getByTestId('data-testid sq-table')
      .getByText(/select o\.id, o\.total/i)
      .click();
    await page.getByRole('button', { name: 'Run EXPLAIN' }).click();
    await page.getByText('EXPLAIN is not set up for this database').waitFor();
    await page.getByText(/no EXPLAIN connection is configured for database "shop"/).waitFor();
  });

  it('shows each health check with its status, latency and last failure', async () => {
    await go('/a/perfwatch-app/health');
    const table = page.getByTestId('data-testid health-table');
    await table.waitFor();
    const row = (name: string) => table.getByRole('row').filter({ hasText: name });
    await row('main-db').getByText('Up', { exact: true }).waitFor();
    await row('cache').getByText('Up', { exact: true }).waitFor();
    await row('payments').getByText('Down', { exact: true }).waitFor();
    await row('payments')
      .getByText(/ECONNREFUSED|fetch failed/)
      .first()
      .waitFor();
    expect(await row('main-db').getByText('never failed').count()).toBe(1);
    await shot('health');
  });

  it('acknowledges an incident from the list and records who did it', async () => {
    const { id } = await createIncident('Checkout p95 above 300 ms');
    await go('/a/perfwatch-app/incidents');
    const table = page.getByTestId('data-testid inc-table');
    await table.getByText('Checkout p95 above 300 ms').waitFor();
    await page.getByTestId('data-testid inc-mtta').waitFor();
    await shot('incidents');
    // Grafana's Checkbox draws its box over the input.
    await page.getByLabel('Select incident Checkout p95 above 300 ms').check({ force: true });
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await page.getByText('1 incident acknowledged.').waitFor();
    const incident = (await (await exporter.api(`/incidents/${id}`, { token: TOKENS.grafana })).json()) as {
      acknowledgedBy: string;
    };
    expect(incident.acknowledgedBy).toBe('alice');

    await table.getByText('Checkout p95 above 300 ms').click();
    await page.getByTestId('data-testid inc-detail').waitFor();
    await page.getByLabel('Note').fill('Rolling back release 42');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('data-testid inc-timeline').getByText('Rolling back release 42').waitFor();
    await shot('incident-detail');
  });

  it('opens an incident by hand with its root cause, resolves another from its row, and exports a postmortem', async () => {
    await createIncident('Search index lagging');
    await go('/a/perfwatch-app/incidents');
    const table = page.getByTestId('data-testid inc-table');
    await table.getByText('Search index lagging').waitFor();
    await page.getByRole('button', { name: 'Resolve Search index lagging' }).click();
    await page.getByLabel('Resolution note').fill('Reindexed');
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.getByText('1 incident resolved.').waitFor();

    await page.getByRole('button', { name: 'New incident' }).click();
    await page.getByLabel('Incident title').fill('Card payments fail');
    await page.getByLabel('Root cause').fill('Payment provider rate-limits our key');
    await page.getByLabel('Incident labels').fill('route=/api/checkout');
    await shot('incident-new');
    await page.getByRole('button', { name: 'Open incident' }).click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const detail = page.getByTestId('data-testid inc-detail');
    await detail.getByText('Root cause: Payment provider rate-limits our key').waitFor();
    await detail.getByText('Identified').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export postmortem (Markdown)' }).click(),
    ]);
    const md = readFileSync((await download.path())!, 'utf8');
    expect(md).toMatch(/^# Postmortem: Card payments fail\n/);
    expect(md).toContain('opened by alice');

    // An incident Alertmanager opened carries its alerts' payloads.
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const hook = await exporter.api('/alertmanager/webhook', {
      method: 'POST',
      token: TOKENS.alertmanager,
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{alertname="QueueLagHigh"}',
        status: 'firing',
        receiver: 'perfwatch',
        groupLabels: { alertname: 'QueueLagHigh' },
        commonLabels: { alertname: 'QueueLagHigh', severity: 'critical', queue: 'emails' },
        commonAnnotations: { summary: 'Queue emails is 240 s behind' },
        externalURL: 'http://alertmanager.local',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'QueueLagHigh', severity: 'critical', queue: 'emails' },
            annotations: { summary: 'Queue emails is 240 s behind' },
            startsAt,
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://prometheus.local/graph?g0.expr=queue_lag',
            fingerprint: 'f00dfeed12345678',
          },
        ],
      }),
    });
    expect(hook.ok).toBe(true);
    const listed = (await (await exporter.api('/incidents?limit=100', { token: TOKENS.grafana })).json()) as {
      items: Array<{ id: number; source: string }>;
    };
    const opened = listed.items.find((i) => i.source === 'alertmanager')!;
    await go(`/a/perfwatch-app/incidents/${opened.id}`);
    await page.getByText('Raw payload: QueueLagHigh (f00dfeed12345678)').click();
    await page
      .getByTestId('data-testid inc-alert-payloads')
      .getByText('"queue": "emails"', { exact: false })
      .waitFor();
    await shot('incident-alert-payload');
  });

  it("shows Alertmanager's notifications on the timeline, repeats folded, and the open page reads new ones by itself", async () => {
    // One group on the critical route (email + Slack), as Alertmanager sends it: the tier fires,
    // the same notification is repeated, a second tier joins, then both resolve.
    const groupKey = '{}/{severity="critical"}:{alertname="SLAErrors", route="/api/checkout"}';
    const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const alert = (fingerprint: string, longWindow: string, status: 'firing' | 'resolved') => ({
      status,
      labels: {
        alertname: 'SLAErrors',
        severity: 'critical',
        route: '/api/checkout',
        long_window: longWindow,
      },
      annotations: { summary: `Checkout errors burn the budget over ${longWindow}` },
      startsAt,
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.local/graph?g0.expr=errors',
      fingerprint,
    });
    const notify = async (alerts: Array<ReturnType<typeof alert>>) => {
      const firing = alerts.some((a) => a.status === 'firing');
      const hook = await exporter.api('/alertmanager/webhook', {
        method: 'POST',
        token: TOKENS.alertmanager,
        body: JSON.stringify({
          version: '4',
          groupKey,
          status: firing ? 'firing' : 'resolved',
          receiver: 'critical',
          groupLabels: { alertname: 'SLAErrors', route: '/api/checkout' },
          commonLabels: { alertname: 'SLAErrors', severity: 'critical', route: '/api/checkout' },
          commonAnnotations: {},
          externalURL: 'http://alertmanager.local',
          alerts,
        }),
      });
      expect(hook.ok).toBe(true);
    };
    await notify([alert('5e1a000000000006', '6h', 'firing')]);
    await notify([alert('5e1a000000000006', '6h', 'firing')]);
    await notify([alert('5e1a000000000006', '6h', 'firing'), alert('5e1a000000000003', '3d', 'firing')]);
    const listed = (await (await exporter.api('/incidents?limit=100', { token: TOKENS.grafana })).json()) as {
      items: Array<{ id: number; groupKey: string | null }>;
    };
    const { id } = listed.items.find((i) => i.groupKey === groupKey)!;

    // Its own page with a clock the test moves: the detail page reads the incident every 30 s.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC' });
    try {
      const clocked = await context.newPage();
      await clocked.clock.install();
      await clocked.goto(harness.at(`/a/perfwatch-app/incidents/${id}`));
      const timeline = clocked.getByTestId('data-testid inc-timeline');
      const notified = timeline
        .getByRole('listitem')
        .filter({ hasText: 'Alertmanager notified to critical' });
      await notified
        .filter({ hasText: 'firing (high), 1 firing' })
        .getByText(/^repeated 1×, last at /)
        .waitFor();
      await notified.filter({ hasText: 'firing (high), 2 firing' }).waitFor();
      expect(await notified.count()).toBe(2);
      await shotOf(timeline, 'incident-notifications');

      await notify([
        alert('5e1a000000000006', '6h', 'resolved'),
        alert('5e1a000000000003', '3d', 'resolved'),
      ]);
      const resolved = notified.filter({ hasText: 'resolved (high), 2 resolved' });
      expect(await resolved.count()).toBe(0);
      await clocked.clock.fastForward(30_000);
      await resolved.waitFor();
    } finally {
      await context.close();
    }
  });

  it("assigns an incident through the picker of Grafana's users, which Grafana lists to admins only", async () => {
    const { id } = await createIncident('Payments latency above 1 s');
    await go(`/a/perfwatch-app/incidents/${id}`);
    await page.getByTestId('data-testid inc-detail').waitFor();
    const picker = page.getByPlaceholder('Search Grafana users');
    // An Editor who administers nothing: Grafana refuses the lookup, the picker says why.
    await picker.click();
    await page
      .getByTestId('data-testid inc-assignee-error')
      .getByText(/Permissions needed: any of org\.users:read/)
      .waitFor();
    await picker.press('Escape');
    harness.role = 'Admin';
    try {
      await go(`/a/perfwatch-app/incidents/${id}`);
      await page.getByTestId('data-testid inc-detail').waitFor();
      // "oncall" is only in carol's e-mail, which the lookup searches but does not return.
      await picker.click();
      await picker.fill('oncall');
      await page.getByRole('option', { name: 'carol', exact: true }).click();
      await page.waitForFunction(
        async (incident) => {
          const r = await fetch(`api/plugin-proxy/perfwatch-app/exporter/incidents/${incident}`);
          return ((await r.json()) as { assignee: string | null }).assignee === 'carol';
        },
        id,
        { polling: 500, timeout: 15_000 },
      );
      expect(await picker.inputValue()).toBe('carol');
      // One pick, one assignment: a second request for the same login would be refused.
      expect(await page.getByText(/Assignment failed/).count()).toBe(0);
      await shot('incident-assignee');
    } finally {
      harness.role = 'Editor';
    }
  });

  it("graphs the alert's query from the real Prometheus over the incident's window, with an Explore link", async () => {
    harness.jsonData.prometheusDatasourceUid = 'prom';
    const expr = 'sum by (route) (http_server_request_duration_seconds_count{job="demo",route=~"/api/.*"})';
    // As Prometheus builds it (util/strutil/strconv.go, TableLinkForExpression: url.QueryEscape).
    const generatorURL = `${exporter.prometheus}/graph?g0.expr=${encodeURIComponent(expr).replace(/%20/g, '+')}&g0.tab=1`;
    const groupKey = '{}:{alertname="CheckoutTrafficHigh"}';
    try {
      const hook = await exporter.api('/alertmanager/webhook', {
        method: 'POST',
        token: TOKENS.alertmanager,
        body: JSON.stringify({
          version: '4',
          groupKey,
          status: 'firing',
          receiver: 'perfwatch',
          groupLabels: { alertname: 'CheckoutTrafficHigh' },
          commonLabels: { alertname: 'CheckoutTrafficHigh', severity: 'warning' },
          commonAnnotations: { summary: 'Requests to the API are above the expected rate' },
          externalURL: 'http://alertmanager.local',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'CheckoutTrafficHigh', severity: 'warning' },
              annotations: { summary: 'Requests to the API are above the expected rate' },
              startsAt: new Date(Date.now() - 2 * 60_000).toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
              generatorURL,
              fingerprint: 'c0ffee0012345678',
            },
          ],
        }),
      });
      expect(hook.ok).toBe(true);
      const listed = (await (
        await exporter.api('/incidents?limit=100', { token: TOKENS.grafana })
      ).json()) as { items: Array<{ id: number; groupKey: string | null }> };
      const opened = listed.items.find((i) => i.groupKey === groupKey)!;
      await go(`/a/perfwatch-app/incidents/${opened.id}`);
      const graph = page.getByTestId('data-testid inc-alert-graph');
      await graph.locator('[data-testid="data-testid inc-alert-chart"] canvas').first().waitFor();
      // One series per route of the seeded traffic, named by its labels in the legend.
      await graph.getByText('{route="/api/checkout"}').waitFor();
      const explore = graph.getByRole('link', { name: 'Explore the query of CheckoutTrafficHigh' });
      const state = JSON.parse(
        new URLSearchParams((await explore.getAttribute('href'))!.split('?')[1]).get('left')!,
      ) as { datasource: string; queries: Array<{ expr: string }> };
      expect(state).toMatchObject({ datasource: 'prom', queries: [{ expr }] });
      await shotOf(graph, 'incident-alert-graph');
    } finally {
      delete harness.jsonData.prometheusDatasourceUid;
    }
  });

  it('refuses changes to a Viewer at the proxy, as Grafana would', async () => {
    harness.role = 'Viewer';
    try {
      const status = await page.evaluate(() =>
        fetch('/api/plugin-proxy/perfwatch-app/exporter/incidents/1/acknowledge', {
          method: 'POST',
          body: '{}',
        }).then((r) => r.status),
      );
      expect(status).toBe(403);
    } finally {
      harness.role = 'Editor';
    }
  });

  it('lets a Viewer holding the "Incidents writer" role write, and refuses them on a Grafana without reqAction', async () => {
    const { id } = await createIncident('Queue lag above 30 s');
    const post = () =>
      page.evaluate(
        (incident) =>
          fetch(`api/plugin-proxy/perfwatch-app/exporter/incidents/${incident}/acknowledge`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }).then((r) => r.status),
        id,
      );
    harness.role = 'Viewer';
    harness.assignedRoles = ['Incidents writer'];
    try {
      expect(await post()).toBe(200);
      // The page offers the action too (the role's action is in the boot data's permissions).
      await go(`/a/perfwatch-app/incidents/${id}`);
      await page.getByTestId('data-testid inc-detail').waitFor();
      expect(
        await page.getByRole('button', { name: 'Take diagnostics' }).getAttribute('aria-disabled'),
      ).not.toBe('true');
      harness.rbac = false;
      expect(await post()).toBe(403);
    } finally {
      harness.role = 'Editor';
      harness.assignedRoles = [];
      harness.rbac = true;
    }
  });

  it('reads Perfwatch › Incidents › #id in the breadcrumbs of an incident', async () => {
    const { id } = await createIncident('Breadcrumb check');
    await go(`/a/perfwatch-app/incidents/${id}`);
    await page.getByTestId('data-testid inc-detail').waitFor();
    expect(await page.getByTestId('harness-breadcrumbs').textContent()).toBe(
      `Perfwatch › Incidents › #${id}`,
    );
  });

  it("shows times in the user's Grafana time zone, not the browser's", async () => {
    const { id, startedAt } = await createIncident('Time zone check');
    harness.timezone = 'Asia/Tokyo';
    try {
      await go(`/a/perfwatch-app/incidents/${id}`);
      await page.getByTestId('data-testid inc-detail').waitFor();
      // Tokyo is UTC+9 all year: the two renderings never coincide.
      await page.getByText(inZone(startedAt, 'Asia/Tokyo')).first().waitFor();
      expect(await page.getByText(inZone(startedAt, 'UTC')).count()).toBe(0);
    } finally {
      harness.timezone = 'utc';
    }
  });

  describe('a wrong exporter token', () => {
    let token: string;
    beforeAll(() => {
      token = harness.secureJsonData.apiToken;
    });
    afterAll(() => {
      harness.secureJsonData.apiToken = token;
    });

    it('is named on the pages, without a logout and without a retry storm', async () => {
      harness.secureJsonData.apiToken = 'not-the-token-0123456789abcdef';
      harness.sessionCalls.length = 0;
      const before = harness.forwarded.length;
      await go('/a/perfwatch-app/incidents?refresh=1s');
      await page
        .getByText(/The exporter rejected the API token/)
        .first()
        .waitFor();
      const first = harness.forwarded.length - before;
      // Grafana's backendSrv renews the session once per 401 and repeats the call once: each of the
      // page's calls reaches the exporter at most twice.
      expect(harness.sessionCalls.filter((c) => c === '/api/user/auth-tokens/rotate').length).toBeGreaterThan(
        0,
      );
      expect(harness.sessionCalls).not.toContain('/login');
      expect(first).toBeLessThanOrEqual(4);
      // With refresh=1s the page would poll; a refused token is not retried.
      await page.waitForTimeout(3000);
      expect(harness.forwarded.length - before).toBe(first);
      expect(page.url()).toContain('/a/perfwatch-app/incidents');
    });

    it('is named on the configuration page after Save & test', async () => {
      harness.role = 'Admin';
      try {
        await go('/plugins/perfwatch-app');
        await page.getByRole('button', { name: 'Reset' }).click();
        await page.getByTestId('data-testid ac-api-token').fill('not-the-token-0123456789abcdef');
        await page.getByTestId('data-testid ac-submit').click();
        await page.getByText('Connection test failed').waitFor();
        await page
          .getByText(/The exporter rejected the API token/)
          .first()
          .waitFor();
        expect(harness.sessionCalls).not.toContain('/login');
      } finally {
        harness.role = 'Editor';
        harness.secureJsonData.apiToken = token;
      }
    });
  });

  it('sends the user to the login page when the Grafana session itself has expired', async () => {
    await go('/a/perfwatch-app/slow-queries');
    await page.getByTestId('data-testid sq-table').waitFor();
    harness.sessionCalls.length = 0;
    harness.sessionExpired = true;
    try {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForURL(/\/login$/);
      expect(harness.sessionCalls).toContain('/api/user/auth-tokens/rotate');
    } finally {
      harness.sessionExpired = false;
    }
  });

  it('shows the SLA report from Prometheus: the breaching checkout first, then its print view', async () => {
    await go('/a/perfwatch-app/sla?period=7d');
    const table = page.getByTestId('data-testid sla-table');
    await table.waitFor();
    for (const route of ['/api/checkout', '/api/products/:id', '/api/search']) {
      await table.getByText(route, { exact: false }).first().waitFor();
    }
    expect(await table.getByText(/breach/i).count()).toBeGreaterThan(0);
    await shot('sla');
    await go('/a/perfwatch-app/sla/print?period=7d');
    await page.getByText('/api/checkout').first().waitFor();
    await page.emulateMedia({ media: 'print' });
    // Legible on white paper in either theme: a white sheet and dark text (browsers drop
    // background colours when printing, so light text would vanish).
    const colours = await page.getByTestId('data-testid sla-print').evaluate((el) => ({
      sheet: getComputedStyle(el).backgroundColor,
      title: getComputedStyle(el.querySelector('h1')!).color,
    }));
    expect(colours.sheet).toBe('rgb(255, 255, 255)');
    const [r, g, b] = colours.title.match(/\d+/g)!.map(Number);
    expect((0.2126 * r + 0.7152 * g + 0.0722 * b) / 255).toBeLessThan(0.4);
    await shot('sla-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('says how little of the period and of the months Prometheus covers, and downloads the report as a real PDF', async () => {
    await go('/a/perfwatch-app/sla?period=7d');
    await page.getByTestId('data-testid sla-table').waitFor();
    // Prometheus started with this test: it covers only the last minutes of the period and says so.
    await page
      .getByTestId('data-testid sla-coverage')
      // A few minutes of seven days: under 1 %, which reads as such, never as "0 %".
      .getByText(/^Data covers (< 0\.1|0\.[1-9]) % of the period$/)
      .waitFor();
    const history = page.getByTestId('data-testid sla-history');
    // A Prometheus started minutes ago holds the last minutes of this month only: the month is shown as
    // barely covered, and the months before it are left out with a note saying so.
    const thisMonth = new Date().toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    await history
      .getByRole('row')
      .filter({ hasText: thisMonth })
      .getByText(/^(< 0\.1|0\.[1-9]) % covered$/)
      .waitFor();
    await history.getByText('Not every month has data').waitFor();
    // When the data begins, as the pages write times (not the exporter's UTC instant).
    await history
      .getByText(/^Prometheus holds no data before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: .+ left out\.$/)
      .waitFor();
    await shotOf(history, 'sla-history');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('sla-report-7d.pdf');
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    // The page stays where it was: Grafana's link interception did not open the blob as a page.
    expect(new URL(page.url()).pathname).toBe('/a/perfwatch-app/sla');
  });

  it("shows an endpoint's burn-rate tiers read back from Prometheus, its misses and an Explore link per PromQL", async () => {
    // The app's Prometheus datasource, as the configuration page would save it.
    harness.jsonData.prometheusDatasourceUid = 'prom';
    await go('/a/perfwatch-app/sla?period=7d');
    await page.getByTestId('data-testid sla-table').getByRole('link', { name: 'post-api-checkout' }).click();
    await page.getByTestId('data-testid sla-detail').waitFor();
    const burn = page.getByTestId('data-testid sla-burn-rates');
    // The checkout's 14.4× tier over 1h/5m, from the generated rules Prometheus loaded.
    const fastest = burn.getByRole('row').filter({ hasText: '1h / 5m' }).filter({ hasText: 'Latency' });
    await fastest.waitFor();
    expect(await fastest.textContent()).toContain('14.4×');
    // 8 % slow against a 5 % budget: about 1.6× on the 5-minute window.
    expect(await fastest.textContent()).toMatch(/1\.[4-8]\d×/);
    const explore = page.getByRole('link', { name: 'Explore p95 latency' });
    expect(decodeURIComponent((await explore.getAttribute('href')) ?? '')).toMatch(
      /^\/explore\?left=.*"datasource":"prom"/,
    );
    // The budget burndown, read by the exporter from Prometheus: the seeded slow checkouts spend it.
    const burndown = page.getByTestId('data-testid sla-burndown');
    const left = burndown.getByText(/^latency: -?[\d.]+ % left/);
    await left.waitFor();
    // It burns down: the slow checkouts have spent part of the latency budget already.
    expect(Number((await left.textContent())!.match(/^latency: (-?[\d.]+) %/)![1])).toBeLessThan(100);
    await burndown.getByTestId('data-testid sla-burndown-chart').locator('canvas').first().waitFor();
    // The lines sit at the right edge of the 7 days: the chart says that is all Prometheus holds.
    await burndown
      .getByText(
        /^Prometheus holds data from .+ only, (< 0\.1|0\.[1-9]) % of the period: the lines cover that part/,
      )
      .waitFor();
    await shot('sla-endpoint');
    await shotOf(burndown, 'sla-burndown');
    // A calendar month still running says how much of it the numbers cover.
    await go(`/a/perfwatch-app/sla?period=${new Date().toISOString().slice(0, 7)}`);
    await page
      .getByTestId('data-testid sla-in-progress')
      .getByText(/^In progress: \d+ % of \w+ \d{4} elapsed$/)
      .waitFor();
    await shot('sla-month');
  });

  describe('under a sub-path (serve_from_sub_path, root_url …/grafana/)', () => {
    let sub: HarnessServer;
    beforeAll(async () => {
      sub = new HarnessServer(bundle);
      harnesses.push(sub);
      sub.appSubUrl = '/grafana';
      sub.jsonData = { ...harness.jsonData };
      sub.secureJsonData = { ...harness.secureJsonData };
      sub.enabled = true;
      await sub.start();
    });
    afterAll(async () => {
      await sub?.stop();
    });

    it('reaches the exporter and links and navigates within the sub-path', async () => {
      await page.goto(sub.at('/a/perfwatch-app/slow-queries'));
      const table = page.getByTestId('data-testid sq-table');
      await table.getByText(/select o\.id, o\.total/i).waitFor();
      expect(sub.forwarded.length).toBeGreaterThan(0);
      const link = table.getByRole('link', { name: /select o\.id, o\.total/i }).first();
      expect(await link.getAttribute('href')).toMatch(
        /^\/grafana\/a\/perfwatch-app\/slow-queries\/[0-9a-f]{16}/,
      );
      await link.click();
      await page.waitForURL(/\/grafana\/a\/perfwatch-app\/slow-queries\/[0-9a-f]{16}/);
      await page.getByTestId('data-testid sq-sql').waitFor();
      // Every link the page draws to another plugin page carries the sub-path.
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
      const internal = hrefs.filter((h) => h.includes('/a/perfwatch-app/'));
      expect(internal.length).toBeGreaterThan(0);
      expect(internal.filter((h) => !h.startsWith('/grafana/'))).toEqual([]);
    });
  });

  it('got only answers from the exporter that its contract describes, on paths it lists', () => {
    const answers = harnesses.flatMap((h) => h.forwarded).filter((f) => f.response);
    expect(answers.length).toBeGreaterThan(20);
    const violations = answers.flatMap((f) => {
      const { contentType, body } = f.response!;
      const parsed: unknown = contentType.includes('json') ? JSON.parse(body) : body;
      return contractViolations(f.method, f.url, f.status!, parsed).map((v) => `${f.method} ${f.url}: ${v}`);
    });
    expect(violations).toEqual([]);
  });

  it('logs no errors in the browser console', () => {
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
