/**
 * Values a valid token holder can send that used to stop storage, answer 500 or store something the UI
 * must not render (issue 12, items 3 and 9). Each runs against the real service on SQLite and on
 * PostgreSQL, where NUL characters cannot be stored.
 */
import { Registry } from 'prom-client';
import { Recorder } from '@perfwatch/node/internal';
import { loggableError } from '../src/server/errors';
import { openStore } from '../src/store/store';
import { amAlert, amPayload } from './support/alertmanager';
import { pgUrlWithSchema } from '../library/test/support/env';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

const NUL = '\u0000';

describe.each(['sqlite', 'postgres'])('on %s', (kind) => {
  let svc: TestService;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    let store: { url: string } | undefined;
    if (kind === 'postgres') {
      const pg = await pgUrlWithSchema();
      store = { url: pg.url };
      drop = pg.drop;
    }
    svc = await startTestService({ ...(store ? { store } : {}), queries: { flushIntervalMs: 3_600_000 } });
  });
  afterAll(async () => {
    await svc.close();
    await drop?.();
  });

  const events = (list: unknown[]) =>
    svc.api('/api/v1/events', { method: 'POST', scope: 'ingest', body: JSON.stringify({ events: list }) });
  const webhook = (body: unknown) =>
    svc.api('/api/v1/alertmanager/webhook', {
      method: 'POST',
      scope: 'alertmanager',
      body: JSON.stringify(body),
    });

  test('a query event with a NUL character is refused, and slow queries after it are still stored', async () => {
    const bad = await events([
      { kind: 'query', dbSystem: 'postgresql', sql: `select '${NUL}' from nul_${kind}`, durationMs: 500 },
    ]);
    expect(bad.status).toBe(400);
    const report = (await bad.json()) as { rejected: Array<{ reason: string }> };
    expect(report.rejected[0].reason).toMatch(/^sql: must not contain NUL/);
    for (const field of ['route', 'requestId', 'database'])
      expect(
        (
          (await (
            await events([
              { kind: 'query', dbSystem: 'postgresql', sql: 'select 1', durationMs: 500, [field]: `a${NUL}` },
            ])
          ).json()) as { accepted: number }
        ).accepted,
      ).toBe(0);
    const good = await events([
      { kind: 'query', dbSystem: 'postgresql', sql: `select * from after_nul_${kind}`, durationMs: 500 },
    ]);
    expect(good.status).toBe(200);
    const list = (await (
      await svc.api(`/api/v1/slow-queries?q=after_nul_${kind}`, { scope: 'read' })
    ).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);
  });

  test('a sample captured in-process with a NUL character is stored with U+FFFD', async () => {
    const { SlowQueryRepository } = await import('../src/queries/repository');
    const repo = new SlowQueryRepository(svc.ctx.store);
    await repo.insert([
      {
        fingerprintId: '00000000000000aa',
        fingerprint: `select ? from t${NUL}`,
        sample: `select 1 from t${NUL}`,
        durationMs: 200,
        service: null,
        dbSystem: 'postgresql',
        database: null,
        operation: 'SELECT',
        route: `/r${NUL}`,
        requestId: null,
        callSite: null,
        error: false,
        nPlusOne: false,
        sampledOut: 0,
        sampledOutMs: 0,
        capturedAt: Date.now(),
      },
    ]);
    const detail = (await (
      await svc.api('/api/v1/slow-queries/00000000000000aa', { scope: 'read' })
    ).json()) as {
      fingerprint: string;
    };
    expect(detail.fingerprint).toBe('select ? from t\ufffd');
  });

  test('an Alertmanager label or key with a NUL character opens the incident (U+FFFD), not a 500', async () => {
    const res = await webhook(
      amPayload(`{}:{alertname="Nul${kind}"}`, [
        { labels: { alertname: `Nul${kind}`, service: `a${NUL}b`, [`k${NUL}`]: 'v' } },
      ]),
    );
    expect(res.status).toBe(200);
    const { incidents } = (await res.json()) as { incidents: Array<{ id: number }> };
    const incident = (await (
      await svc.api(`/api/v1/incidents/${incidents[0].id}`, { scope: 'read' })
    ).json()) as {
      labels: Record<string, string>;
    };
    expect(incident.labels.service).toBe('a\ufffdb');
  });

  test('an incident title with a NUL character is created with U+FFFD, not a 500', async () => {
    const res = await svc.api('/api/v1/incidents', {
      method: 'POST',
      scope: 'write',
      body: JSON.stringify({ title: `db ${NUL} down` }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { title: string }).title).toBe('db \ufffd down');
  });

  test('two alerts with the same fingerprint in one notification are stored once, not a 500', async () => {
    const alert = { labels: { alertname: `Dup${kind}`, service: 'api' } };
    const body = amPayload(`{}:{alertname="Dup${kind}"}`, [alert]);
    body.alerts = [amAlert(alert), amAlert(alert)];
    const res = await webhook(body);
    expect(res.status).toBe(200);
    const { incidents } = (await res.json()) as { incidents: Array<{ id: number }> };
    const incident = (await (
      await svc.api(`/api/v1/incidents/${incidents[0].id}`, { scope: 'read' })
    ).json()) as {
      alerts: unknown[];
    };
    expect(incident.alerts).toHaveLength(1);
  });

  test('only http(s) runbook and generator links are kept', async () => {
    const body = amPayload(`{}:{alertname="Js${kind}"}`, [
      { labels: { alertname: `Js${kind}` }, annotations: { runbook_url: 'javascript:alert(1)' } },
    ]);
    body.alerts[0].generatorURL = 'javascript:alert(2)';
    body.externalURL = 'data:text/html,x';
    const res = await webhook(body);
    expect(res.status).toBe(200);
    const { incidents } = (await res.json()) as { incidents: Array<{ id: number }> };
    const incident = (await (
      await svc.api(`/api/v1/incidents/${incidents[0].id}`, { scope: 'read' })
    ).json()) as {
      runbookUrl: string | null;
      generatorUrl: string | null;
      externalUrl: string | null;
      alerts: Array<{ runbookUrl: string | null; generatorUrl: string | null }>;
    };
    expect(incident.runbookUrl).toBeNull();
    expect(incident.generatorUrl).toBeNull();
    expect(incident.alerts[0]).toMatchObject({ runbookUrl: null, generatorUrl: null });
    // The annotation itself stays, as text: only the fields the UI renders as links are filtered.
    expect(incident.externalUrl).toBeNull();
  });
});

describe('smaller input checks', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(() => svc.close());

  test.each([
    '/api/v1/slow-queries?to=99999999999999999',
    '/api/v1/slow-queries/0123456789abcdef?from=99999999999999999',
    '/api/v1/incidents?to=99999999999999999',
    '/api/v1/incidents/stats?from=99999999999999999',
  ])('a time beyond what a Date holds is a 400: %s', async (p) => {
    const res = await svc.api(p, { scope: 'read' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/time/);
  });

  test.each(['0x7', '7.0', '1e3', '007', '+7'])('incident id %s is a 400, not incident 7', async (id) => {
    const res = await svc.api(`/api/v1/incidents/${id}`, { scope: 'read' });
    expect(res.status).toBe(400);
  });

  test('an event time of 1 (seconds read as milliseconds) is refused, not dated 1970', async () => {
    const res = await svc.api('/api/v1/events', {
      method: 'POST',
      scope: 'ingest',
      body: JSON.stringify({
        events: [{ kind: 'query', dbSystem: 'mysql', sql: 'select 1', durationMs: 500, time: 1 }],
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { rejected: Array<{ reason: string }> }).rejected[0].reason).toMatch(
      /^time: /,
    );
  });

  test('a label value with a NUL character reaches /metrics as U+FFFD', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    recorder.recordError(`/r${NUL}`, 'E');
    const [s] = series(await registry.metrics(), 'http_server_errors_total');
    expect(s.labels.route).toBe('/r\ufffd');
  });
});

describe('unexpected store errors in the log', () => {
  test('carry the driver message and constraint, not the SQL or the values written', async () => {
    const pg = await pgUrlWithSchema();
    const store = await openStore(pg.url);
    try {
      await store.db.schema.createTable('t', (t) => t.text('k').primary());
      await store.db('t').insert({ k: 'secret-label-value' });
      const err = await store
        .db('t')
        .insert({ k: 'secret-label-value' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(String((err as Error).message)).toMatch(/insert into/);
      const logged = JSON.stringify(loggableError(err));
      expect(logged).toMatch(/duplicate key/);
      expect(logged).not.toMatch(/secret-label-value|insert into/);
    } finally {
      await store.close();
      await pg.drop();
    }
  });
});
