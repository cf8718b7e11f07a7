import { defer, from, type Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/**
 * The part of Grafana's BackendSrv the plugin uses, over the browser's fetch: same-origin requests
 * to the harness server, JSON in and out, and errors thrown as Grafana throws them
 * ({ status, statusText, data, config }).
 */
class FetchBackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return defer(() =>
      from(
        (async () => {
          let url = options.url.startsWith('/') ? options.url : `/${options.url}`;
          if (options.params) {
            url += (url.includes('?') ? '&' : '?') + new URLSearchParams(options.params).toString();
          }
          const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
          let body: string | undefined;
          if (options.data !== undefined) {
            headers['content-type'] = 'application/json';
            body = JSON.stringify(options.data);
          }
          const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
          const text = await response.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // a non-JSON body (an HTML error page) stays text, as in Grafana
          }
          if (!response.ok) {
            throw { status: response.status, statusText: response.statusText, data, config: options };
          }
          return {
            data: data as T,
            status: response.status,
            statusText: response.statusText,
            ok: true,
            headers: response.headers,
            redirected: response.redirected,
            type: response.type,
            url: response.url,
            config: options,
          };
        })(),
      ),
    );
  }

  async request<T>(options: BackendSrvRequest): Promise<T> {
    const { lastValueFrom } = await import('rxjs');
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
