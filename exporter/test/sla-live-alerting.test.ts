/*
 * End to end on loopback: an Express app instrumented with perfwatch() serves traffic; Prometheus 2.42
 * scrapes it and evaluates rules generated for a small SLA config by the same generator as the committed
 * ones; Alertmanager 0.25 (started first) routes with the generated escalation tree to a real SMTP server
 * (smtp-server), a real HTTP endpoint standing in for Slack's incoming webhook, an on-call webhook and
 * the Perfwatch webhook (bearer token from a credentials file).
 *
 * Intervals are shortened so the loop takes seconds: scrape and rule evaluation every 1 s, SLA window
 * 10 s, threshold `for` 1 s / 3 s / 6 s (emergency / critical / warning), keep_firing_for 2 s, Alertmanager group_wait 1 s and
 * group_interval 2 s, Prometheus --rules.alert.resend-delay=1s. Burn-rate tiers need hours of data and are
 * covered by the promtool tests; they are left out here so the one stream under test is the threshold one.
 *
 * PERFWATCH_LIVE_DEFAULT_TIMING=1 runs the same test with the shipped defaults instead (15 s scrape and
 * evaluation, 5 m window, `for` 5m/2m/1m, keep_firing_for 10m, group_wait 30s/30s/10s, Prometheus'
 * default 1m resend delay):
 * about a quarter of an hour, to measure breach → notification as an operator would see it.
 *
 * The Perfwatch webhook is also forwarded to a real Perfwatch service, so the crash test can check that
 * the incident stays open while the app is down mid-breach and resolves once it is back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { parseConfig } from '../src/config/load';
import { perfwatch } from '../src/index';
import { generate } from '../src/sla/generate';
import { serve } from '../library/test/support/http-app';
import { killAll } from '../library/test/support/processes';
import { startTestService, type TestService, TOKENS } from './support/service';
import { eventually, promQuery, startAlertmanager, startPrometheus } from './support/prometheus-stack';

const DEFAULT_TIMING = process.env.PERFWATCH_LIVE_DEFAULT_TIMING === '1';
const T = DEFAULT_TIMING
  ? { scrape: '15s', window: '5m', resendDelay: '1m', settle: 45_000, wait: 600_000 }
  : { scrape: '1s', window: '10s', resendDelay: '1s', settle: 12_000, wait: 60_000 };
jest.setTimeout(DEFAULT_TIMING ? 1_800_000 : 180_000);

interface Mail {
  at: number;
  subject: string;
  to: string;
  text: string;
  html: string;
}
interface Hook {
  at: number;
  path: string;
  authorization?: string;
  body: {
    status?: string;
    attachments?: Array<{ title: string; text: string; color: string; title_link: string }>;
    channel?: string;
    commonLabels?: Record<string, string>;
    alerts?: Array<{ labels: Record<string, string> }>;
  };
}

const TOKEN = 'perfwatch-alertmanager-token-0123456789';
const ONCALL_TOKEN = 'oncall-token-abcdefghijklmnop';

let dir: string;
let smtp: SMTPServer;
const mails: Mail[] = [];
const hooks: Hook[] = [];
let closers: Array<() => Promise<void>> = [];
let prometheus: string;
let degraded = false;
let failing = false;
let stopTraffic = false;
let perfwatchService: TestService;
let app: { url: string; close: () => Promise<void> };
let startApp: (port: number) => Promise<{ url: string; close: () => Promise<void> }>;
let traffic: Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-sla-live-'));

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (m) => {
          mails.push({
            at: Date.now(),
            subject: m.subject ?? '',
            to: Array.isArray(m.to) ? m.to.map((t) => t.text).join(', ') : (m.to?.text ?? ''),
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  // Slack's incoming webhook, the on-call webhook and the Perfwatch webhook: one real HTTP server.
  const receivers = express();
  receivers.use(express.json());
  // The Perfwatch webhook is recorded here and forwarded to a real Perfwatch service, whose incidents
  // the crash test reads.
  perfwatchService = await startTestService();
  closers.push(() => perfwatchService.close());
  receivers.post(/.*/, async (req, res) => {
    hooks.push({ at: Date.now(), path: req.path, authorization: req.headers.authorization, body: req.body });
    if (req.path === '/api/v1/alertmanager/webhook') {
      const r = await fetch(`${perfwatchService.url}${req.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.alertmanager}` },
        body: JSON.stringify(req.body),
      });
      res.status(r.status).send(await r.text());
      return;
    }
    res.send('ok');
  });
  const rx = await serve(receivers);
  closers.push(rx.close);

  const secrets = path.join(dir, 'secrets');
  mkdirSync(secrets, { recursive: true });
  writeFileSync(path.join(secrets, 'perfwatch-token'), `${TOKEN}\n`);
  writeFileSync(path.join(secrets, 'oncall-token'), ONCALL_TOKEN);
  writeFileSync(path.join(secrets, 'slack-url'), `${rx.url}/slack/T000/B000/XXXX`);
  writeFileSync(path.join(secrets, 'slack-incidents-url'), `${rx.url}/slack/T000/B001/YYYY`);

  const config = parseConfig({
    sla: {
      job: 'demo',
      window: T.window,
      escalation: {
        ...(DEFAULT_TIMING
          ? {}
          : {
              for: { warning: '6s', critical: '3s', emergency: '1s' },
              minRequests: 5,
              keepFiringFor: '2s',
            }),
        burnRates: [],
        regression: { enabled: false },
      },
      alerting: {
        secretsDir: secrets,
        perfwatch: { url: rx.url, credentialsFile: 'perfwatch-token' },
        email: {
          smarthost: `127.0.0.1:${smtpPort}`,
          from: 'perfwatch@test.example',
          to: ['ops@test.example'],
          emergencyTo: ['oncall@test.example'],
          requireTls: false,
        },
        slack: {
          apiUrlFile: 'slack-url',
          channel: '#alerts',
          emergencyChannel: '#incidents',
          emergencyApiUrlFile: 'slack-incidents-url',
        },
        oncall: { url: `${rx.url}/oncall`, credentialsFile: 'oncall-token' },
        externalUrls: {
          grafana: 'http://grafana.test:3000',
          runbookBase: 'http://runbooks.test/alerting.md',
        },
        ...(DEFAULT_TIMING
          ? {}
          : {
              groupWait: { warning: '1s', critical: '1s', emergency: '1s' },
              groupInterval: { warning: '2s', critical: '2s', emergency: '2s' },
              repeatInterval: { warning: '1h', critical: '1h', emergency: '1h' },
            }),
      },
      endpoints: [
        {
          route: '/api/checkout',
          method: 'POST',
          latency: 'p95 < 300ms',
          errorRate: '< 1%',
          priority: 'critical',
        },
        {
          route: '/api/products/:id',
          method: 'GET',
          latency: 'p95 < 300ms',
          errorRate: '< 1%',
          priority: 'critical',
        },
      ],
    },
  });
  const { files } = generate(config);
  for (const [rel, content] of files) {
    if (rel.includes('/tests/')) continue;
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }

  // The app: latency and errors as the test says, through the library's Express middleware. A
  // restart is a new process: a new perfwatch() (counters from zero) on the same port.
  startApp = async (port: number) => {
    const pw = perfwatch({ sla: config.sla, defaultMetrics: false });
    const a = express();
    a.use(pw.express({ express }));
    a.post('/api/checkout', async (_req, res) => {
      if (degraded) await new Promise((r) => setTimeout(r, 1200));
      if (failing) res.status(500).json({ error: 'boom' });
      else res.json({ ok: true });
    });
    a.get('/api/products/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    a.get('/metrics', pw.metricsHandler());
    const server: Server = await new Promise((resolve) => {
      const srv = a.listen(port, '127.0.0.1', () => resolve(srv));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  };
  app = await startApp(0);
  const appServer = { url: app.url };
  closers.push(() => app.close());

  const alertmanager = await startAlertmanager(
    path.join(dir, 'provisioning/alertmanager/alertmanager.yml'),
    path.join(dir, 'am-data'),
  );
  prometheus = await startPrometheus({
    dir,
    ruleFiles: [path.join(dir, 'alert-rules/*.yml')],
    targets: [{ job: 'demo', target: new URL(appServer.url).host }],
    scrapeInterval: T.scrape,
    evaluationInterval: T.scrape,
    alertmanager,
    resendDelay: T.resendDelay,
  });

  // ~20 requests/s to each endpoint; slow ones run concurrently, so the rate holds while degraded.
  traffic = (async () => {
    let i = 0;
    const inflight = new Set<Promise<unknown>>();
    while (!stopTraffic) {
      const p = Promise.all([
        fetch(`${appServer.url}/api/checkout`, { method: 'POST' }).then((r) => r.arrayBuffer()),
        fetch(`${appServer.url}/api/products/${i++ % 50}`).then((r) => r.arrayBuffer()),
      ]).catch(() => undefined);
      inflight.add(p);
      void p.then(() => inflight.delete(p));
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(inflight);
  })();
});

afterAll(async () => {
  stopTraffic = true;
  await traffic;
  await killAll();
  for (const c of closers) await c();
  closers = [];
  await new Promise<void>((r) => smtp.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const firingSlas = async () =>
  (await promQuery(prometheus, 'ALERTS{alertstate="firing",sla!=""}')).map(
    (s) => `${s.metric.sla} ${s.metric.severity}`,
  );
const slackPosts = () => hooks.filter((h) => h.path.startsWith('/slack/'));
/** Notifications other than the Watchdog (which Alertmanager sends to Perfwatch's webhook all along). */
const alertHooks = () => hooks.filter((h) => h.body.commonLabels?.alertname !== 'Watchdog');

test('compliant traffic, then a latency breach on a critical endpoint: one emergency stream, resolved after recovery', async () => {
  // Compliant phase: rules have data, nothing fires, nothing is delivered.
  await eventually(
    'SLA recording rules to have traffic',
    async () => {
      const r = await promQuery(
        prometheus,
        `route:http_server_requests:rate${T.window}{sla="post-api-checkout"} > 5`,
      );
      return r.length > 0 ? true : undefined;
    },
    T.wait,
  );
  await new Promise((r) => setTimeout(r, T.settle));
  expect(await firingSlas()).toEqual([]);
  expect(mails).toEqual([]);
  expect(alertHooks()).toEqual([]);

  // Breach: checkout requests take 1.2 s (p95 > 1 s emergency, > 450 ms critical, > 360 ms warning).
  const onset = Date.now();
  degraded = true;
  const firstMail = await eventually('the first email', () => mails[0], T.wait);
  const firstSlack = await eventually('the first Slack post', () => slackPosts()[0], T.wait);
  const mailSeconds = (firstMail.at - onset) / 1000;
  const slackSeconds = (firstSlack.at - onset) / 1000;
  console.log(
    `breach onset → first email ${mailSeconds.toFixed(1)} s, first Slack post ${slackSeconds.toFixed(1)} s ` +
      `(scrape and evaluation ${T.scrape}, window ${T.window}, ${DEFAULT_TIMING ? 'default timers' : 'group_wait 1 s'}, requests take 1.2 s)`,
  );

  // Critical and warning fire in Prometheus too, and are muted by the emergency for the same route/SLA.
  // With the shipped timers critical waits out its `for: 2m`, so this takes T.wait, not the default minute.
  await eventually(
    'critical and warning to fire in Prometheus',
    async () => {
      const f = await firingSlas();
      return f.includes('post-api-checkout critical') && f.includes('post-api-checkout warning')
        ? f
        : undefined;
    },
    T.wait,
  );
  await new Promise((r) => setTimeout(r, 5000));

  // Recovery: fast again; the window empties of slow requests and every level resolves together.
  degraded = false;
  const resolvedMail = await eventually(
    'the resolved email',
    () => mails.find((m) => m.subject.startsWith('[RESOLVED]')),
    T.wait,
    1000,
  );
  await eventually(
    'the resolved Slack post',
    () => slackPosts().find((h) => h.body.attachments?.[0].title.startsWith('[RESOLVED]')),
    T.wait,
  );
  await new Promise((r) => setTimeout(r, T.settle / 2));

  // Exactly one stream: one firing and one resolved message per channel, all emergency, checkout only.
  expect(mails.map((m) => m.subject)).toEqual([
    '[FIRING:1] EMERGENCY SLALatency POST /api/checkout',
    '[RESOLVED] EMERGENCY SLALatency POST /api/checkout',
  ]);
  expect(slackPosts().map((h) => h.body.attachments![0].title)).toEqual([
    '[FIRING:1] EMERGENCY SLALatency POST /api/checkout',
    '[RESOLVED] EMERGENCY SLALatency POST /api/checkout',
  ]);
  expect(firstMail.to).toBe('ops@test.example, oncall@test.example');
  expect(firstMail.text).toMatch(
    /Endpoint:\s+POST \/api\/checkout \(SLA post-api-checkout\), priority critical/,
  );
  expect(firstMail.text).toMatch(/Current:\s+1\.\d+s/);
  expect(firstMail.text).toMatch(/Target:\s+p95 < 300ms/);
  expect(firstMail.text).toMatch(/When:\s+since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  expect(firstMail.text).toMatch(
    new RegExp(`Impact:\\s+\\d+(\\.\\d+)?% of requests took longer than 300ms over the last ${T.window}`),
  );
  expect(firstMail.text).toContain(
    'Dashboard: http://grafana.test:3000/d/perfwatch-http/perfwatch-http?var-route=%2Fapi%2Fcheckout',
  );
  expect(firstMail.text).toContain('Runbook:   http://runbooks.test/alerting.md#slalatency');
  expect(firstMail.html).toContain('<a href="http://runbooks.test/alerting.md#slalatency">Runbook</a>');
  expect(resolvedMail.text).toMatch(/When:\s+since .* UTC, resolved \d\d:\d\d:\d\d UTC after (?:\d+m)?\d+s/);

  const slack = firstSlack.body;
  expect(slack.channel).toBe('#incidents');
  expect(slack.attachments![0].color).toBe('danger');
  expect(slack.attachments![0].title_link).toBe(
    'http://grafana.test:3000/d/perfwatch-http/perfwatch-http?var-route=%2Fapi%2Fcheckout',
  );
  expect(slack.attachments![0].text).toContain('• Endpoint: `POST /api/checkout` (SLA post-api-checkout)');
  expect(slack.attachments![0].text).toMatch(/• Current: 1\.\d+s · Target: p95 < 300ms/);
  expect(slack.attachments![0].text).toContain('<http://runbooks.test/alerting.md#slalatency|Runbook>');
  expect(slackPosts()[1].body.attachments![0].color).toBe('good');

  // The on-call and Perfwatch webhooks got the same stream, with the tokens from the credentials files.
  const oncall = hooks.filter((h) => h.path === '/oncall');
  expect(oncall.map((h) => h.body.status)).toEqual(['firing', 'resolved']);
  expect(oncall.every((h) => h.authorization === `Bearer ${ONCALL_TOKEN}`)).toBe(true);
  const perfwatchHooks = alertHooks().filter((h) => h.path === '/api/v1/alertmanager/webhook');
  expect(perfwatchHooks.map((h) => `${h.body.status} ${h.body.commonLabels?.severity}`)).toEqual([
    'firing emergency',
    'resolved emergency',
  ]);
  expect(perfwatchHooks.every((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);

  // The compliant endpoint never appeared anywhere.
  const everything = JSON.stringify({ mails, hooks: alertHooks() });
  expect(everything).not.toContain('/api/products/:id');
  expect(mailSeconds).toBeLessThan(60);
});

test('an app crash in the middle of an error breach keeps the page and its incident open; recovery resolves both', async () => {
  const pages = async () =>
    (
      await promQuery(prometheus, 'ALERTS{alertstate="firing",alertname="SLAErrors",severity="emergency"}')
    ).map((x) => x.metric.sla);
  const incidents = async () => {
    const r = await perfwatchService.api(
      '/api/v1/incidents?label=alertname%3DSLAErrors&label=sla%3Dpost-api-checkout',
      { scope: 'read' },
    );
    return ((await r.json()) as { items: Array<{ id: number; status: string }> }).items;
  };
  const resolvedToPerfwatch = () =>
    alertHooks().filter(
      (h) =>
        h.path === '/api/v1/alertmanager/webhook' &&
        h.body.status === 'resolved' &&
        h.body.commonLabels?.alertname === 'SLAErrors',
    );

  // Breach: every checkout fails; the error emergency pages and Perfwatch opens its incident.
  failing = true;
  await eventually(
    'the error page',
    async () => ((await pages()).includes('post-api-checkout') ? true : undefined),
    T.wait,
  );
  const [opened] = await eventually(
    'the incident',
    async () => ((await incidents()).some((i) => i.status !== 'resolved') ? incidents() : undefined),
    T.wait,
  );
  expect(opened.status).not.toBe('resolved');

  // Crash mid-breach: no scrape succeeds, every series of the app goes stale.
  const port = Number(new URL(app.url).port);
  await app.close();
  await eventually(
    'Prometheus to see the app down',
    async () => ((await promQuery(prometheus, 'up{job="demo"} == 0')).length > 0 ? true : undefined),
    T.wait,
  );
  // Longer than the window and keep_firing_for together: without the hold the page would resolve.
  await new Promise((r) => setTimeout(r, T.settle * 2));
  expect(await pages()).toContain('post-api-checkout');
  expect((await incidents()).find((i) => i.id === opened.id)?.status).not.toBe('resolved');
  expect(resolvedToPerfwatch()).toEqual([]);

  // Recovery: the app is back (a new process) and healthy; the page resolves and so does the incident.
  failing = false;
  app = await startApp(port);
  await eventually(
    'the page to resolve',
    async () => ((await pages()).includes('post-api-checkout') ? undefined : true),
    T.wait,
  );
  await eventually(
    'the incident to resolve',
    async () =>
      (await incidents()).find((i) => i.id === opened.id)?.status === 'resolved' ? true : undefined,
    T.wait,
  );
  expect(resolvedToPerfwatch().length).toBeGreaterThan(0);
});
