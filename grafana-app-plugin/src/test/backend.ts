import { defer, from, type Observable } from 'rxjs';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest, type FetchResponse } from '@grafana/runtime';

export interface RecordedCall {
  method: string;
  /** Path under the plugin proxy route (`/slow-queries`), or the full URL for other Grafana APIs. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Reply = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;
type Handler = (call: RecordedCall) => Reply;

const PROXY = '/api/plugin-proxy/perfwatch-app/exporter';

/**
 * Grafana's backend as the pages see it: `fetch` answers from a table of routes and records every
 * call, so tests can assert which endpoint an action hit. Errors are thrown the way Grafana's
 * BackendSrv throws them (a FetchError with status and data).
 */
export class FakeBackend {
  readonly calls: RecordedCall[] = [];
  private routes: Array<{ method: string; path: string | RegExp; handler: Handler }> = [];

  /** Answers with a fixed body and status. Later registrations win, so a test can override a default. */
  on(method: string, path: string | RegExp, body: unknown, status = 200): this {
    return this.handle(method, path, () => ({ status, body }));
  }

  /** Answers with what the handler computes from the call. */
  handle(method: string, path: string | RegExp, handler: Handler): this {
    this.routes.unshift({ method, path, handler });
    return this;
  }

  /** A route that never answers: the page stays in its loading state. */
  hang(method: string, path: string | RegExp): this {
    return this.handle(method, path, () => new Promise<never>(() => undefined));
  }

  callsTo(method: string, path: string | RegExp): RecordedCall[] {
    return this.calls.filter(
      (c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)),
    );
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return defer(() => {
      const url = new URL(options.url, 'http://grafana.local');
      const path = url.pathname.startsWith(PROXY) ? url.pathname.slice(PROXY.length) : url.pathname;
      const call: RecordedCall = {
        method: (options.method ?? 'GET').toUpperCase(),
        path,
        query: url.searchParams,
        body: options.data,
      };
      this.calls.push(call);
      const route = this.routes.find(
        (r) => r.method === call.method && (typeof r.path === 'string' ? r.path === path : r.path.test(path)),
      );
      const reply: Reply = route
        ? route.handler(call)
        : { status: 404, body: { message: `no fake route for ${call.method} ${path}` } };
      return from(
        Promise.resolve(reply).then(({ status, body: answer }) => {
          const body = options.responseType === 'blob' ? asBlob(answer) : answer;
          if (status >= 400) {
            throw { status, statusText: 'error', data: body, config: options };
          }
          return {
            data: body as T,
            status,
            statusText: 'OK',
            ok: true,
            headers: new Headers(),
            redirected: false,
            type: 'basic' as ResponseType,
            url: options.url,
            config: options,
          };
        }),
      );
    });
  }

  install(): this {
    setBackendSrv(this as unknown as BackendSrv);
    return this;
  }
}

/**
 * What Grafana hands back for a `responseType: 'blob'` request, error answers included: the body as a
 * Blob (core/services/backend_srv.ts getFromFetchStream passes options.responseType to
 * core/utils/fetch.ts parseResponseBody for every status).
 */
const asBlob = (body: unknown) =>
  body instanceof Blob ? body : new Blob([JSON.stringify(body)], { type: 'application/json' });

/** The exporter's JSON error body. */
export const apiError = (code: string, message: string) => ({ error: { code, message } });
