import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { workContext } from '../core/context';
import { type Recorder, UNMATCHED_ROUTE } from '../core/recorder';
import { trackRequest } from './request-tracker';

/*
 * Express does not keep the path template of a mounted router or sub-app: only the leaf route's
 * `req.route.path` survives, and `req.baseUrl` holds the raw matched path (`/orgs/42`, not
 * `/orgs/:orgId`). So, like OpenTelemetry's express instrumentation, we wrap Router#use to remember
 * each mount's template and push it onto the request while the mounted handler runs.
 */

const MOUNTS = Symbol.for('perfwatch.express.mounts');
const PATCHED = Symbol.for('perfwatch.express.patched');
/** On a wrapped mount, the handler it wraps: tools that list an app's routes read the router through it. */
export const WRAPPED = Symbol.for('perfwatch.express.wrapped');

type Next = (err?: unknown) => void;
type Handler = ((req: IncomingMessage, res: ServerResponse, next: Next) => unknown) & { length: number };
interface Layer {
  handle: Handler;
}
interface RouterProto {
  use: (...args: unknown[]) => unknown;
  [PATCHED]?: boolean;
}
type TrackedRequest = IncomingMessage & {
  route?: { path?: unknown };
  [MOUNTS]?: string[];
};

function templateOf(p: unknown): string {
  if (typeof p === 'string') return p;
  if (Array.isArray(p)) return p.map(templateOf).join('|');
  return String(p);
}

function wrapMounted(handle: Handler, mount: string): Handler {
  const wrapper = function perfwatchMount(
    this: unknown,
    req: TrackedRequest,
    res: ServerResponse,
    next: Next,
  ) {
    const mounts = (req[MOUNTS] ??= []);
    const depth = mounts.length;
    mounts.push(mount);
    return handle.call(this, req, res, function (this: unknown, ...args: unknown[]) {
      mounts.length = depth;
      return (next as (...a: unknown[]) => unknown).apply(this, args);
    });
  } as Handler & { [WRAPPED]?: Handler };
  wrapper[WRAPPED] = handle;
  return wrapper;
}

function patchRouter(proto: RouterProto): void {
  if (proto[PATCHED]) return;
  const use = proto.use;
  proto.use = function patchedUse(this: { stack: Layer[] }, ...args: unknown[]) {
    const first = args[0];
    const isHandler = typeof first === 'function' || (Array.isArray(first) && typeof first[0] === 'function');
    const mount = isHandler ? '/' : templateOf(first);
    const before = this.stack.length;
    const result = use.apply(this, args);
    if (mount !== '/') {
      for (let i = before; i < this.stack.length; i++) {
        const layer = this.stack[i];
        // Error handlers (4 arguments) are told apart by arity; leave them untouched.
        if (layer.handle.length <= 3) layer.handle = wrapMounted(layer.handle, mount);
      }
    }
    return result;
  };
  proto[PATCHED] = true;
}

interface ExpressModule {
  Router: () => unknown;
}

function loadExpress(): ExpressModule | undefined {
  for (const base of [path.join(process.cwd(), 'noop.js'), __filename]) {
    try {
      return createRequire(base)('express') as ExpressModule;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** The route template of a request, or undefined when no route matched (404, static files). */
export function expressRoute(req: IncomingMessage): string | undefined {
  const r = req as TrackedRequest;
  const leaf = r.route?.path;
  if (leaf === undefined) return undefined;
  const mounts = r[MOUNTS];
  const full = (mounts && mounts.length > 0 ? mounts.join('') : '') + templateOf(leaf);
  return full.length > 1 && full.endsWith('/') ? full.slice(0, -1) : full;
}

export interface ExpressMiddlewareOptions {
  recorder: Recorder;
  /** The express module the app uses, when it is not resolvable from the working directory. */
  express?: ExpressModule;
}

/**
 * Express middleware: install it first (`app.use(...)`) and before mounting routers, so mount
 * templates are captured. Works with Express 4 and 5.
 */
export function expressMiddleware(options: ExpressMiddlewareOptions) {
  const express = options.express ?? loadExpress();
  if (express) {
    // Express 4's routers inherit `use` from a plain object; Express 5's (the `router` package) from
    // Router.prototype, two steps up. Patch whichever object owns it.
    let proto: object | null = Object.getPrototypeOf(express.Router());
    while (proto && !Object.prototype.hasOwnProperty.call(proto, 'use')) proto = Object.getPrototypeOf(proto);
    if (proto) patchRouter(proto as RouterProto);
  }
  const { recorder } = options;
  return function perfwatchExpress(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const work = trackRequest(recorder, req, res, expressRoute);
    if (recorder.contextWanted) workContext.run(work, next);
    else next();
  };
}

/** Longest error class recorded; a thrown object may carry any constructor name. */
const MAX_ERROR_CLASS = 100;

/**
 * The class of a thrown value: its constructor's name, or its `name` when the constructor is the
 * generic Error (libraries often set `name` instead of subclassing); `typeof` for non-objects.
 */
export function errorClassOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return typeof err;
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  const name = (err as { name?: unknown }).name;
  let cls = typeof ctor === 'string' && ctor !== '' ? ctor : 'Object';
  if ((cls === 'Error' || cls === 'Object') && typeof name === 'string' && name !== '') cls = name;
  return cls.length > MAX_ERROR_CLASS ? cls.slice(0, MAX_ERROR_CLASS) : cls;
}

/** The HTTP status an error asks for (http-errors, body-parser, …), if any. */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const s =
    (err as { status?: unknown; statusCode?: unknown }).status ??
    (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' ? s : undefined;
}

export interface ExpressErrorHandlerOptions {
  recorder: Recorder;
  /**
   * Count errors that carry a 4xx status (http-errors' NotFound, body-parser's 400/413, …). Off by
   * default: those are the client's mistakes answered on purpose, already visible in status_code, and
   * counting them would page someone about bad requests (Laravel's exception handler skips them too).
   */
  countClientErrors?: boolean;
}

/**
 * Express error hook: counts unhandled route errors in http_server_errors_total by route template and
 * error class (both capped like every label), then passes the error on unchanged. Install it after
 * the routes. Express 5 forwards rejected promises here; Express 4 only what reaches `next(err)`.
 */
export function expressErrorHandler(options: ExpressErrorHandlerOptions) {
  return function perfwatchErrors(
    err: unknown,
    req: IncomingMessage,
    _res: ServerResponse,
    next: Next,
  ): void {
    const status = statusOf(err);
    if (options.countClientErrors || status === undefined || status < 400 || status >= 500)
      options.recorder.recordError(expressRoute(req) ?? UNMATCHED_ROUTE, errorClassOf(err));
    next(err);
  };
}
