import net from 'node:net';
import { IncidentRepository } from '../src/incidents/repository';
import { amPayload } from './support/alertmanager';
import { startTestService, type TestService } from './support/service';

interface Incident {
  id: number;
  title: string;
  status: string;
  severity: string;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  assignee: string | null;
  labels: Record<string, string>;
  resolutionNote: string | null;
  source: string;
}
interface Detail extends Incident {
  timeline: Array<{ kind: string; author: string; tokenName: string | null; message: string; data: unknown }>;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ incidents: { diagnostics: { enabled: false } } });
});
afterAll(() => svc.close());

const json = (body: unknown, user?: string): RequestInit & { scope: 'write' } => ({
  method: 'POST',
  body: JSON.stringify(body),
  scope: 'write',
  headers: user ? { 'X-Grafana-User': user } : {},
});

async function create(body: Record<string, unknown> = {}, user = 'alice'): Promise<Incident> {
  const res = await svc.api(
    '/api/v1/incidents',
    json({ title: 'Checkout is slow', severity: 'high', ...body }, user),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as Incident;
}

const act = (id: number, action: string, body: unknown = {}, user = 'alice') =>
  svc.api(`/api/v1/incidents/${id}/${action}`, json(body, user));

async function detail(id: number): Promise<Detail> {
  return (await (await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' })).json()) as Detail;
}

describe('manual incidents and actions', () => {
  test('creating an incident answers 201 with its location and records who opened it', async () => {
    const res = await svc.api(
      '/api/v1/incidents',
      json({ title: 'Payments failing', severity: 'critical', labels: { team: 'pay' } }, 'alice'),
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as Incident;
    expect(res.headers.get('location')).toBe(`/api/v1/incidents/${body.id}`);
    expect(body).toMatchObject({
      status: 'investigating',
      severity: 'critical',
      source: 'manual',
      labels: { team: 'pay' },
    });
    const d = await detail(body.id);
    expect(d.timeline).toEqual([
      expect.objectContaining({
        kind: 'opened',
        author: 'alice',
        tokenName: 'writer',
        message: 'Opened by alice: Payments failing',
      }),
    ]);
  });

  test('without the user header the token name is the author', async () => {
    const res = await svc.api('/api/v1/incidents', json({ title: 'No header', severity: 'low' }));
    const d = await detail(((await res.json()) as Incident).id);
    expect(d.timeline[0].author).toBe('writer');
  });

  test('a UTF-8 user name from Grafana is recorded as sent', async () => {
    const i = await create();
    const res = await fetch(`${svc.url}/api/v1/incidents/${i.id}/notes`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer write-token-0123456789abcdef',
        'content-type': 'application/json',
        // fetch sends header values as bytes; Grafana sends the login's UTF-8 bytes the same way.
        'x-grafana-user': Buffer.from('józef', 'utf8').toString('latin1'),
      },
      body: JSON.stringify({ text: 'looking' }),
    });
    expect(res.status).toBe(200);
    expect((await detail(i.id)).timeline.at(-1)!.author).toBe('józef');
  });

  test('acknowledge then acknowledge again is a 409 naming the first acknowledger', async () => {
    const i = await create();
    const ok = await act(i.id, 'acknowledge', {}, 'alice');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ acknowledged: true, acknowledgedBy: 'alice' });
    const again = await act(i.id, 'acknowledge', {}, 'bob');
    expect(again.status).toBe(409);
    const body = (await again.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_transition');
    expect(body.error.message).toMatch(new RegExp(`^incident ${i.id} is already acknowledged by alice at `));
  });

  test('unacknowledge withdraws the acknowledgement', async () => {
    const i = await create();
    await act(i.id, 'acknowledge');
    const res = await act(i.id, 'unacknowledge', {}, 'bob');
    expect(await res.json()).toMatchObject({ acknowledged: false, acknowledgedBy: null });
    expect((await act(i.id, 'unacknowledge')).status).toBe(409);
  });

  test('status moves through the lifecycle and each change is on the timeline', async () => {
    const i = await create();
    expect(
      await (await act(i.id, 'status', { status: 'identified', note: 'bad deploy' })).json(),
    ).toMatchObject({
      status: 'identified',
    });
    await act(i.id, 'status', { status: 'monitoring' });
    const resolved = await act(i.id, 'resolve', { note: 'rolled back 1.4.2' }, 'bob');
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolutionNote: 'rolled back 1.4.2' });
    const d = await detail(i.id);
    expect(d.timeline.map((e) => [e.kind, e.author, e.message])).toEqual([
      ['opened', 'alice', 'Opened by alice: Checkout is slow'],
      ['statusChanged', 'alice', 'Status changed from investigating to identified: bad deploy'],
      ['statusChanged', 'alice', 'Status changed from identified to monitoring'],
      ['resolved', 'bob', 'Resolved by bob: rolled back 1.4.2'],
    ]);
  });

  test('a resolved incident moved to monitoring is a 409 with a clear message', async () => {
    const i = await create();
    await act(i.id, 'resolve');
    const res = await act(i.id, 'status', { status: 'monitoring' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toBe(
      `incident ${i.id} is resolved; it can only be reopened as investigating, not moved to monitoring directly`,
    );
  });

  test('a resolved incident set to investigating is reopened', async () => {
    const i = await create();
    await act(i.id, 'resolve');
    const res = await act(i.id, 'status', { status: 'investigating' });
    expect(await res.json()).toMatchObject({ status: 'investigating', reopenCount: 1, resolvedAt: null });
  });

  test('an unknown status is a 400 naming the field', async () => {
    const i = await create();
    const res = await act(i.id, 'status', { status: 'closed' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^invalid status request: status: /);
  });

  test('assign, reassign and unassign', async () => {
    const i = await create();
    expect(await (await act(i.id, 'assign', { assignee: 'carol' })).json()).toMatchObject({
      assignee: 'carol',
    });
    expect((await act(i.id, 'assign', { assignee: 'carol' })).status).toBe(409);
    expect(await (await act(i.id, 'assign', { assignee: null })).json()).toMatchObject({ assignee: null });
  });

  test('severity change and note are recorded', async () => {
    const i = await create();
    await act(i.id, 'severity', { severity: 'critical', note: 'all regions' });
    await act(i.id, 'notes', { text: 'DB failover started' }, 'dave');
    const d = await detail(i.id);
    expect(d.severity).toBe('critical');
    expect(d.timeline.slice(-2).map((e) => [e.kind, e.author, e.message])).toEqual([
      ['severityChanged', 'alice', 'Severity changed from high to critical: all regions'],
      ['note', 'dave', 'DB failover started'],
    ]);
  });

  test('an empty note is refused', async () => {
    const i = await create();
    expect((await act(i.id, 'notes', { text: '   ' })).status).toBe(400);
  });

  test('an unknown incident is a 404 and a non-numeric id a 400', async () => {
    expect((await svc.api('/api/v1/incidents/999999', { scope: 'read' })).status).toBe(404);
    expect((await act(999999, 'acknowledge')).status).toBe(404);
    const res = await svc.api('/api/v1/incidents/abc', { scope: 'read' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^invalid incident id/);
  });

  test('a read token cannot change incidents', async () => {
    const i = await create();
    const res = await svc.api(`/api/v1/incidents/${i.id}/acknowledge`, {
      method: 'POST',
      body: '{}',
      scope: 'read',
    });
    expect(res.status).toBe(403);
  });
});

describe('bulk actions', () => {
  test('bulk acknowledge reports each incident, refusals included', async () => {
    const a = await create();
    const b = await create();
    await act(b.id, 'acknowledge', {}, 'bob');
    const res = await svc.api(
      '/api/v1/incidents/bulk/acknowledge',
      json({ ids: [a.id, b.id, 987654] }, 'carol'),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      succeeded: number;
      failed: number;
      results: Array<{ id: number; ok: boolean; error?: { status: number; code: string } }>;
    };
    expect(body.succeeded).toBe(1);
    expect(body.failed).toBe(2);
    expect(body.results.map((r) => [r.id, r.ok, r.error?.status])).toEqual([
      [a.id, true, undefined],
      [b.id, false, 409],
      [987654, false, 404],
    ]);
    expect((await detail(a.id)).acknowledgedBy).toBe('carol');
  });

  test('bulk resolve applies one resolution note to every incident', async () => {
    const ids = [(await create()).id, (await create()).id];
    const res = await svc.api('/api/v1/incidents/bulk/resolve', json({ ids, note: 'upstream outage over' }));
    expect(((await res.json()) as { succeeded: number }).succeeded).toBe(2);
    for (const id of ids)
      expect(await detail(id)).toMatchObject({ status: 'resolved', resolutionNote: 'upstream outage over' });
  });

  test('bulk with repeated ids is a 400', async () => {
    const res = await svc.api('/api/v1/incidents/bulk/resolve', json({ ids: [1, 1] }));
    expect(res.status).toBe(400);
  });
});

describe('listing', () => {
  let svc2: TestService;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    svc2 = await startTestService({ incidents: { diagnostics: { enabled: false } } });
    const repo = new IncidentRepository(svc2.ctx.store);
    const actor = { name: 'alice', tokenName: 'writer' };
    const day = 86_400_000;
    const t = Date.parse('2026-04-01T00:00:00Z');
    ids.a = (
      await repo.create(
        { title: 'Checkout latency', severity: 'high', labels: { team: 'shop', route: '/checkout' } },
        actor,
        t,
      )
    ).id;
    ids.b = (
      await repo.create(
        { title: 'Login errors', severity: 'critical', labels: { team: 'auth' } },
        actor,
        t + day,
      )
    ).id;
    ids.c = (
      await repo.create(
        { title: 'Disk almost full', severity: 'low', labels: { team: 'shop' } },
        actor,
        t + 2 * day,
      )
    ).id;
    await repo.act(ids.a, { type: 'resolve' }, actor, t + day / 2);
    await repo.act(ids.b, { type: 'acknowledge' }, actor, t + day + 1000);
    await repo.act(ids.c, { type: 'assign', assignee: 'carol' }, actor, t + 2 * day + 1000);
  });
  afterAll(() => svc2.close());

  const list = async (query: string) => {
    const res = await svc2.api(`/api/v1/incidents?${query}`, { scope: 'read' });
    expect(res.status).toBe(200);
    return (await res.json()) as { total: number; items: Incident[] };
  };
  const titles = async (query: string) => (await list(query)).items.map((i) => i.title);

  test('newest first by default', async () => {
    expect(await titles('')).toEqual(['Disk almost full', 'Login errors', 'Checkout latency']);
  });

  test('status open means every status but resolved', async () => {
    expect(await titles('status=open')).toEqual(['Disk almost full', 'Login errors']);
    expect(await titles('status=resolved')).toEqual(['Checkout latency']);
  });

  test('severity filter takes a list', async () => {
    expect(await titles('severity=critical,high&sort=severity&order=desc')).toEqual([
      'Login errors',
      'Checkout latency',
    ]);
  });

  test('label filters must all match', async () => {
    expect(await titles('label=team=shop')).toEqual(['Disk almost full', 'Checkout latency']);
    expect(await titles('label=team=shop&label=route=/checkout')).toEqual(['Checkout latency']);
  });

  test('text search covers titles and label values', async () => {
    expect(await titles('q=LOGIN')).toEqual(['Login errors']);
    expect(await titles('q=checkout')).toEqual(['Checkout latency']);
  });

  test('a time range returns incidents active during it', async () => {
    // 2026-04-01T18:00 → 2026-04-02T06:00: A resolved at 12:00 on the 1st, B opened on the 2nd at 00:00.
    expect(await titles('from=2026-04-01T18:00:00Z&to=2026-04-02T06:00:00Z')).toEqual(['Login errors']);
  });

  test('acknowledged and assignee filters', async () => {
    expect(await titles('acknowledged=true')).toEqual(['Login errors']);
    expect(await titles('assignee=carol')).toEqual(['Disk almost full']);
  });

  test('pagination returns the total and one page', async () => {
    const page = await list('sort=createdAt&order=asc&limit=1&offset=1');
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.title)).toEqual(['Login errors']);
  });

  test('an unknown sort key is a 400 naming the field', async () => {
    const res = await svc2.api('/api/v1/incidents?sort=loudness', { scope: 'read' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^invalid incident filter: sort: /);
  });

  test('stats over a period count by severity and status with MTTA and MTTR', async () => {
    const res = await svc2.api('/api/v1/incidents/stats?from=2026-04-01T00:00:00Z&to=2026-04-05T00:00:00Z', {
      scope: 'read',
    });
    const s = (await res.json()) as Record<string, unknown>;
    expect(s).toMatchObject({
      from: '2026-04-01T00:00:00.000Z',
      total: 3,
      open: 2,
      unacknowledged: 1,
      bySeverity: { low: 1, medium: 0, high: 1, critical: 1 },
      mtta: { count: 1, meanSeconds: 1 },
      mttr: { count: 1, meanSeconds: 43_200 },
      truncated: false,
    });
  });
});

describe('silences without Alertmanager', () => {
  test('silencing when alertmanager.url is not set is a 422 saying what to configure', async () => {
    await svc.api('/api/v1/alertmanager/webhook', {
      method: 'POST',
      scope: 'alertmanager',
      body: JSON.stringify(
        amPayload('{}:{alertname="Unsilenceable"}', [{ labels: { alertname: 'Unsilenceable' } }]),
      ),
    });
    const list = (await (
      await svc.api('/api/v1/incidents?label=alertname=Unsilenceable', { scope: 'read' })
    ).json()) as {
      items: Incident[];
    };
    const res = await act(list.items[0].id, 'silence', { durationMinutes: 60 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error).toEqual({
      code: 'alertmanager_not_configured',
      message:
        'silencing needs Alertmanager: set alertmanager.url in perfwatch.yml or PERFWATCH_ALERTMANAGER_URL',
    });
  });

  test('silencing when Alertmanager does not answer is a 502 and records nothing', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const svc3 = await startTestService({
      alertmanager: { url: `http://127.0.0.1:${closed}` },
      incidents: { diagnostics: { enabled: false } },
    });
    try {
      await svc3.api('/api/v1/alertmanager/webhook', {
        method: 'POST',
        scope: 'alertmanager',
        body: JSON.stringify(amPayload('{}:{a}', [{ labels: { alertname: 'A' } }])),
      });
      const res = await svc3.api('/api/v1/incidents/1/silence', {
        method: 'POST',
        scope: 'write',
        body: JSON.stringify({ durationMinutes: 30 }),
      });
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(
        /^Alertmanager at http:\/\/127\.0\.0\.1:\d+ is unreachable/,
      );
      const d = (await (await svc3.api('/api/v1/incidents/1', { scope: 'read' })).json()) as Detail;
      expect(d.timeline.map((e) => e.kind)).not.toContain('silenced');
    } finally {
      await svc3.close();
    }
  });

  test('unsilencing an incident never silenced is a 409', async () => {
    const svc4 = await startTestService({
      alertmanager: { url: 'http://127.0.0.1:9' },
      incidents: { diagnostics: { enabled: false } },
    });
    try {
      const created = (await (
        await svc4.api('/api/v1/incidents', {
          method: 'POST',
          scope: 'write',
          body: JSON.stringify({ title: 't' }),
        })
      ).json()) as Incident;
      const res = await svc4.api(`/api/v1/incidents/${created.id}/unsilence`, {
        method: 'POST',
        scope: 'write',
      });
      expect(res.status).toBe(409);
    } finally {
      await svc4.close();
    }
  });
});
