import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load';
import { customMetricsModule } from '../src/custom/module';
import { ingestModule } from '../src/ingest/module';
import type { ServiceModule } from '../src/kit/module';
import { createLogger } from '../src/logger';
import type { SlowQueryReader } from '../src/queries/reader';
import {
  moduleContext,
  ModuleGraphError,
  Provisions,
  startOrder,
  type BaseContext,
} from '../src/server/compose';
import { startService } from '../src/server/service';
import { startTestService } from './support/service';

const names = (ms: Array<{ name: string }>) => ms.map((m) => m.name);

describe('start order from provides and needs', () => {
  test('a module starts after the provider of what it needs, whatever the listed order', () => {
    const order = startOrder([
      { name: 'incidents', needs: ['slowQueries'] },
      { name: 'ingest', needs: ['customMetrics', 'slowQueries'] },
      { name: 'custom', provides: ['customMetrics'] },
      { name: 'queries', provides: ['slowQueries'] },
    ]);
    expect(names(order)).toEqual(['queries', 'incidents', 'custom', 'ingest']);
  });

  test('modules that need nothing of each other keep the listed order', () => {
    expect(names(startOrder([{ name: 'b' }, { name: 'a' }, { name: 'c' }]))).toEqual(['b', 'a', 'c']);
  });

  test('a need that no module provides is refused, naming the module and the capability', () => {
    expect(() => startOrder([{ name: 'ingest', needs: ['slowQueries'] }, { name: 'status' }])).toThrow(
      new ModuleGraphError(
        'module "ingest" needs "slowQueries", which none of the modules provides (ingest, status)',
      ),
    );
  });

  test('two providers of one capability are refused', () => {
    expect(() =>
      startOrder([
        { name: 'a', provides: ['slowQueries'] },
        { name: 'b', provides: ['slowQueries'] },
      ]),
    ).toThrow('modules "a" and "b" both provide "slowQueries"');
  });

  test('a cycle is refused, naming the modules in it', () => {
    expect(() =>
      startOrder([
        { name: 'status' },
        { name: 'a', provides: ['x'], needs: ['y'] },
        { name: 'b', provides: ['y'], needs: ['z'] },
        { name: 'c', provides: ['z'], needs: ['x'] },
      ]),
    ).toThrow('modules need each other in a cycle: a → b → c → a');
  });

  test('the default service modules start in an order that satisfies every need', () => {
    const order = names(
      startOrder([ingestModule(), customMetricsModule, { name: 'queries', provides: ['slowQueries'] }]),
    );
    expect(order.indexOf('ingest')).toBeGreaterThan(order.indexOf('custom-metrics'));
    expect(order.indexOf('ingest')).toBeGreaterThan(order.indexOf('queries'));
  });
});

describe("a module's context", () => {
  const base = {} as BaseContext;
  const reader: SlowQueryReader = { top: async () => [], commit: async () => true };

  test('hands a module what another module provided for it', () => {
    const provisions = new Provisions();
    moduleContext(base, provisions, { name: 'p', provides: ['slowQueries'] }).provide('slowQueries', reader);
    const got = moduleContext(base, provisions, { name: 'n', needs: ['slowQueries'] }).need('slowQueries');
    expect(got).toBe(reader);
  });

  test('refuses a need the module did not declare', () => {
    const provisions = new Provisions();
    provisions.set('slowQueries', reader);
    expect(() => moduleContext(base, provisions, { name: 'sneaky' }).need('slowQueries')).toThrow(
      'module "sneaky" needs "slowQueries" but does not list it in needs',
    );
  });

  test('refuses to provide what the module did not declare', () => {
    expect(() =>
      moduleContext(base, new Provisions(), { name: 'sneaky' }).provide('slowQueries', reader),
    ).toThrow('module "sneaky" provides "slowQueries" but does not list it in provides');
  });
});

describe('the service as composition root', () => {
  test('starts modules in need order and stops them in reverse', async () => {
    const events: string[] = [];
    const reader: SlowQueryReader = { top: async () => [], commit: async () => true };
    const consumer: ServiceModule = {
      name: 'consumer',
      needs: ['slowQueries'],
      start: (ctx) => {
        events.push(`start consumer (got ${ctx.need('slowQueries') === reader})`);
      },
      stop: () => void events.push('stop consumer'),
    };
    const provider: ServiceModule = {
      name: 'provider',
      provides: ['slowQueries'],
      start: (ctx) => {
        events.push('start provider');
        ctx.provide('slowQueries', reader);
      },
      stop: () => void events.push('stop provider'),
    };
    const svc = await startTestService({}, { modules: [consumer, provider] });
    await svc.close();
    expect(events).toEqual(['start provider', 'start consumer (got true)', 'stop consumer', 'stop provider']);
  });

  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'perfwatch-compose-'));
    file = path.join(dir, 'perfwatch.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const start = (modules: ServiceModule[]) =>
    startService(parseConfig({ server: { port: 0, host: '127.0.0.1' }, store: { url: `sqlite:${file}` } }), {
      modules,
      logger: createLogger('silent'),
    });

  test('refuses a module list with a missing provider before it opens the store', async () => {
    await expect(start([ingestModule()])).rejects.toThrow('module "ingest" needs "customMetrics"');
    expect(existsSync(file)).toBe(false);
  });

  test('refuses a module that declares a capability its start() never provides, stopping what started', async () => {
    const events: string[] = [];
    const first: ServiceModule = { name: 'first', stop: () => void events.push('stop first') };
    const lazy: ServiceModule = { name: 'lazy', provides: ['customMetrics'] };
    await expect(start([first, lazy])).rejects.toThrow(
      'module "lazy" lists "customMetrics" in provides but its start() did not provide it',
    );
    expect(events).toEqual(['stop first']);
  });
});
