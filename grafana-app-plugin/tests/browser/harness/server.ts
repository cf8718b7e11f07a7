import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import pluginJson from '../../../src/plugin.json';
import {
  actionsOf,
  decideRoute,
  interpolate,
  joinUrlFragments,
  type PluginMeta,
} from '../../grafana/proxyRoutes';

const PLUGIN_ROOT = path.resolve(__dirname, '../../..');

export type Role = 'Viewer' | 'Editor' | 'Admin';
const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

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

/** Request headers a reverse proxy never forwards (Go's httputil.ReverseProxy hop-by-hop list). */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** A row of Grafana's user table joined to org_user, as the users lookup reads it. */
export interface OrgUserRow {
  id: number;
  uid: string;
  login: string;
  email: string;
  name: string;
  isServiceAccount?: boolean;
}

export interface Forwarded {
  method: string;
  url: string;
  /** X-Grafana-User as forwarded (undefined when Grafana sent none). */
  user: string | undefined;
  /** Authorization with the token masked. */
  auth: string;
  /** Whether any browser cookie reached the exporter (Grafana strips them). */
  cookie: boolean;
  status?: number;
  /** The upstream's answer as passed to the browser (absent when it could not be reached). */
  response?: { contentType: string; body: string };
}

/**
 * The parts of a Grafana server the plugin talks to, each derived from Grafana's source:
 * - the app's settings (`/api/plugins/perfwatch-app/settings`), keeping secureJsonData on the
 *   server and telling the browser only which secrets are set;
 * - the plugin proxy (`/api/plugin-proxy/perfwatch-app/...`), driven by the routes of the real
 *   src/plugin.json with the matching of tests/grafana/proxyRoutes.ts (pkg/api/pluginproxy/
 *   pluginproxy.go, HandleRequest + hasAccessToRoute), and the request rewriting of its director:
 *   cookies stripped, X-Grafana-User only with `[dataproxy] send_user_header` (proxyutil
 *   ApplyUserHeader), the route's headers rendered from jsonData/secureJsonData (addHeaders);
 *   Origin and Referer dropped (proxyutil wrapDirector); the upstream status and body passed
 *   through unchanged, Set-Cookie removed and `Content-Security-Policy: sandbox` added
 *   (modifyResponse); 502 with an empty body when the upstream cannot be reached and 504 when it
 *   times out (proxyutil errorHandler);
 * - session handling: `POST /api/user/auth-tokens/rotate` and `GET /api/login/ping`, which
 *   backendSrv calls on a 401 (see backendSrv.ts), and every /api answering 401 once the session
 *   has expired (`sessionExpired`);
 * - `serve_from_sub_path`: with `appSubUrl` set, everything is served under it, as Grafana does;
 * - the datasource proxy for the Prometheus datasource `prom`, when a Prometheus URL is given;
 * - the org users lookup (`/api/org/users/lookup`) with a few seeded users (`usersLookup`).
 */
export class HarnessServer {
  role: Role = 'Editor';
  /** Plugin roles (plugin.json `roles[].role.name`) assigned to the user on top of the org role. */
  assignedRoles: string[] = [];
  /** false: a Grafana older than route `reqAction` support, which checks reqRole only. */
  rbac = true;
  login = 'alice';
  /** `[dataproxy] send_user_header`; Grafana's default is false. */
  sendUserHeader = true;
  sessionExpired = false;
  timezone = 'utc';
  theme: 'dark' | 'light' = 'dark';
  /** `[server] root_url` path with `serve_from_sub_path = true`, e.g. "/grafana"; "" for none. */
  appSubUrl = '';
  /** How long the proxy waits for the upstream before answering 504. */
  upstreamTimeoutMs = 30_000;
  jsonData: Record<string, unknown> = {};
  secureJsonData: Record<string, string> = {};
  enabled = false;
  /** The organization's users (with their e-mail and name, which the lookup searches but never returns). */
  orgUsers: OrgUserRow[] = [
    { id: 1, uid: 'u-alice', login: 'alice', email: 'alice@example.com', name: 'Alice Adams' },
    { id: 2, uid: 'u-bob', login: 'bob', email: 'bob@example.com', name: 'Bob Brown' },
    { id: 3, uid: 'u-carol', login: 'carol', email: 'carol.oncall@example.com', name: 'Carol Chen' },
    { id: 4, uid: 'u-sa', login: 'sa-1-perfwatch', email: '', name: 'perfwatch', isServiceAccount: true },
  ];
  /**
   * Whether the user administers some team, folder or dashboard (on Grafana OSS, an Editor who created
   * one gets its admin permission): with it, the users lookup answers a non-admin too.
   */
  resourceAdmin = false;
  /** Every request the proxy forwarded, with the headers it added (tokens masked). */
  readonly forwarded: Forwarded[] = [];
  /** Calls to Grafana's session endpoints and login page, by path. */
  readonly sessionCalls: string[] = [];
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

  /** The URL of a Grafana path (e.g. "/a/perfwatch-app/incidents") on this server, sub-path included. */
  at(pathname: string): string {
    return `${this.url}${this.appSubUrl}${pathname}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://harness');
    if (this.appSubUrl && !url.pathname.startsWith(`${this.appSubUrl}/`)) {
      return sendText(res, 404, 'Not found: Grafana serves from its sub-path', 'text/plain');
    }
    const p = url.pathname.slice(this.appSubUrl.length);
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
    if (p === '/login') {
      this.sessionCalls.push(p);
      return sendText(
        res,
        200,
        '<!doctype html><title>Grafana login</title><h1>Log in to Grafana</h1>',
        'text/html',
      );
    }
    if (p.startsWith('/api/') && this.sessionExpired) {
      // pkg/middleware/auth.go: an API request without a valid session is answered 401.
      if (p === '/api/user/auth-tokens/rotate' || p === '/api/login/ping') {
        this.sessionCalls.push(p);
      }
      return send(res, 401, { message: 'Unauthorized' });
    }
    if (p === '/api/user/auth-tokens/rotate' && req.method === 'POST') {
      this.sessionCalls.push(p);
      return send(res, 200, { message: 'Token rotated' });
    }
    if (p === '/api/login/ping') {
      this.sessionCalls.push(p);
      return send(res, 200, { message: 'Logged in' });
    }
    if (p === `/api/plugins/${pluginJson.id}/settings`) {
      return this.settings(req, res);
    }
    if (p === '/api/org/users/lookup' && req.method === 'GET') {
      return this.usersLookup(res, url.searchParams);
    }
    const proxyPrefix = `/api/plugin-proxy/${pluginJson.id}/`;
    if (p.startsWith(proxyPrefix)) {
      return this.pluginProxy(req, res, p.slice(proxyPrefix.length), url.search);
    }
    const dsPrefix = '/api/datasources/proxy/uid/prom/';
    if (p.startsWith(dsPrefix)) {
      if (!this.prometheusUrl) {
        return send(res, 404, { message: 'Data source not found' });
      }
      return forward(
        req,
        res,
        `${this.prometheusUrl}/${p.slice(dsPrefix.length)}${url.search}`,
        {},
        this.upstreamTimeoutMs,
      );
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
        appSubUrl: this.appSubUrl,
        appUrl: `${this.url}${this.appSubUrl}/`,
        buildInfo: { version: '13.1.1', edition: 'Open Source', env: 'production' },
        featureToggles: { clientTokenRotation: true },
        datasources: {},
        theme2: { colors: { mode: this.theme } },
      },
      user: {
        id: 1,
        orgId: 1,
        login: this.login,
        name: this.login,
        orgRole: this.role,
        isGrafanaAdmin: false,
        isSignedIn: true,
        theme: this.theme,
        timezone: this.timezone,
        // pkg/api/index.go (setIndexViewData): the user's RBAC actions, plugin role grants included.
        permissions: this.rbac
          ? Object.fromEntries(
              [
                ...actionsOf(pluginJson as unknown as PluginMeta, {
                  orgRole: this.role,
                  assignedRoles: this.assignedRoles,
                }),
              ].map((a) => [a, true]),
            )
          : {},
        weekStart: 'monday',
        locale: 'en-US',
      },
      navTree: [],
    };
    // public/views/index.html: <base href="[[.AppSubUrl]]/" />, so relative URLs follow the sub-path.
    return `<!doctype html><html><head><meta charset="utf-8"><title>Perfwatch harness</title>
<base href="${this.appSubUrl}/">
<link rel="stylesheet" href="${this.appSubUrl}/harness.css">
<script>window.grafanaBootData = ${JSON.stringify(bootData)}; window.__grafana_public_path__ = '${this.appSubUrl}/public/';</script>
</head><body class="theme-${this.theme}"><div id="root"></div><script src="${this.appSubUrl}/harness.js"></script></body></html>`;
  }

  /**
   * `GET /api/org/users/lookup`, as Grafana answers it:
   * - pkg/api/api.go (registerRoutes, the `/org` group's lookupEvaluator): allowed with
   *   `org.users:read` (the Admin basic role) or, on Grafana OSS, any of teams.permissions:write,
   *   folders.permissions:write, dashboards.permissions:write; everyone else is refused by
   *   pkg/services/accesscontrol/middleware.go (deny) with 403 and `{ title, message, accessErrorId }`;
   * - pkg/api/org_users.go (GetOrgUsersForCurrentOrgLookup → searchOrgUsersHelper): the org's users
   *   whose email, name or login contains `query` (pkg/services/org/orgimpl/store.go SearchOrgUsers:
   *   LIKE %query%, service accounts left out, `limit` rows when > 0), each as dtos.UserLookupDTO
   *   `{ userId, uid, login, avatarUrl }` — no name, no email.
   */
  private usersLookup(res: ServerResponse, params: URLSearchParams) {
    if (RANK[this.role] < RANK.Admin && !this.resourceAdmin) {
      return send(res, 403, {
        title: 'Access denied',
        message:
          "You'll need additional permissions to perform this action. Permissions needed: any of org.users:read, teams.permissions:write, folders.permissions:write, dashboards.permissions:write",
        accessErrorId: 'ACE0000000001',
      });
    }
    const query = (params.get('query') ?? '').toLowerCase();
    const limit = Number.parseInt(params.get('limit') ?? '0', 10) || 0;
    const found = this.orgUsers
      .filter((u) => !u.isServiceAccount)
      .filter((u) => [u.email, u.name, u.login].some((f) => f.toLowerCase().includes(query)))
      .sort((a, b) => a.email.localeCompare(b.email) || a.login.localeCompare(b.login))
      .slice(0, limit > 0 ? limit : undefined)
      .map((u) => ({ userId: u.id, uid: u.uid, login: u.login, avatarUrl: `/avatar/${u.uid}` }));
    return send(res, 200, found);
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

  private async pluginProxy(req: IncomingMessage, res: ServerResponse, proxyPath: string, search: string) {
    const method = req.method ?? 'GET';
    const decision = decideRoute(
      pluginJson as unknown as PluginMeta,
      method,
      proxyPath,
      { orgRole: this.role, assignedRoles: this.assignedRoles },
      this.rbac,
    );
    if (decision.status !== 200) {
      return send(res, decision.status, { message: decision.message });
    }
    const data = { JsonData: this.jsonData, SecureJsonData: this.secureJsonData };
    let target: URL;
    try {
      target = new URL(joinUrlFragments(interpolate(decision.route.url, data), decision.proxyPath));
    } catch {
      return send(res, 500, { message: 'Could not parse url' });
    }
    target.search = search;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') {
        headers[name] = value;
      }
    }
    // director: clear cookie headers; wrapDirector: clear Origin and Referer.
    for (const name of ['cookie', 'set-cookie', 'origin', 'referer', 'x-grafana-user']) {
      delete headers[name];
    }
    headers['x-grafana-context'] = JSON.stringify({ login: this.login, orgId: 1, orgRole: this.role });
    if (this.sendUserHeader) {
      headers['x-grafana-user'] = this.login;
    }
    for (const h of decision.route.headers ?? []) {
      headers[h.name.toLowerCase()] = interpolate(h.content, data);
    }
    const record: Forwarded = {
      method,
      url: target.toString(),
      user: headers['x-grafana-user'],
      auth: (headers.authorization ?? '').replace(/Bearer .+/, 'Bearer ***'),
      cookie: 'cookie' in headers,
    };
    this.forwarded.push(record);
    Object.assign(record, await forward(req, res, target.toString(), headers, this.upstreamTimeoutMs));
  }
}

/** The upstream response passed through; its status and body are returned for the record. */
async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Pick<Forwarded, 'status' | 'response'>> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  let upstream: Response;
  let bytes: Buffer;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Bytes, not text: a PDF decoded as UTF-8 and sent again would not be the exporter's file.
    bytes = Buffer.from(await upstream.arrayBuffer());
  } catch (err) {
    // proxyutil errorHandler: a timeout is 504, any other failure 502, both without a body.
    const status = (err as Error).name === 'TimeoutError' ? 504 : 502;
    res.writeHead(status);
    res.end();
    return { status };
  }
  const out: Record<string, string> = { 'content-security-policy': 'sandbox' };
  upstream.headers.forEach((value, name) => {
    if (
      !['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)
    ) {
      out[name] = value;
    }
  });
  res.writeHead(upstream.status, out);
  res.end(bytes);
  return {
    status: upstream.status,
    response: { contentType: out['content-type'] ?? '', body: bytes.toString('utf8') },
  };
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
