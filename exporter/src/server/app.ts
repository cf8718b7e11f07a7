import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { expressMiddleware, metricsHandler } from '@perfwatch/node/internal';
import { VERSION } from '../version';
import { ApiError, sendError } from '../kit/errors';
import type { ServiceContext, ServiceModule } from '../kit/module';
import { jsonErrorHandler, loggableError } from './errors';
import { SECURITY_HEADERS } from './security-headers';

const LANDING = `<!doctype html><html><head><title>Perfwatch</title></head><body>
<h1>Perfwatch ${VERSION}</h1>
<ul>
<li><a href="/metrics">/metrics</a>: application, process and system metrics</li>
<li><a href="/metrics/node">/metrics/node</a>: system metrics only (scrape as job="node")</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li>
<li>/api/v1: JSON API (bearer token), described in openapi.yaml</li>
</ul></body></html>`;

/** `p` without trailing slashes (but `/` stays `/`), in one pass: the regex it replaced was quadratic. */
export function withoutTrailingSlashes(p: string): string {
  let end = p.length;
  while (end > 1 && p.charCodeAt(end - 1) === 47 /* / */) end--;
  return end === p.length ? p : p.slice(0, end);
}

/** The fixed security headers (security-headers.ts) on every response Express writes. */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}

const NUL = '\u0000';
const REPLACEMENT = '\ufffd';

/**
 * JSON.parse reviver for every API body but the ingestion endpoint's: NUL characters in strings and
 * keys become U+FFFD. PostgreSQL cannot store NUL in text, so an incident title or an Alertmanager
 * label holding one failed the write with a 500 (and Alertmanager retried it forever). Ingestion
 * rejects such events itself: a reviver would slow its much larger bodies for nothing.
 */
export function withoutNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return value.includes(NUL) ? value.replaceAll(NUL, REPLACEMENT) : value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (!Object.keys(record).some((k) => k.includes(NUL))) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k.replaceAll(NUL, REPLACEMENT)] = v;
  return out;
}

/** A module with the context it was started with. */
export interface BoundModule {
  module: ServiceModule;
  ctx: ServiceContext;
}

/** Builds the service's HTTP app. The service instruments itself with its own middleware. */
export function createApp(
  ctx: ServiceContext,
  modules: BoundModule[],
  systemRegistry: Registry | undefined,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(expressMiddleware({ recorder: ctx.recorder, express }));

  app.get('/', (_req, res) => {
    res.type('html').send(LANDING);
  });
  const all = systemRegistry ? [ctx.registry, systemRegistry] : [ctx.registry];
  app.get('/metrics', metricsHandler(all));
  if (systemRegistry) app.get('/metrics/node', metricsHandler([systemRegistry]));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await ctx.store.ping();
      res.json({ status: 'ready', store: ctx.store.kind });
    } catch (err) {
      ctx.logger.warn({ err }, 'readiness check: store unreachable');
      res.status(503).json({
        status: 'not ready',
        error: { code: 'store_unreachable', message: `store (${ctx.store.kind}) is not reachable` },
      });
    }
  });

  const api = express.Router();
  // Authentication comes before anything reads the body: an anonymous client must not get up to the
  // body limit (after decompression) parsed. Scopes are still checked per route.
  api.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    const principal = ctx.auth.authenticate(req.headers.authorization);
    if (!principal) return ctx.auth.challenge(res);
    res.locals.authenticated = principal;
    next();
  });
  const json = express.json({ limit: ctx.config.server.bodyLimitBytes, reviver: withoutNul });
  const limited = new Map<string, ReturnType<typeof express.json>>();
  for (const { module, ctx: own } of modules)
    for (const [p, limit] of Object.entries(module.bodyLimits?.(own) ?? {}))
      limited.set(p, express.json({ limit }));
  // Routing ignores a trailing slash (non-strict), so the lookup does too.
  api.use((req, res, next) => (limited.get(withoutTrailingSlashes(req.path)) ?? json)(req, res, next));
  for (const { module, ctx: own } of modules) module.routes?.(api, own);
  api.use((req, res) => {
    sendError(
      res,
      new ApiError(404, 'not_found', `no API endpoint ${req.method} /api/v1${req.path}; see openapi.yaml`),
    );
  });
  api.use(
    jsonErrorHandler((err, req) => {
      ctx.logger.error(
        { err: loggableError(err), method: req.method, path: req.path.slice(0, 200) },
        'unexpected API error',
      );
    }),
  );
  app.use('/api/v1', api);
  app.use((req, res) => {
    sendError(res, new ApiError(404, 'not_found', `no such path ${req.path}`));
  });
  return app;
}
