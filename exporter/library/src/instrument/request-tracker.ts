import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkContext } from '../core/context';
import { ABORTED_STATUS, normaliseMethod, type Recorder, UNMATCHED_ROUTE } from '../core/recorder';

export type RouteResolver = (req: IncomingMessage) => string | undefined;

function headerBytes(value: number | string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The per-request work context. The route is resolved lazily from the request (the router sets it
 * after this object is created), so DB hooks that ask mid-request get the matched template.
 */
class RequestWork implements WorkContext {
  readonly kind = 'request' as const;
  queryCount = 0;
  private finalRoute: string | undefined;
  private generatedId: string | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly resolve: RouteResolver,
  ) {}

  get route(): string {
    return this.finalRoute ?? this.resolve(this.req) ?? UNMATCHED_ROUTE;
  }

  set route(r: string) {
    this.finalRoute = r;
  }

  get id(): string | undefined {
    const header = this.req.headers['x-request-id'];
    if (typeof header === 'string' && header.length > 0 && header.length <= 128) return header;
    // Ids are made only when something asks (a slow query sample), never on the hot path.
    this.generatedId ??= globalThis.crypto.randomUUID();
    return this.generatedId;
  }
}

/**
 * Starts tracking one request: counts it in flight, and records it when the response closes —
 * finished normally or aborted by the client (status 499), so aborted requests are not lost.
 * Returns the work context to run the rest of the request in.
 */
export function trackRequest(
  recorder: Recorder,
  req: IncomingMessage,
  res: ServerResponse,
  resolve: RouteResolver,
): WorkContext {
  const start = performance.now();
  const method = normaliseMethod(req.method);
  recorder.requestStarted(method);
  const work = new RequestWork(req, resolve);
  // One 'close' listener instead of 'finish' + 'close' (or on-finished): Node emits 'close' after
  // 'finish' for every response, and also when the connection drops first.
  res.once('close', () => {
    recorder.requestEnded(method);
    const route = work.route;
    work.route = route;
    recorder.recordRequest({
      method,
      route,
      statusCode: res.writableFinished ? res.statusCode : ABORTED_STATUS,
      durationSeconds: (performance.now() - start) / 1000,
      requestBytes: headerBytes(req.headers['content-length']),
      responseBytes: headerBytes(res.getHeader('content-length')),
    });
    if (work.queryCount > 0) recorder.recordQueriesPerUnit(route, work.queryCount);
  });
  return work;
}
