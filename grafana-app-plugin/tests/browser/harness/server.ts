import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import pluginJson from '../../../src/plugin.json';

const PLUGIN_ROOT = path.resolve(__dirname, '../../..');

export type Role = 'Viewer' | 'Editor' | 'Admin';
const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

interface Route {
  path: string;
  method?: string;
  reqRole?: Role;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

/** Bundles the harness page (the plugin's real module plus @grafana/ui, runtime and React) once. */
export async function bundleHarness(): Promise<{ js: string; css: string }> {
  // setPluginPage is internal to @grafana/runtime; point a bare name at its module file.
  const runtimeEsm = path.join(path.dirname(require.resolve('@grafana/runtime/package.json')), 'dist/esm');
  const result = await build({
    entryPoints: [path.join(__dirname, 'main.tsx')],
    bundle: true,
    write: false,
    outdir: '/harness',
    format: 'iife',
    jsx: 'automatic',
    target: 'es2020',
    minify: false,
    logLevel: 'error',
    alias: { 'grafana-runtime-plugin-page': path.join(runtimeEsm, 'components/PluginPage.mjs') },
    loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  return { js, css };
}

/**
 * The parts of a Grafana server the plugin talks to:
 * - the app's settings (`/api/plugins/perfwatch-app/settings`), keeping secureJsonData on the
 *   server and telling the browser only which secrets are set;
 * - the plugin proxy (`/api/plugin-proxy/perfwatch-app/...`), driven by the routes in the real
 *   src/plugin.json: method and path matching, reqRole against the signed-in user's role,
 *   `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` templating of URL and headers, and the
 *   X-Grafana-User header Grafana adds with `[dataproxy] send_user_header`;
 * - the datasource proxy for the Prometheus datasource `prom`, when a Prometheus URL is given.
 */
export class HarnessServer {
  role: Role = 'Editor';
  login = 'alice';
  jsonData: Record<string, unknown> = {};
  secureJsonData: Record<string, string> = {};
  enabled = false;
  /** Every request the proxy forwarded, with the headers it added (tokens masked). */
  readonly forwarded: Array<{ method: string; url: string; user: string | undefined; auth: string }> = [];
  private server?: Server;
  url = '';

  constructor(
    private readonly bundle: { js: string; css: string },
    private readonly prometheusUrl?: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        send(res, 500, { message: err instanceof Error ? err.message : String(err) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://harness');
    const p = url.pathname;
    if (p.startsWith('/public/build/img/icons/')) {
      // The icon set @grafana/ui ships (Grafana serves the same files from its public folder).
      const icons = path.join(
        path.dirname(require.resolve('@grafana/ui/package.json')),
        'dist/public/img/icons',
      );
      const file = path.join(icons, path.normalize(p.slice('/public/build/img/icons/'.length)));
      if (file.startsWith(icons) && existsSync(file)) {
        return sendText(res, 200, readFileSync(file, 'utf8'), 'image/svg+xml');
      }
      return sendText(res, 404, '', 'text/plain');
    }
    if (p === '/harness.js') {
      return sendText(res, 200, this.bundle.js, 'text/javascript');
    }
    if (p === '/harness.css') {
      return sendText(res, 200, this.bundle.css, 'text/css');
    }
    if (p === `/api/plugins/${pluginJson.id}/settings`) {
      return this.settings(req, res);
    }
    const proxyPrefix = `/api/plugin-proxy/${pluginJson.id}/`;
    if (p.startsWith(proxyPrefix)) {
      return this.pluginProxy(req, res, p.slice(proxyPrefix.length) + url.search);
    }
    const dsPrefix = '/api/datasources/proxy/uid/prom/';
    if (p.startsWith(dsPrefix)) {
      if (!this.prometheusUrl) {
        return send(res, 404, { message: 'Data source not found' });
      }
      return forward(req, res, `${this.prometheusUrl}/${p.slice(dsPrefix.length)}${url.search}`, {});
    }
    if (p.startsWith('/api/')) {
      return send(res, 404, { message: 'Not found' });
    }
    if (p === '/favicon.ico') {
      return sendText(res, 404, '', 'text/plain');
    }
    return sendText(res, 200, this.page(), 'text/html');
  }

  private page(): string {
    const bootData = {
      settings: {
        appSubUrl: '',
        buildInfo: { version: '13.1.1', edition: 'Open Source', env: 'production' },
        featureToggles: {},
        datasources: {},
        theme2: { colors: { mode: 'dark' } },
      },
      user: {
        login: this.login,
        name: this.login,
        orgRole: this.role,
        isGrafanaAdmin: false,
        isSignedIn: true,
        theme: 'dark',
        timezone: 'utc',
        weekStart: 'monday',
        locale: 'en-US',
      },
      navTree: [],
    };
    return `<!doctype html><html><head><meta charset="utf-8"><title>Perfwatch harness</title>
<link rel="stylesheet" href="/harness.css">
<script>window.grafanaBootData = ${JSON.stringify(bootData)}; window.__grafana_public_path__ = '/public/';</script>
</head><body class="theme-dark"><div id="root"></div><script src="/harness.js"></script></body></html>`;
  }

  private async settings(req: IncomingMessage, res: ServerResponse) {
    if (req.method === 'POST') {
      if (RANK[this.role] < RANK.Admin) {
        return send(res, 403, { message: 'Permission denied' });
      }
      const body = JSON.parse((await readBody(req)) || '{}') as {
        enabled?: boolean;
        jsonData?: Record<string, unknown>;
        secureJsonData?: Record<string, string>;
      };
      this.enabled = body.enabled ?? this.enabled;
      this.jsonData = body.jsonData ?? this.jsonData;
      // As in Grafana: only the secrets sent are replaced; the others stay.
      this.secureJsonData = { ...this.secureJsonData, ...(body.secureJsonData ?? {}) };
      return send(res, 200, { message: 'Plugin settings updated' });
    }
    return send(res, 200, {
      id: pluginJson.id,
      name: pluginJson.name,
      type: 'app',
      enabled: this.enabled,
      pinned: this.enabled,
      jsonData: this.jsonData,
      secureJsonFields: Object.fromEntries(Object.keys(this.secureJsonData).map((k) => [k, true])),
      info: pluginJson.info,
      includes: pluginJson.includes,
      baseUrl: `public/plugins/${pluginJson.id}`,
      module: `public/plugins/${pluginJson.id}/module.js`,
    });
  }

  private async pluginProxy(req: IncomingMessage, res: ServerResponse, rest: string) {
    const method = req.method ?? 'GET';
    const route = (pluginJson.routes as Route[]).find(
      (r) => (!r.method || r.method === '*' || r.method === method) && rest.startsWith(r.path),
    );
    if (!route) {
      return send(res, 404, { message: 'Plugin route match not found' });
    }
    if (route.reqRole && RANK[this.role] < RANK[route.reqRole]) {
      return send(res, 403, { message: 'plugin proxy route access denied' });
    }
    const data: Record<string, Record<string, unknown>> = {
      JsonData: this.jsonData,
      SecureJsonData: this.secureJsonData,
    };
    const interpolate = (template: string) =>
      template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, scope: string, key: string) =>
        String(data[scope][key] ?? ''),
      );
    let target: URL;
    try {
      target = new URL(interpolate(route.url));
    } catch {
      return send(res, 500, { message: 'Could not interpolate plugin route url' });
    }
    const [proxyPath, search = ''] = rest.slice(route.path.length).split('?');
    target.pathname = `${target.pathname.replace(/(?<!\/)\/+$/, '')}/${proxyPath.replace(/^\/+/, '')}`;
    target.search = search;
    const headers: Record<string, string> = { 'x-grafana-user': this.login };
    for (const h of route.headers ?? []) {
      headers[h.name.toLowerCase()] = interpolate(h.content);
    }
    this.forwarded.push({
      method,
      url: target.toString(),
      user: headers['x-grafana-user'],
      auth: (headers.authorization ?? '').replace(/Bearer .+/, 'Bearer ***'),
    });
    return forward(req, res, target.toString(), headers);
  }
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  headers: Record<string, string>,
) {
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers: {
        ...headers,
        ...(body ? { 'content-type': req.headers['content-type'] ?? 'application/json' } : {}),
      },
      body,
    });
  } catch {
    // Grafana answers 502 when the upstream cannot be reached.
    return send(res, 502, { message: 'Bad Gateway' });
  }
  const text = await upstream.text();
  res.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'application/json',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  sendText(res, status, JSON.stringify(body), 'application/json');
}

function sendText(res: ServerResponse, status: number, text: string, type: string) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

export { PLUGIN_ROOT };
