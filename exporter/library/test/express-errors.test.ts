import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import { Registry } from 'prom-client';
import { Recorder } from '../src/core/recorder';
import { errorClassOf, expressErrorHandler, expressMiddleware } from '../src/instrument/express';
import { series } from './support/prom-text';

type ExpressLike = typeof express5;

/** Serves an app with the middleware, the routes, the error hook and a final JSON error handler. */
async function errorsFrom(
  express: ExpressLike,
  routes: (app: ReturnType<ExpressLike>) => void,
  paths: string[],
  options: { countClientErrors?: boolean; caps?: { routes: number; values: number } } = {},
) {
  const recorder = new Recorder(new Registry(), options.caps);
  const app = express();
  app.use(expressMiddleware({ recorder, express }));
  routes(app);
  app.use(expressErrorHandler({ recorder, countClientErrors: options.countClientErrors }));
  app.use(((err: { status?: number }, _req, res, _next) => {
    res.status(err?.status ?? 500).json({ error: 'x' });
  }) as ErrorRequestHandler);
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const statuses: number[] = [];
  for (const p of paths) {
    const res = await fetch(base + p);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  await new Promise((r) => server.close(r));
  await new Promise((r) => setImmediate(r));
  const text = await recorder.registry.metrics();
  return {
    statuses,
    errors: series(text, 'http_server_errors_total').map(
      (s) => `${s.labels.route} ${s.labels.error_class} ${s.value}`,
    ),
    folded: series(text, 'perfwatch_label_values_folded_total', { metric: 'http_server_errors_total' }),
  };
}

class ReportFailed extends Error {}

describe('the Express error hook', () => {
  test('a rejected async handler in Express 5 is counted by route template and class', async () => {
    const { errors, statuses } = await errorsFrom(
      express5,
      (app) =>
        app.get('/reports/:id', async () => {
          await Promise.resolve();
          throw new ReportFailed('no');
        }),
      ['/reports/1', '/reports/2'],
    );
    expect(statuses).toEqual([500, 500]);
    expect(errors).toEqual(['/reports/:id ReportFailed 2']);
  });

  test('an error passed to next() in Express 4 is counted', async () => {
    const { errors } = await errorsFrom(
      express4 as ExpressLike,
      (app) => app.get('/pay/:id', (_req, _res, next) => next(new TypeError('bad'))),
      ['/pay/9'],
    );
    expect(errors).toEqual(['/pay/:id TypeError 1']);
  });

  test('errors that ask for a 4xx status are not counted unless asked for', async () => {
    const notFound = Object.assign(new Error('no such invoice'), { status: 404, name: 'NotFoundError' });
    const routes = (app: ReturnType<ExpressLike>) =>
      app.get('/invoices/:id', () => {
        throw notFound;
      });
    const quiet = await errorsFrom(express5, routes, ['/invoices/1']);
    expect(quiet.statuses).toEqual([404]);
    expect(quiet.errors).toEqual([]);
    const counted = await errorsFrom(express5, routes, ['/invoices/1'], { countClientErrors: true });
    expect(counted.errors).toEqual(['/invoices/:id NotFoundError 1']);
  });

  test('error classes past the cap fold into __overflow__ and are counted', async () => {
    const { errors, folded } = await errorsFrom(
      express5,
      (app) =>
        app.get('/boom/:n', (req) => {
          const cls = { [`Boom${String(req.params.n)}`]: class extends Error {} }[
            `Boom${String(req.params.n)}`
          ];
          throw new cls('x');
        }),
      ['/boom/1', '/boom/2', '/boom/3', '/boom/4'],
      { caps: { routes: 10, values: 2 } },
    );
    expect(errors).toEqual(['/boom/:n Boom1 1', '/boom/:n Boom2 1', '/boom/:n __overflow__ 2']);
    expect(folded[0].value).toBe(2);
  });
});

describe('errorClassOf', () => {
  test.each([
    [new RangeError('x'), 'RangeError'],
    [Object.assign(new Error('x'), { name: 'AbortError' }), 'AbortError'],
    ['a string', 'string'],
    [undefined, 'undefined'],
    [null, 'object'],
    [{ message: 'plain object' }, 'Object'],
    [Object.create(null), 'Object'],
    [{ constructor: { name: 'X'.repeat(500) } }, 'X'.repeat(100)],
  ])('%p → %s', (err, cls) => {
    expect(errorClassOf(err)).toBe(cls);
  });
});
