import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { parse } from 'yaml';
import { serviceModules } from '../src/server/modules';
import { startTestService, type TestService } from './support/service';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

const spec = parse(readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { 'x-scope'?: string }>>;
};

let svc: TestService;
let routes: string[];
beforeAll(async () => {
  svc = await startTestService();
  const router = express.Router();
  for (const m of serviceModules()) m.routes?.(router, svc.ctx);
  routes = (router.stack as Layer[])
    .filter((l) => l.route)
    .flatMap((l) =>
      Object.keys(l.route!.methods).map(
        (m) => `${m.toUpperCase()} ${l.route!.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`,
      ),
    );
});
afterAll(() => svc.close());

const documented = () =>
  Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));

describe('openapi.yaml', () => {
  test('documents every API route the service registers', () => {
    expect(routes.filter((r) => !documented().includes(r))).toEqual([]);
  });

  test('documents no route the service lacks', () => {
    expect(documented().filter((r) => !routes.includes(r))).toEqual([]);
  });

  test('names the scope of every operation', () => {
    const missing = Object.entries(spec.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !op['x-scope'])
        .map(([m]) => `${m} ${p}`),
    );
    expect(missing).toEqual([]);
  });
});
