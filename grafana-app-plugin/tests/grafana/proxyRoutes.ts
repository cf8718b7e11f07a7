/*
 * How Grafana picks a plugin proxy route for `/api/plugin-proxy/<plugin-id>/<proxyPath>`, derived
 * from Grafana's source (read, not copied):
 * - pkg/api/plugin_proxy.go, extractProxyPath: proxyPath is the escaped request path after the
 *   plugin id, without the query string (the query is forwarded unchanged);
 * - pkg/api/pluginproxy/pluginproxy.go, (*PluginProxy).HandleRequest: routes are tried in
 *   plugin.json order; a route whose `method` is set (and not "*") must equal the request's; its
 *   `path` is added to a fresh router tree (web.NewTree / t.Add / t.Match), so "exporter" matches
 *   only that exact path and "exporter/*" its subpaths, with the `*` part becoming the path
 *   appended to the route's url (none at all when the pattern has no `*`). The FIRST route that
 *   matches decides: when the user may not use it the answer is 403 "plugin proxy route access
 *   denied", even if a later route would have allowed it; no match is 404 "plugin route match
 *   not found";
 * - same file, hasAccessToRoute: `reqAction` (when set) is evaluated with RBAC and `reqRole` is then
 *   ignored; otherwise `reqRole` must be included in the user's org role (Admin ⊃ Editor ⊃ Viewer);
 * - pkg/services/pluginsintegration/pluginaccesscontrol, GetPluginRouteEvaluator: an action other
 *   than plugins:write / plugins.app:access is checked without a scope;
 * - pkg/web/tree.go, matchSubtree / matchLeaf: segments split on "/", static segments compare
 *   after unescaping, ":name" holds one segment, "*" takes the rest of the path.
 */

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: OrgRole;
  reqAction?: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface PluginRoleRegistration {
  role: { name: string; description?: string; permissions: Array<{ action: string; scope?: string }> };
  grants: OrgRole[];
}

export interface PluginMeta {
  id: string;
  routes?: PluginRoute[];
  roles?: PluginRoleRegistration[];
}

/** Who is asking: the org role and the plugin roles assigned to the user on top of it. */
export interface Identity {
  orgRole: OrgRole;
  /** Names of plugin.json roles assigned to the user directly (RBAC role assignment). */
  assignedRoles?: string[];
}

const RANK: Record<OrgRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

function unescape(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** pkg/web/tree.go semantics for one pattern: the `*` capture, or undefined when it does not match. */
export function matchPattern(pattern: string, path: string): { star?: string } | undefined {
  const want = pattern.replace(/^\/+/, '').split('/');
  let rest = path.replace(/^\/+/, '');
  for (let i = 0; i < want.length; i++) {
    const p = want[i];
    if (p === '*' && i === want.length - 1) {
      return { star: rest };
    }
    const slash = rest.indexOf('/');
    const segment = slash === -1 ? rest : rest.slice(0, slash);
    const last = i === want.length - 1;
    if (last && slash !== -1) {
      return undefined;
    }
    if (!last && slash === -1) {
      return undefined;
    }
    if (p.startsWith(':')) {
      if (segment === '') {
        return undefined;
      }
    } else if (unescape(segment) !== p) {
      return undefined;
    }
    rest = slash === -1 ? '' : rest.slice(slash + 1);
  }
  return {};
}

/** The actions an identity holds from the plugin's role registrations (basic-role grants + assignments). */
export function actionsOf(meta: PluginMeta, who: Identity): Set<string> {
  const actions = new Set<string>();
  for (const reg of meta.roles ?? []) {
    const granted = reg.grants.some((g) => RANK[who.orgRole] >= RANK[g]);
    if (granted || who.assignedRoles?.includes(reg.role.name)) {
      reg.role.permissions.forEach((p) => actions.add(p.action));
    }
  }
  return actions;
}

export type RouteDecision =
  | { status: 404; message: 'plugin route match not found' }
  | { status: 403; message: 'plugin proxy route access denied'; route: PluginRoute; index: number }
  | { status: 200; route: PluginRoute; index: number; proxyPath: string };

/**
 * The route Grafana picks for a request. `rbac` false models a Grafana that predates route
 * `reqAction` (it then checks `reqRole` only).
 */
export function decideRoute(
  meta: PluginMeta,
  method: string,
  proxyPath: string,
  who: Identity,
  rbac = true,
): RouteDecision {
  const routes = meta.routes ?? [];
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index];
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const m = matchPattern(route.path, proxyPath);
    if (!m) {
      continue;
    }
    let allowed: boolean;
    if (rbac && route.reqAction) {
      allowed = actionsOf(meta, who).has(route.reqAction);
    } else if (route.reqRole) {
      allowed = RANK[who.orgRole] >= RANK[route.reqRole];
    } else {
      allowed = true;
    }
    if (!allowed) {
      return { status: 403, message: 'plugin proxy route access denied', route, index };
    }
    return { status: 200, route, index, proxyPath: m.star ?? '' };
  }
  return { status: 404, message: 'plugin route match not found' };
}

/** util.JoinURLFragments: the route url and the proxied path joined by exactly one slash. */
export function joinUrlFragments(base: string, path: string): string {
  if (path === '') {
    return base;
  }
  return `${base.replace(/(?<!\/)\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Route url/header templates as Go's text/template renders `{{ .JsonData.x }}` and
 * `{{ .SecureJsonData.x }}` (pluginproxy/utils.go, interpolateString); a missing key renders as
 * "<no value>" for JsonData (a map[string]any) and "" for SecureJsonData (a map[string]string).
 */
export function interpolate(
  template: string,
  data: { JsonData: Record<string, unknown>; SecureJsonData: Record<string, string> },
): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_, scope: string, key: string) => {
      if (scope === 'JsonData') {
        const v = data.JsonData[key];
        return v === undefined || v === null ? '<no value>' : String(v);
      }
      return data.SecureJsonData[key] ?? '';
    },
  );
}
