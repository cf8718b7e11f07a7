import { config } from '@grafana/runtime';

/**
 * Whether the signed-in user may change incidents. The proxy route enforces the same rule
 * (reqRole Editor on writes); this only keeps buttons from promising what the proxy refuses.
 */
export function useCanWrite(): boolean {
  const user = config.bootData?.user;
  return Boolean(user?.isGrafanaAdmin || user?.orgRole === 'Editor' || user?.orgRole === 'Admin');
}

export function currentUserLogin(): string {
  return config.bootData?.user?.login || '';
}
