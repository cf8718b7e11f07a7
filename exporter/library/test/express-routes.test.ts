import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { Registry } from 'prom-client';
import { currentWork } from '../src/core/context';
import { Recorder } from '../src/core/recorder';
import { expressErrorHandler, expressMiddleware } from '../src/instrument/express';
import { series } from './support/prom-text';

type ExpressLike = typeof express5;

async function withApp(
  express: ExpressLike,
  build: (app: ReturnType<ExpressLike>, recorder: Recorder) => void,
  requests: Array<[string, string?]>,
): Promise<string> {
  const registry = new Registry();
  const recorder = new Recorder(registry);
  const app = express();
  app.use(expressMiddleware({ recorder, express }));
  build(app, recorder);
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const [p, method] of requests)
    await (await fetch(base + p, { method: method ?? 'GET' })).arrayBuffer();
  await new Promise((r) => server.close(r));
  // 'close' listeners run on the next tick after the response ends.
  await new Promise((r) => setImmediate(r));
  return registry.metrics();
}

const routes = (text: string) =>
  series(text, 'http_server_request_duration_seconds_count').map(
    (s) => `${s.labels.method} ${s.labels.route} ${s.labels.status_code}`,
  );

describe.each([
  ['express 4', express4 as unknown as ExpressLike],
  ['express 5', express5],
])('%s route templates', (_name, express) => {
  test('a parameterised route records its template, not the raw path', async () => {
    const text = await withApp(express, (app) => app.get('/users/:id', (_q, s) => void s.send('ok')), [
      ['/users/42'],
      ['/users/43'],
    ]);
    expect(routes(text)).toEqual(['GET /users/:id 200']);
    expect(series(text, 'http_server_request_duration_seconds_count')[0].value).toBe(2);
  });

  test('nested routers with parameters in their mount paths give the full template', async () => {
    const text = await withApp(
      express,
      (app) => {
        const inner = express.Router({ mergeParams: true });
        inner.get('/items/:itemId', (_q, s) => void s.send('ok'));
        const outer = express.Router();
        outer.use('/orgs/:orgId', inner);
        app.use('/api', outer);
      },
      [['/api/orgs/7/items/9']],
    );
    expect(routes(text)).toEqual(['GET /api/orgs/:orgId/items/:itemId 200']);
  });

  test('a mounted sub-app contributes its mount path', async () => {
    const text = await withApp(
      express,
      (app) => {
        const admin = express();
        admin.post('/users/:id/ban', (_q, s) => void s.status(204).end());
        app.use('/admin', admin);
      },
      [['/admin/users/5/ban', 'POST']],
    );
    expect(routes(text)).toEqual(['POST /admin/users/:id/ban 204']);
  });

  test('unmatched paths collapse to one value', async () => {
    const text = await withApp(express, (app) => app.get('/known', (_q, s) => void s.send('ok')), [
      ['/a'],
      ['/b/c'],
      ['/d?x=1'],
    ]);
    expect(routes(text)).toEqual(['GET __unmatched__ 404']);
  });

  test('a router that does not match falls through without keeping its mount path', async () => {
    const text = await withApp(
      express,
      (app) => {
        const r = express.Router();
        r.get('/x', (_q, s) => void s.send('x'));
        app.use('/api', r);
        app.get('/api/y', (_q, s) => void s.send('y'));
      },
      [['/api/y']],
    );
    expect(routes(text)).toEqual(['GET /api/y 200']);
  });

  test('route errors are counted by route and error class', async () => {
    class PaymentDeclined extends Error {}
    const text = await withApp(
      express,
      (app, recorder) => {
        app.get('/pay/:id', () => {
          throw new PaymentDeclined('no');
        });
        app.use(expressErrorHandler({ recorder }));
      },
      [['/pay/1']],
    );
    expect(
      series(text, 'http_server_errors_total', { route: '/pay/:id', error_class: 'PaymentDeclined' })[0]
        .value,
    ).toBe(1);
    expect(routes(text)).toEqual(['GET /pay/:id 500']);
  });
});

describe('request accounting', () => {
  test('an unknown method folds into _OTHER', async () => {
    const text = await withApp(express5, (app) => app.all('/x', (_q, s) => void s.send('ok')), [
      ['/x', 'PROPFIND'],
    ]);
    expect(routes(text)).toEqual(['_OTHER /x 200']);
  });

  test('response sizes come from Content-Length', async () => {
    const text = await withApp(express5, (app) => app.get('/big', (_q, s) => void s.send('x'.repeat(5000))), [
      ['/big'],
    ]);
    expect(series(text, 'http_server_response_body_size_bytes_sum', { route: '/big' })[0].value).toBe(5000);
  });

  test('a request the client aborts is recorded with status 499', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    const app = express5();
    app.use(expressMiddleware({ recorder, express: express5 }));
    let arrived!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    app.get('/slow', (_q, s) => {
      arrived();
      setTimeout(() => s.send('late'), 300);
    });
    const server: Server = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const ac = new AbortController();
    const p = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`, {
      signal: ac.signal,
    }).catch(() => undefined);
    await arrivedP;
    ac.abort();
    await p;
    await new Promise((r) => setTimeout(r, 100));
    const text = await registry.metrics();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect(routes(text)).toEqual(['GET /slow 499']);
    expect(series(text, 'http_server_active_requests', { method: 'GET' })[0].value).toBe(0);
  });
});

test('requests still running count in http_server_active_requests at the scrape', async () => {
  const registry = new Registry();
  const recorder = new Recorder(registry);
  const app = express5();
  app.use(expressMiddleware({ recorder, express: express5 }));
  let arrivedCount = 0;
  let allArrived!: () => void;
  const arrived = new Promise<void>((r) => (allArrived = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  app.post('/hold', async (_q, s) => {
    if (++arrivedCount === 2) allArrived();
    await released;
    s.send('done');
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`;
  const held = [1, 2].map(() => fetch(url, { method: 'POST' }).then((r) => r.text()));
  await arrived;
  const during = await registry.metrics();
  release();
  await Promise.all(held);
  await new Promise((r) => server.close(r));
  await new Promise((r) => setImmediate(r));
  expect(series(during, 'http_server_active_requests', { method: 'POST' })[0].value).toBe(2);
  expect(series(await registry.metrics(), 'http_server_active_requests', { method: 'POST' })[0].value).toBe(
    0,
  );
});

describe('request work context', () => {
  test('once a hook wants it, code inside a handler sees the matched route template', async () => {
    let seen: string | undefined;
    await withApp(
      express5,
      (app, recorder) => {
        recorder.useContext();
        const r = express5.Router();
        r.get('/:id', async (_q, s) => {
          await new Promise((done) => setImmediate(done));
          seen = currentWork()?.route;
          s.send('ok');
        });
        app.use('/orders', r);
      },
      [['/orders/17']],
    );
    expect(seen).toBe('/orders/:id');
  });

  test('without a consumer no context is opened', async () => {
    let seen: unknown = 'unset';
    await withApp(express5, (app) => app.get('/x', (_q, s) => void s.send(String((seen = currentWork())))), [
      ['/x'],
    ]);
    expect(seen).toBeUndefined();
  });
});
