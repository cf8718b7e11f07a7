/**
 * The real service's answers against the contract the Grafana app is typed from (src/<feature>/api-schemas.ts →
 * openapi.yaml): each answer must parse with its operation's schema and carry no field the schema
 * lacks, so neither side drifts silently.
 */
import { responseViolations } from '../src/openapi/conformance';
import { amPayload } from './support/alertmanager';
import { startTestService, type TestService } from './support/service';

let svc: TestService;
let id: number;
let fingerprintId: string;

/** Calls the service and returns what the contract finds wrong with the answer. */
async function violations(
  method: string,
  pathname: string,
  init: { scope?: 'read' | 'write' | 'ingest' | 'alertmanager'; body?: unknown } = {},
): Promise<string[]> {
  const res = await svc.api(pathname, {
    method,
    scope: init.scope,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body: unknown = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  return responseViolations(method, new URL(pathname, 'http://x').pathname, res.status, body);
}

beforeAll(async () => {
  svc = await startTestService({ incidents: { diagnostics: { enabled: false } } });
  const res = await svc.api('/api/v1/alertmanager/webhook', {
    method: 'POST',
    scope: 'alertmanager',
    body: JSON.stringify(amPayload('{}:{c}', [{ labels: { alertname: 'Contract', severity: 'critical' } }])),
  });
  id = ((await res.json()) as { incidents: Array<{ id: number }> }).incidents[0].id;
  await svc.api('/api/v1/events', {
    method: 'POST',
    scope: 'ingest',
    body: JSON.stringify({
      app: 'contract',
      events: [
        { kind: 'query', dbSystem: 'postgresql', sql: 'SELECT * FROM t WHERE id = 1', durationMs: 900 },
      ],
    }),
  });
  const list = await svc.api('/api/v1/slow-queries', { scope: 'read' });
  fingerprintId = ((await list.json()) as { items: Array<{ id: string }> }).items[0].id;
});
afterAll(() => svc.close());

describe('answers conform to the contract', () => {
  test('service status, identity and probes', async () => {
    expect(await violations('GET', '/api/v1/status', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', '/api/v1/whoami', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', '/healthz')).toEqual([]);
    expect(await violations('GET', '/readyz')).toEqual([]);
  });

  test('an ingested batch, accepted and all rejected', async () => {
    const good = { events: [{ kind: 'request', method: 'GET', route: '/x', status: 200, durationMs: 3 }] };
    expect(await violations('POST', '/api/v1/events', { scope: 'ingest', body: good })).toEqual([]);
    const bad = { events: [{ kind: 'request' }] };
    expect(await violations('POST', '/api/v1/events', { scope: 'ingest', body: bad })).toEqual([]);
  });

  test('slow queries, listed and one fingerprint', async () => {
    expect(await violations('GET', '/api/v1/slow-queries', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', `/api/v1/slow-queries/${fingerprintId}`, { scope: 'read' })).toEqual([]);
  });

  test('health checks', async () => {
    expect(await violations('GET', '/api/v1/health/checks', { scope: 'read' })).toEqual([]);
  });

  test('incidents listed, one with its alerts and timeline, and stats', async () => {
    expect(await violations('GET', '/api/v1/incidents', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', `/api/v1/incidents/${id}`, { scope: 'read' })).toEqual([]);
    expect(await violations('GET', '/api/v1/incidents/stats', { scope: 'read' })).toEqual([]);
  });

  test('an incident opened by hand and changed through its lifecycle actions', async () => {
    const res = await svc.api('/api/v1/incidents', {
      method: 'POST',
      scope: 'write',
      body: JSON.stringify({ title: 'By hand', labels: { route: '/x' } }),
    });
    const created = (await res.json()) as { id: number };
    expect(responseViolations('POST', '/api/v1/incidents', res.status, created)).toEqual([]);
    const on = `/api/v1/incidents/${created.id}`;
    const w = { scope: 'write' as const };
    expect(await violations('POST', `${on}/acknowledge`, { ...w, body: {} })).toEqual([]);
    expect(await violations('POST', `${on}/assign`, { ...w, body: { assignee: 'ana' } })).toEqual([]);
    expect(await violations('POST', `${on}/status`, { ...w, body: { status: 'identified' } })).toEqual([]);
    expect(await violations('POST', `${on}/severity`, { ...w, body: { severity: 'low' } })).toEqual([]);
    expect(await violations('POST', `${on}/notes`, { ...w, body: { text: 'looking' } })).toEqual([]);
    expect(await violations('POST', `${on}/resolve`, { ...w, body: {} })).toEqual([]);
    expect(await violations('GET', on, { scope: 'read' })).toEqual([]);
  });

  test('bulk actions, with one refusal among the results', async () => {
    const body = { ids: [id, 999_999] };
    expect(await violations('POST', '/api/v1/incidents/bulk/acknowledge', { scope: 'write', body })).toEqual(
      [],
    );
  });

  test('a diagnostics snapshot', async () => {
    expect(await violations('POST', `/api/v1/incidents/${id}/diagnostics`, { scope: 'write' })).toEqual([]);
  });

  test('errors: unknown incident, bad filter, missing token, wrong scope', async () => {
    expect(await violations('GET', '/api/v1/incidents/999999', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', '/api/v1/incidents?limit=0', { scope: 'read' })).toEqual([]);
    expect(await violations('GET', '/api/v1/incidents')).toEqual([]);
    expect(await violations('GET', '/api/v1/incidents', { scope: 'ingest' })).toEqual([]);
  });

  test('an answer on a path the contract lacks is a violation, not a pass', async () => {
    expect(await violations('GET', '/api/v1/nowhere', { scope: 'read' })).toEqual([
      'GET /api/v1/nowhere: no operation in the contract (openapi.yaml)',
    ]);
  });
});
