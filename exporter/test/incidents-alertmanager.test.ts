/**
 * Live test: a real Alertmanager 0.25 on loopback notifies the service through its webhook receiver.
 * Alerts are pushed with Alertmanager's API v2, as Prometheus would. Between Alertmanager and the
 * service a small proxy counts deliveries and answers the first one with 503 after the service has
 * stored it, so Alertmanager retries a notification that was in fact processed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, killAll, start, waitForHttp } from '../library/test/support/processes';
import { startTestService, type TestService, TOKENS } from './support/service';

jest.setTimeout(120_000);

const RUN = `live${process.pid}${Date.now() % 100_000}`;
const ALERTNAME = `PerfwatchLive_${RUN}`;
const REPEAT_SECONDS = 2;

interface Incident {
  id: number;
  status: string;
  severity: string;
  reopenCount: number;
  resolvedBy: string | null;
}
interface Detail extends Incident {
  alerts: Array<{ fingerprint: string; status: string }>;
  timeline: Array<{ kind: string; author: string; message: string; data: Record<string, unknown> | null }>;
}
interface Delivery {
  status: string;
  alerts: number;
}

let dir: string;
let svc: TestService;
let proxy: http.Server;
let amUrl: string;
const deliveries: Delivery[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-am-'));
  const amPort = await freePort();
  amUrl = `http://127.0.0.1:${amPort}`;
  svc = await startTestService({ alertmanager: { url: amUrl } });

  // The proxy Alertmanager posts to: forwards to the service, counts, and loses the first answer.
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const upstream = await fetch(`${svc.url}${req.url}`, {
        method: 'POST',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        body,
      });
      const text = await upstream.text();
      const payload = JSON.parse(body) as { status: string; alerts: unknown[] };
      deliveries.push({ status: payload.status, alerts: payload.alerts.length });
      if (deliveries.length === 1 && upstream.ok) {
        res.writeHead(503).end('lost answer');
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyPort = (proxy.address() as AddressInfo).port;

  const config = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    `route:
  receiver: perfwatch
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: ${REPEAT_SECONDS}s
receivers:
  - name: perfwatch
    webhook_configs:
      - url: http://127.0.0.1:${proxyPort}/api/v1/alertmanager/webhook
        send_resolved: true
        max_alerts: 50
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKENS.alertmanager}
`,
  );
  execFileSync('amtool', ['check-config', config], { stdio: 'pipe' });
  start('prometheus-alertmanager', [
    `--config.file=${config}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  await waitForHttp(`${amUrl}/-/ready`);
});

afterAll(async () => {
  await killAll();
  await new Promise((r) => proxy?.close(r));
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

function labels(severity: string, instance: string) {
  return { alertname: ALERTNAME, service: 'checkout', route: '/api/calls', severity, instance };
}

/** When each alert instance started firing: Prometheus sends the same startsAt while it fires. */
const startedAt = new Map<string, string>();

/**
 * Pushes alerts as Prometheus does: firing with an end a while ahead, resolved with an end in the
 * past, always with the instance's startsAt (without it Alertmanager takes endsAt as the start).
 */
async function push(alerts: Array<Record<string, string>>, resolve = false) {
  const now = Date.now();
  const body = alerts.map((l) => {
    const key = JSON.stringify(l);
    if (!startedAt.has(key)) startedAt.set(key, new Date(now).toISOString());
    const startsAt = startedAt.get(key)!;
    if (resolve) startedAt.delete(key); // the next firing is a new instance
    return {
      labels: l,
      annotations: { summary: `p95 of /api/calls above 200ms (${l.severity})` },
      startsAt,
      endsAt: new Date(now + (resolve ? -1 : 3_600_000)).toISOString(),
      generatorURL: 'http://prometheus.invalid/graph',
    };
  });
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function incidents(): Promise<Incident[]> {
  const res = await svc.api(`/api/v1/incidents?label=alertname=${ALERTNAME}`, { scope: 'read' });
  return ((await res.json()) as { items: Incident[] }).items;
}
async function detail(id: number): Promise<Detail> {
  return (await (await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' })).json()) as Detail;
}
const kinds = (d: Detail) => d.timeline.filter((e) => e.kind !== 'diagnostics').map((e) => e.kind);

test('Alertmanager drives one incident through its whole life', async () => {
  // 1. A firing group opens one incident.
  await push([labels('warning', 'a')]);
  const [opened] = await eventually('the incident to open', async () => {
    const list = await incidents();
    return list.length > 0 ? list : undefined;
  });
  expect(opened).toMatchObject({ status: 'investigating', severity: 'medium' });
  const id = opened.id;

  // 2. The lost answer is retried and repeats follow: nothing is added but the repeat count.
  await eventually('a retry and two repeats', async () => (deliveries.length >= 4 ? true : undefined));
  expect(await incidents()).toHaveLength(1);
  const repeated = await detail(id);
  expect(kinds(repeated)).toEqual(['opened', 'notified', 'alertFired']);
  expect(repeated.timeline.find((e) => e.kind === 'notified')!.data).toMatchObject({
    receiver: 'perfwatch',
    status: 'firing',
    firing: 1,
    repeats: expect.any(Number),
  });
  expect(repeated.timeline.find((e) => e.kind === 'notified')!.data!.repeats).toBeGreaterThanOrEqual(2);

  // 3. Severity escalates as critical then emergency alerts join the group; the top level is diagnosed.
  await push([labels('warning', 'a'), labels('critical', 'b')]);
  await eventually('severity high', async () => ((await detail(id)).severity === 'high' ? true : undefined));
  await push([labels('warning', 'a'), labels('critical', 'b'), labels('emergency', 'c')]);
  const escalated = await eventually('severity critical with a snapshot', async () => {
    const d = await detail(id);
    return d.severity === 'critical' && d.timeline.some((e) => e.message.includes('escalated to critical'))
      ? d
      : undefined;
  });
  expect(escalated.timeline.filter((e) => e.kind === 'severityChanged').map((e) => e.message)).toEqual([
    `Severity raised from medium to high by alert ${ALERTNAME}`,
    `Severity raised from high to critical by alert ${ALERTNAME}`,
  ]);

  // 4. A silence created through the API exists in Alertmanager and stops the notifications.
  const silenced = await svc.api(`/api/v1/incidents/${id}/silence`, {
    method: 'POST',
    scope: 'write',
    headers: { 'X-Grafana-User': 'oncall-alice' },
    body: JSON.stringify({ durationMinutes: 30, comment: 'deploying the fix' }),
  });
  expect(silenced.status).toBe(200);
  const { silences } = (await silenced.json()) as { silences: Array<{ id: string }> };
  expect(silences).toHaveLength(3);
  const inAm = (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as Array<{
    id: string;
    createdBy: string;
    comment: string;
    status: { state: string };
    matchers: Array<{ name: string; value: string }>;
  }>;
  for (const s of silences) {
    const found = inAm.find((x) => x.id === s.id)!;
    expect(found).toMatchObject({ createdBy: 'oncall-alice', status: { state: 'active' } });
    expect(found.comment).toBe(`Perfwatch incident ${id}: deploying the fix`);
    expect(found.matchers).toContainEqual(expect.objectContaining({ name: 'alertname', value: ALERTNAME }));
  }
  await eventually('every alert suppressed', async () => {
    const alerts = (await (
      await fetch(`${amUrl}/api/v2/alerts?filter=alertname%3D%22${ALERTNAME}%22`)
    ).json()) as Array<{
      status: { state: string };
    }>;
    return alerts.length === 3 && alerts.every((a) => a.status.state === 'suppressed') ? true : undefined;
  });
  await sleep(1500); // a flush already under way may still land
  const before = deliveries.length;
  await sleep(3 * REPEAT_SECONDS * 1000 + 1000);
  expect(deliveries.length).toBe(before);
  expect((await detail(id)).timeline.map((e) => e.kind)).toContain('silenced');

  // Silenced alerts never notify "resolved" (alertmanager#226): lift the silence before resolving.
  const lifted = await svc.api(`/api/v1/incidents/${id}/unsilence`, { method: 'POST', scope: 'write' });
  expect(lifted.status).toBe(200);
  const afterLift = (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as Array<{
    id: string;
    status: { state: string };
  }>;
  for (const s of silences) expect(afterLift.find((x) => x.id === s.id)!.status.state).toBe('expired');

  // 5. The group resolving resolves the incident.
  await push([labels('warning', 'a'), labels('critical', 'b'), labels('emergency', 'c')], true);
  const resolved = await eventually('the incident to resolve', async () => {
    const d = await detail(id);
    return d.status === 'resolved' ? d : undefined;
  });
  expect(resolved.resolvedBy).toBe('alertmanager');
  expect(resolved.alerts.every((a) => a.status === 'resolved')).toBe(true);

  // 6. Firing again soon after reopens the same incident.
  await push([labels('warning', 'a')]);
  const reopened = await eventually('the incident to reopen', async () => {
    const d = await detail(id);
    return d.status === 'investigating' ? d : undefined;
  });
  expect(reopened.reopenCount).toBe(1);
  expect(kinds(reopened).slice(-2)).toEqual(['reopened', 'alertFired']);
  expect(await incidents()).toHaveLength(1);
});
