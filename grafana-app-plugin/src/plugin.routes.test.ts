/*
 * Every URL the plugin's client calls, checked against the routes of the BUILT plugin.json
 * (dist/plugin.json, what Grafana loads) with Grafana's own matching rules
 * (tests/grafana/proxyRoutes.ts cites the Grafana source each rule comes from).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { of } from 'rxjs';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { api } from './api/client';
import { decideRoute, type PluginMeta, type PluginRoute } from '../tests/grafana/proxyRoutes';

const DIST = path.resolve(__dirname, '../dist/plugin.json');
const PROXY = '/api/plugin-proxy/perfwatch-app/';

/** One call per client function, with arguments; a new client function must be added here. */
const CALLS: Record<keyof typeof api, () => Promise<unknown>> = {
  whoami: () => api.whoami(),
  status: () => api.status(),
  slowQueries: () =>
    api.slowQueries({ from: 1, to: 2, q: 'select', limit: 50, offset: 0, sort: 'totalTime', order: 'desc' }),
  slowQueryGroups: () =>
    api.slowQueryGroups({ from: 1, to: 2, by: 'service', service: '(none)', buckets: 30 }),
  slowQueryFacets: () => api.slowQueryFacets({ from: 1, to: 2, route: '/checkout', top: 8 }),
  slowQuery: () => api.slowQuery('0123456789abcdef', { from: 1, to: 2 }),
  requestSamples: () => api.requestSamples('checkout-7'),
  incidents: () => api.incidents({ status: ['open'], limit: 50 }),
  incident: () => api.incident(42),
  incidentStats: () => api.incidentStats({ from: 1, to: 2 }),
  acknowledge: () => api.acknowledge(42),
  unacknowledge: () => api.unacknowledge(42),
  assign: () => api.assign(42, 'bob'),
  setStatus: () => api.setStatus(42, 'identified'),
  setSeverity: () => api.setSeverity(42, 'critical'),
  addNote: () => api.addNote(42, 'note'),
  resolve: () => api.resolve(42, 'fixed'),
  silence: () => api.silence(42, 60),
  unsilence: () => api.unsilence(42),
  takeDiagnostics: () => api.takeDiagnostics(42),
  bulk: () => api.bulk([1, 2], 'acknowledge'),
  createIncident: () =>
    api.createIncident({ title: 'Down', severity: 'high', description: '', rootCause: '', labels: '' }),
  slaReport: () => api.slaReport('7d'),
  explain: () => api.explain('0123456789abcdef', 'shop'),
  healthChecks: () => api.healthChecks(),
  slaReportPdf: () => api.slaReportPdf('2026-11'),
  slaHistory: () => api.slaHistory(12),
  slaBurndown: () => api.slaBurndown('2026-11', 'checkout'),
};

interface Call {
  method: string;
  url: string;
}

async function recordCalls(): Promise<Array<Call & { name: string }>> {
  const calls: Array<Call & { name: string }> = [];
  let current = '';
  setBackendSrv({
    fetch: (options: BackendSrvRequest) => {
      calls.push({ name: current, method: options.method ?? 'GET', url: options.url });
      return of({ data: {}, status: 200, ok: true, config: options });
    },
  } as unknown as BackendSrv);
  for (const [name, call] of Object.entries(CALLS)) {
    current = name;
    // Only the URL matters here; an empty body may not parse into a view.
    await call().catch(() => undefined);
  }
  return calls;
}

function loadBuiltPlugin(): PluginMeta {
  if (!existsSync(DIST)) {
    throw new Error(
      `${DIST} is missing: run "npm run build -w grafana-app-plugin" first (the root npm test does)`,
    );
  }
  return JSON.parse(readFileSync(DIST, 'utf8')) as PluginMeta;
}

function proxyPathOf(url: string): string {
  expect(url.startsWith(PROXY)).toBe(true);
  return url.slice(PROXY.length).split('?')[0];
}

describe('the built plugin.json proxy routes, matched as Grafana matches them', () => {
  let meta: PluginMeta;
  let calls: Array<Call & { name: string }>;

  beforeAll(async () => {
    meta = loadBuiltPlugin();
    calls = await recordCalls();
  });

  it('records one call for every client function', () => {
    expect(new Set(calls.map((c) => c.name))).toEqual(new Set(Object.keys(api)));
  });

  it('matches every call to the route of its own method, forwarding the path after exporter/', () => {
    for (const call of calls) {
      const decision = decideRoute(meta, call.method, proxyPathOf(call.url), { orgRole: 'Editor' });
      expect({ call: `${call.method} ${call.url}`, status: decision.status }).toEqual({
        call: `${call.method} ${call.url}`,
        status: 200,
      });
      if (decision.status === 200) {
        expect(decision.route.method).toBe(call.method);
        expect(`exporter/${decision.proxyPath}`).toBe(proxyPathOf(call.url));
        expect(decision.route.url).toBe('{{ .JsonData.exporterUrl }}/api/v1');
      }
    }
  });

  it('lets a Viewer read everything the pages read', () => {
    for (const call of calls.filter((c) => c.method === 'GET')) {
      expect(decideRoute(meta, call.method, proxyPathOf(call.url), { orgRole: 'Viewer' }).status).toBe(200);
    }
  });

  it('refuses a Viewer every write, with RBAC and on a Grafana that only knows reqRole', () => {
    const writes = calls.filter((c) => c.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    for (const call of writes) {
      for (const rbac of [true, false]) {
        expect(
          decideRoute(meta, call.method, proxyPathOf(call.url), { orgRole: 'Viewer' }, rbac).status,
        ).toBe(403);
        expect(
          decideRoute(meta, call.method, proxyPathOf(call.url), { orgRole: 'Editor' }, rbac).status,
        ).toBe(200);
      }
    }
  });

  it('lets a Viewer on call write once the "Incidents writer" role is assigned to them', () => {
    for (const call of calls.filter((c) => c.method !== 'GET')) {
      const who = { orgRole: 'Viewer' as const, assignedRoles: ['Incidents writer'] };
      expect(decideRoute(meta, call.method, proxyPathOf(call.url), who).status).toBe(200);
    }
  });

  it('declares the write action under the plugin id, as Grafana requires of app roles', () => {
    for (const reg of meta.roles ?? []) {
      for (const p of reg.role.permissions) {
        expect(p.action.startsWith(`${meta.id}.`) || p.action.startsWith(`${meta.id}:`)).toBe(true);
      }
    }
    const actions = new Set((meta.routes ?? []).map((r) => r.reqAction).filter(Boolean));
    const declared = new Set((meta.roles ?? []).flatMap((r) => r.role.permissions.map((p) => p.action)));
    actions.forEach((a) => expect(declared.has(a!)).toBe(true));
  });
});

describe("Grafana's route matching, as the harness and this test apply it", () => {
  const route = (path: string, extra: Partial<PluginRoute> = {}): PluginRoute => ({
    path,
    url: 'http://upstream',
    ...extra,
  });

  it('matches a path without * exactly, and one with /* on its subpaths only', () => {
    const exact = { id: 'x', routes: [route('exporter')] };
    expect(decideRoute(exact, 'GET', 'exporter', { orgRole: 'Viewer' }).status).toBe(200);
    expect(decideRoute(exact, 'GET', 'exporter/incidents', { orgRole: 'Viewer' }).status).toBe(404);
    const wild = { id: 'x', routes: [route('exporter/*')] };
    expect(decideRoute(wild, 'GET', 'exporter/incidents/7/notes', { orgRole: 'Viewer' })).toMatchObject({
      status: 200,
      proxyPath: 'incidents/7/notes',
    });
    expect(decideRoute(wild, 'GET', 'exporterx/incidents', { orgRole: 'Viewer' }).status).toBe(404);
  });

  it('lets the first matching route decide, even when a later one would allow the user', () => {
    const meta = {
      id: 'x',
      routes: [route('a/*', { reqRole: 'Editor' }), route('a/*', { reqRole: 'Viewer' })],
    };
    expect(decideRoute(meta, 'GET', 'a/b', { orgRole: 'Viewer' }).status).toBe(403);
  });

  it('checks reqAction instead of reqRole where Grafana has route RBAC', () => {
    const meta = {
      id: 'x',
      routes: [route('a/*', { reqAction: 'x.things:write', reqRole: 'Viewer' })],
      roles: [
        { role: { name: 'Writer', permissions: [{ action: 'x.things:write' }] }, grants: ['Admin' as const] },
      ],
    };
    expect(decideRoute(meta, 'POST', 'a/b', { orgRole: 'Editor' }).status).toBe(403);
    expect(decideRoute(meta, 'POST', 'a/b', { orgRole: 'Editor' }, false).status).toBe(200);
    expect(decideRoute(meta, 'POST', 'a/b', { orgRole: 'Admin' }).status).toBe(200);
  });
});
