import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import {
  config,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
} from '@grafana/runtime';

/*
 * The part of Grafana's BackendSrv the plugin uses, over the browser's fetch, derived from Grafana's
 * public/app/core/services/backend_srv.ts (read, not copied):
 * - parseRequestOptions: `retry` defaults to 0; a local URL (core/utils/query.ts isLocalUrl: not
 *   starting with "http") loses its leading "/", so it resolves against <base href> and works
 *   under a sub-path (serve_from_sub_path), and gets X-Grafana-Org-Id;
 * - getFromFetchStream reads the body of EVERY answer, ok or not, with core/utils/fetch.ts
 *   parseResponseBody and options.responseType, else 'json' when isContentTypeJson (the type exactly
 *   application/json or application/merge-patch+json, so not `application/json; charset=utf-8`), else
 *   as text that is JSON-parsed when it parses. So an error answer to a 'blob' request (the PDF
 *   download) is a Blob too, and the plugin has to read the exporter's error out of it;
 * - handleStreamResponse: a non-ok response is thrown as { status, statusText, data, config };
 * - handleStreamError: a 401 on a local URL, on the first attempt (retry === 0) of a signed-in
 *   user, is taken for an expired Grafana session: Grafana rotates the session token
 *   (POST /api/user/auth-tokens/rotate, with clientTokenRotation, on by default since 10.x) and, if
 *   that succeeds, repeats the request ONCE; if the rotation itself answers 401 it logs the user out
 *   (contextSrv.setLoggedOut, which sends the browser to the login page);
 * - processRequestError: missing data becomes { message: 'Unexpected error' }, text data becomes
 *   { message: text, error: statusText, response: text }.
 */

const isLocalUrl = (url: string) => !/^http/.test(url);

export let loggedOut = false;

async function once<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  let url = options.url;
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain, */*',
    ...(options.headers ?? {}),
  };
  if (isLocalUrl(url)) {
    headers['X-Grafana-Org-Id'] = '1';
    url = url.replace(/^\/+/, '');
  }
  if (options.params) {
    url += (url.includes('?') ? '&' : '?') + new URLSearchParams(options.params).toString();
  }
  let body: string | undefined;
  if (options.data !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.data);
  }
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body,
    credentials: 'same-origin',
  });
  const responseType = options.responseType ?? (isContentTypeJson(response.headers) ? 'json' : undefined);
  const data = await parseResponseBody(response, responseType);
  if (!response.ok) {
    const err: FetchError = {
      status: response.status,
      statusText: response.statusText,
      data,
      config: options,
    };
    throw err;
  }
  return answer(response, data as T, options);
}

/** core/utils/fetch.ts isContentTypeJson: the whole header, lower-cased, parameters included. */
function isContentTypeJson(headers: Headers): boolean {
  const type = headers.get('content-type')?.toLowerCase();
  return type === 'application/json' || type === 'application/merge-patch+json';
}

/** core/utils/fetch.ts parseResponseBody. */
async function parseResponseBody(
  response: Response,
  responseType: BackendSrvRequest['responseType'],
): Promise<unknown> {
  switch (responseType) {
    case 'arraybuffer':
      return response.arrayBuffer();
    case 'blob':
      return response.blob();
    case 'json':
      // Grafana's own APIs sometimes declare JSON and send nothing.
      return response.headers.get('Content-Length') === '0' ? {} : response.json();
    case 'text':
      return response.text();
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function answer<T>(response: Response, data: T, options: BackendSrvRequest): FetchResponse<T> {
  return {
    data,
    status: response.status,
    statusText: response.statusText,
    ok: true,
    headers: response.headers,
    redirected: response.redirected,
    type: response.type,
    url: response.url,
    config: options,
  };
}

function processRequestError(err: FetchError): FetchError {
  if (err.data === undefined || err.data === null) {
    err.data = { message: 'Unexpected error' };
  } else if (typeof err.data === 'string') {
    err.data = { message: err.data, error: err.statusText, response: err.data };
  }
  return err;
}

async function withSessionHandling<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const retry = options.retry ?? 0;
  try {
    return await once<T>(options);
  } catch (e) {
    const err = e as FetchError;
    const signedIn = Boolean(config.bootData?.user?.isSignedIn);
    if (err.status === 401 && isLocalUrl(options.url) && retry === 0 && signedIn) {
      try {
        await once({ url: '/api/user/auth-tokens/rotate', method: 'POST', retry: 1 });
      } catch (rotateError) {
        if ((rotateError as FetchError).status === 401) {
          loggedOut = true;
          window.location.href = `${config.appSubUrl}/login`;
        }
        throw processRequestError(rotateError as FetchError);
      }
      try {
        return await once<T>({ ...options, retry: 1 });
      } catch (again) {
        throw processRequestError(again as FetchError);
      }
    }
    throw processRequestError(err);
  }
}

class FetchBackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return defer(() => from(withSessionHandling<T>({ ...options })));
  }
  async request<T>(options: BackendSrvRequest): Promise<T> {
    return (await lastValueFrom(this.fetch<T>(options))).data;
  }
  get<T>(url: string, params?: Record<string, string>) {
    return this.request<T>({ url, params, method: 'GET' });
  }
  post<T>(url: string, data?: unknown) {
    return this.request<T>({ url, data, method: 'POST' });
  }
  put<T>(url: string, data?: unknown) {
    return this.request<T>({ url, data, method: 'PUT' });
  }
  patch<T>(url: string, data?: unknown) {
    return this.request<T>({ url, data, method: 'PATCH' });
  }
  delete<T>(url: string, data?: unknown) {
    return this.request<T>({ url, data, method: 'DELETE' });
  }
}

export const backendSrv = new FetchBackendSrv() as unknown as BackendSrv;
