import { config } from '@grafana/runtime';

/** The RBAC action plugin.json's write routes require (reqAction) and its "Incidents writer" role grants. */
export const INCIDENTS_WRITE_ACTION = 'perfwatch-app.incidents:write';

/**
 * Whether the signed-in user may change incidents. The proxy route enforces the rule (reqAction,
 * or reqRole Editor on a Grafana without route RBAC); this only keeps buttons from promising what
 * the proxy refuses. With RBAC, Grafana's boot data lists the user's actions, plugin roles
 * included, so a Viewer on call who was given the "Incidents writer" role may act too.
 */
export function useCanWrite(): boolean {
  const user = config.bootData?.user as
    { orgRole?: string; isGrafanaAdmin?: boolean; permissions?: Record<string, boolean> } | undefined;
  if (user?.permissions?.[INCIDENTS_WRITE_ACTION]) {
    return true;
  }
  return Boolean(user?.isGrafanaAdmin || user?.orgRole === 'Editor' || user?.orgRole === 'Admin');
}

export function currentUserLogin(): string {
  return config.bootData?.user?.login || '';
}
