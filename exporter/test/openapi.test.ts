/**
 * openapi.yaml is generated from the routes' zod schemas (src/openapi/document.ts) and must cover every
 * route the running service mounts, read from express' own router, not from a list kept beside it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import { parse } from 'yaml';
import { WRAPPED } from '@perfwatch/node/internal';
import { renderOpenApi } from '../src/openapi/document';
import { API_OPERATIONS } from '../src/openapi/operations';
import { startTestService, type TestService, TOKENS } from './support/service';

interface Router {
  stack?: Layer[];
  [WRAPPED]?: Router;
}
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: Router;
  rawPath?: string;
}

const FILE = path.join(__dirname, '..', 'openapi.yaml');
const API = '/api/v1';

/** `GET /api/v1/incidents/{id}` for every route in express' router stack, nested routers included. */
function mountedRoutes(stack: Layer[], base: string): string[] {
  return stack.flatMap((layer) => {
    if (layer.route)
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${base}${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`);
    // The service's middleware wraps mounted routers (to know the mount path); the wrapper names the original.
    const router = layer.handle[WRAPPED] ?? layer.handle;
    if (router.stack)
      return mountedRoutes(router.stack, `${base}${layer.rawPath === '/' ? '' : layer.rawPath}`);
    return [];
  });
}

const contractRoutes = () =>
  API_OPERATIONS.map(
    (op) => `${op.method.toUpperCase()} ${op.mount === '/' ? '' : API}${op.path === '/' ? '/' : op.path}`,
  );

let svc: TestService;
let mounted: string[];
beforeAll(async () => {
  // With system metrics, so /metrics/node is mounted too.
  svc = await startTestService({ server: { systemMetrics: true } });
  const app = svc.server.listeners('request')[0] as Express;
  mounted = mountedRoutes((app.router as unknown as { stack: Layer[] }).stack, '');
});
afterAll(() => svc.close());

describe('openapi.yaml', () => {
  test('is exactly what the generator writes from the zod schemas (npm run openapi)', () => {
    expect(readFileSync(FILE, 'utf8')).toEqual(renderOpenApi());
  });

  test('the router walk finds the service’s routes (so the coverage checks below see something)', () => {
    expect(mounted).toEqual(expect.arrayContaining(['GET /metrics', 'GET /api/v1/incidents/{id}']));
  });

  test('describes every route the running service mounts', () => {
    expect(mounted.filter((r) => !contractRoutes().includes(r))).toEqual([]);
  });

  test('describes no route the service lacks', () => {
    expect(contractRoutes().filter((r) => !mounted.includes(r))).toEqual([]);
  });

  test('states for every operation the scope its route enforces', async () => {
    // A token lacking the stated scope is refused with 403; one holding it gets past the check.
    const lacking = { read: 'ingest', write: 'read', ingest: 'read', alertmanager: 'read' } as const;
    const wrong: string[] = [];
    for (const op of API_OPERATIONS) {
      const url = `${op.mount === '/' ? '' : API}${op.path.replace(/\{\w+\}/g, '1')}`;
      const call = async (scope?: keyof typeof TOKENS) =>
        (
          await svc.api(url, {
            method: op.method.toUpperCase(),
            scope,
            body: op.method === 'get' ? undefined : '{}',
          })
        ).status;
      const [refused, allowed] =
        op.scope === 'none'
          ? [undefined, await call()]
          : op.scope === 'any token'
            ? [await call(), await call('ingest')]
            : [await call(lacking[op.scope]), await call(op.scope)];
      const expected = op.scope === 'none' ? undefined : op.scope === 'any token' ? 401 : 403;
      if (refused !== expected || [401, 403].includes(allowed))
        wrong.push(`${op.method} ${url} (x-scope ${op.scope}): ${refused} without it, ${allowed} with it`);
    }
    expect(wrong).toEqual([]);
  });

  test('names the scope of every operation', () => {
    const spec = parse(readFileSync(FILE, 'utf8')) as {
      paths: Record<string, Record<string, { 'x-scope'?: string } | unknown[]>>;
    };
    const missing = Object.entries(spec.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([key, op]) => key !== 'servers' && !(op as { 'x-scope'?: string })['x-scope'])
        .map(([m]) => `${m} ${p}`),
    );
    expect(missing).toEqual([]);
  });
});
