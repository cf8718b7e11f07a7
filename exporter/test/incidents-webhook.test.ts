import { amPayload } from './support/alertmanager';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ incidents: { diagnostics: { enabled: false } } });
});
afterAll(() => svc.close());

let seq = 0;
/** A group key and labels no other test uses. */
function unique() {
  seq++;
  return { groupKey: `{}:{alertname="Webhook${seq}"}`, alertname: `Webhook${seq}` };
}

const post = (body: unknown, scope: 'alertmanager' | 'read' | 'write' | null = 'alertmanager') =>
  svc.api('/api/v1/alertmanager/webhook', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    scope: scope ?? undefined,
  });

async function incidentsFor(alertname: string) {
  const res = await svc.api(`/api/v1/incidents?label=alertname=${alertname}&limit=500`, { scope: 'read' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<{ id: number }> }).items;
}

async function detail(id: number) {
  const res = await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    severity: string;
    alertsState: string;
    title: string;
    labels: Record<string, string>;
    alerts: Array<{ fingerprint: string; status: string; runbookUrl: string | null; startsAt: string }>;
    timeline: Array<{ kind: string; author: string; message: string }>;
    notificationCount: number;
  };
}

describe('POST /api/v1/alertmanager/webhook', () => {
  test('a firing group opens one incident with its alerts and timeline', async () => {
    const { groupKey, alertname } = unique();
    const res = await post(
      amPayload(groupKey, [
        {
          labels: { alertname, severity: 'warning', route: '/api/calls', service: 'api' },
          annotations: { summary: 'p95 of /api/calls above 200ms', runbook_url: 'https://runbooks/latency' },
        },
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { incidents: Array<{ id: number; action: string; severity: string }> };
    expect(body.incidents).toEqual([{ id: expect.any(Number), action: 'opened', severity: 'medium' }]);
    const d = await detail(body.incidents[0].id);
    expect(d).toMatchObject({ status: 'investigating', severity: 'medium', alertsState: 'firing' });
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0].runbookUrl).toBe('https://runbooks/latency');
    expect(d.timeline.map((e) => e.kind)).toEqual(['opened', 'notified', 'alertFired']);
    expect(d.timeline.every((e) => e.author === 'alertmanager')).toBe(true);
  });

  test('a retried or repeated notification adds no incident and no event, only a repeat count', async () => {
    const { groupKey, alertname } = unique();
    const payload = amPayload(groupKey, [{ labels: { alertname, severity: 'critical' } }]);
    for (let i = 0; i < 3; i++) expect((await post(payload)).status).toBe(200);
    const list = await incidentsFor(alertname);
    expect(list).toHaveLength(1);
    const d = await detail(list[0].id);
    expect(d.timeline.map((e) => e.kind)).toEqual(['opened', 'notified', 'alertFired']);
    expect(d.notificationCount).toBe(3);
  });

  test('a resolved group resolves its incident', async () => {
    const { groupKey, alertname } = unique();
    const labels = { alertname, severity: 'warning' };
    await post(amPayload(groupKey, [{ labels }]));
    const res = await post(amPayload(groupKey, [{ labels, status: 'resolved' }]));
    expect(((await res.json()) as { incidents: Array<{ action: string }> }).incidents[0].action).toBe(
      'resolved',
    );
    const [{ id }] = await incidentsFor(alertname);
    const d = await detail(id);
    expect(d).toMatchObject({ status: 'resolved', alertsState: 'resolved' });
    expect(d.timeline.map((e) => e.kind)).toEqual([
      'opened',
      'notified',
      'alertFired',
      'notified',
      'alertResolved',
      'resolved',
    ]);
  });

  test('a group that fires again soon after resolving reopens its incident', async () => {
    const { groupKey, alertname } = unique();
    const labels = { alertname, severity: 'warning' };
    await post(amPayload(groupKey, [{ labels }]));
    await post(amPayload(groupKey, [{ labels, status: 'resolved' }]));
    const res = await post(amPayload(groupKey, [{ labels, startsAt: '2026-01-01T11:00:00Z' }]));
    expect(((await res.json()) as { incidents: Array<{ action: string }> }).incidents[0].action).toBe(
      'reopened',
    );
    const list = await incidentsFor(alertname);
    expect(list).toHaveLength(1);
    const d = await detail(list[0].id);
    expect(d.status).toBe('investigating');
    expect(d.timeline.map((e) => e.kind)).toEqual([
      'opened',
      'notified',
      'alertFired',
      'notified',
      'alertResolved',
      'resolved',
      'notified',
      'reopened',
      'alertFired',
    ]);
  });

  test('a late firing copy of an alert already resolved changes nothing', async () => {
    const { groupKey, alertname } = unique();
    const labels = { alertname, severity: 'warning' };
    const firing = amPayload(groupKey, [{ labels }]);
    await post(firing);
    await post(amPayload(groupKey, [{ labels, status: 'resolved' }]));
    const res = await post(firing);
    expect(((await res.json()) as { incidents: Array<{ action: string }> }).incidents[0].action).toBe(
      'unchanged',
    );
    const [{ id }] = await incidentsFor(alertname);
    expect((await detail(id)).status).toBe('resolved');
  });

  test('a more severe alert joining the group raises the severity on the timeline', async () => {
    const { groupKey, alertname } = unique();
    await post(amPayload(groupKey, [{ labels: { alertname, severity: 'warning' } }]));
    await post(
      amPayload(groupKey, [
        { labels: { alertname, severity: 'warning' } },
        { labels: { alertname, severity: 'emergency' } },
      ]),
    );
    const [{ id }] = await incidentsFor(alertname);
    const d = await detail(id);
    expect(d.severity).toBe('critical');
    const change = d.timeline.find((e) => e.kind === 'severityChanged')!;
    expect(change.message).toBe(`Severity raised from medium to critical by alert ${alertname}`);
  });

  test('only a group whose every alert resolved is resolved', async () => {
    const { groupKey, alertname } = unique();
    const a = { alertname, severity: 'warning', instance: 'a' };
    const b = { alertname, severity: 'warning', instance: 'b' };
    await post(amPayload(groupKey, [{ labels: a }, { labels: b }]));
    await post(amPayload(groupKey, [{ labels: a, status: 'resolved' }, { labels: b }]));
    const [{ id }] = await incidentsFor(alertname);
    expect(await detail(id)).toMatchObject({ status: 'investigating', alertsState: 'firing' });
    await post(amPayload(groupKey, [{ labels: b, status: 'resolved' }]));
    expect((await detail(id)).status).toBe('resolved');
  });

  test('a resolved notification for a group never seen firing opens nothing', async () => {
    const { groupKey, alertname } = unique();
    const res = await post(amPayload(groupKey, [{ labels: { alertname }, status: 'resolved' }]));
    expect(await res.json()).toMatchObject({ incidents: [], ignoredGroups: 1 });
    expect(await incidentsFor(alertname)).toEqual([]);
  });

  test('fields newer Alertmanager releases add are ignored', async () => {
    const { groupKey, alertname } = unique();
    const res = await post({
      ...amPayload(groupKey, [{ labels: { alertname } }]),
      notification_reason: 'new_alerts',
    });
    expect(res.status).toBe(200);
  });

  test('processed notifications and changes are counted in self-metrics', async () => {
    const { groupKey, alertname } = unique();
    await post(amPayload(groupKey, [{ labels: { alertname } }]));
    const text = await (await svc.api('/metrics')).text();
    expect(
      series(text, 'perfwatch_alertmanager_notifications_total', { outcome: 'processed' })[0].value,
    ).toBeGreaterThan(0);
    expect(series(text, 'perfwatch_incident_changes_total', { action: 'opened' })[0].value).toBeGreaterThan(
      0,
    );
  });
});

describe('webhook payload validation', () => {
  const valid = () => amPayload(unique().groupKey, [{ labels: { alertname: 'Validation' } }]);

  test('malformed JSON is a 400 JSON error', async () => {
    const res = await post('{"version": "4", ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  test('a payload without alerts is refused naming the field', async () => {
    const { alerts: _omit, ...rest } = valid();
    const res = await post(rest);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^invalid Alertmanager notification: alerts: /,
    );
  });

  test('an alert with an unknown status is refused naming the field', async () => {
    const p = valid();
    const res = await post({ ...p, alerts: [{ ...p.alerts[0], status: 'pending' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/alerts\.0\.status/);
  });

  test('an unparseable startsAt is refused naming the field', async () => {
    const p = valid();
    const res = await post({ ...p, alerts: [{ ...p.alerts[0], startsAt: 'yesterday' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /alerts\.0\.startsAt: expected an RFC 3339 time/,
    );
  });

  test('another payload version is refused with 422', async () => {
    const res = await post({ ...valid(), version: '5' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_version' } });
  });

  test('an oversized body is refused with 413', async () => {
    const p = valid();
    const huge = { ...p, commonAnnotations: { description: 'x'.repeat(1_100_000) } };
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });

  test('an over-long annotation is cut, stored, and the cut counted', async () => {
    const { groupKey, alertname } = unique();
    const res = await post(
      amPayload(groupKey, [{ labels: { alertname }, annotations: { description: 'y'.repeat(20_000) } }]),
    );
    expect(res.status).toBe(200);
    const text = await (await svc.api('/metrics')).text();
    expect(
      series(text, 'perfwatch_dropped_total', {
        component: 'alertmanager_webhook',
        reason: 'annotation_truncated',
      })[0].value,
    ).toBeGreaterThan(0);
  });

  test('a token without the alertmanager scope is refused with 403', async () => {
    const res = await post(valid(), 'write');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /lacks the "alertmanager" scope/,
    );
  });

  test('no token is refused with 401', async () => {
    const res = await post(valid(), null);
    expect(res.status).toBe(401);
  });

  test('the alertmanager token cannot read incidents', async () => {
    const res = await svc.api('/api/v1/incidents', { scope: 'alertmanager' });
    expect(res.status).toBe(403);
  });

  test('invalid notifications are counted', async () => {
    await post({ version: '4' });
    const text = await (await svc.api('/metrics')).text();
    expect(
      series(text, 'perfwatch_alertmanager_notifications_total', { outcome: 'invalid' })[0].value,
    ).toBeGreaterThan(0);
  });
});

describe('grouping modes', () => {
  let byAlert: TestService;
  let byLabels: TestService;
  let marking: TestService;
  beforeAll(async () => {
    [byAlert, byLabels, marking] = await Promise.all([
      startTestService({ incidents: { groupBy: 'alert', diagnostics: { enabled: false } } }),
      startTestService({
        incidents: {
          groupBy: 'labels',
          groupLabels: ['alertname', 'route'],
          diagnostics: { enabled: false },
        },
      }),
      startTestService({ incidents: { onAlertsResolved: 'mark', diagnostics: { enabled: false } } }),
    ]);
  });
  afterAll(() => Promise.all([byAlert.close(), byLabels.close(), marking.close()]));

  const send = (s: TestService, body: unknown) =>
    s.api('/api/v1/alertmanager/webhook', {
      method: 'POST',
      body: JSON.stringify(body),
      scope: 'alertmanager',
    });
  const list = async (s: TestService) =>
    (
      (await (await s.api('/api/v1/incidents', { scope: 'read' })).json()) as {
        items: Array<{ id: number; severity: string; status: string; alertsState: string }>;
      }
    ).items;

  test('groupBy alert opens one incident per alert fingerprint', async () => {
    await send(
      byAlert,
      amPayload('{}:{alertname="X"}', [
        { labels: { alertname: 'X', instance: 'a' } },
        { labels: { alertname: 'X', instance: 'b' } },
      ]),
    );
    expect(await list(byAlert)).toHaveLength(2);
  });

  test('groupBy labels keeps a critical → emergency escalation routed elsewhere in one incident', async () => {
    const labels = { alertname: 'SLALatency', route: '/api/calls' };
    await send(
      byLabels,
      amPayload('{}/{severity="critical"}:{x}', [{ labels: { ...labels, severity: 'critical' } }]),
    );
    await send(
      byLabels,
      amPayload('{}/{severity="emergency"}:{x}', [{ labels: { ...labels, severity: 'emergency' } }]),
    );
    const items = await list(byLabels);
    expect(items).toHaveLength(1);
    expect(items[0].severity).toBe('critical');
  });

  test('onAlertsResolved mark keeps the incident open and marks its alerts resolved', async () => {
    const labels = { alertname: 'Marked' };
    await send(marking, amPayload('{}:{m}', [{ labels }]));
    await send(marking, amPayload('{}:{m}', [{ labels, status: 'resolved' }]));
    const [item] = await list(marking);
    expect(item).toMatchObject({ status: 'investigating', alertsState: 'resolved' });
    const d = (await (await marking.api(`/api/v1/incidents/${item.id}`, { scope: 'read' })).json()) as {
      timeline: Array<{ kind: string }>;
    };
    expect(d.timeline.at(-1)!.kind).toBe('alertsResolved');
  });
});
