import { lastValueFrom } from 'rxjs';
import { useAsyncRetry } from 'react-use';
import { getBackendSrv } from '@grafana/runtime';
import { queryRange } from '../../api/prometheus';
import { useSettings } from '../../utils/settings';
import {
  alertsQuery,
  burnRateRows,
  ratiosQuery,
  type AlertRule,
  type Budgets,
  type Sample,
} from './burnRates';

interface RulesResponse {
  status: string;
  data?: { groups: Array<{ name: string; rules: Array<AlertRule & { type: string }> }> };
}

/**
 * The alerting rules Prometheus has loaded, through Grafana's datasource proxy as the charts' queries
 * go (pkg/api/pluginproxy/ds_proxy.go forwards any GET under the datasource's URL).
 */
async function alertRules(uid: string): Promise<AlertRule[]> {
  const response = await lastValueFrom(
    getBackendSrv().fetch<RulesResponse>({
      url: `/api/datasources/proxy/uid/${encodeURIComponent(uid)}/api/v1/rules?type=alert`,
      method: 'GET',
      showErrorAlert: false,
    }),
  );
  return (response.data.data?.groups ?? []).flatMap((g) => g.rules.filter((r) => r.type === 'alerting'));
}

/**
 * An instant query as a one-point range query (the page's only Prometheus client is query_range).
 * Prometheus looks back 5 minutes for each series' latest sample, which covers the long-window rule
 * group's evaluation interval, and stale markers drop series that ended (a resolved alert).
 */
async function instant(uid: string, expr: string, now: number): Promise<Sample[]> {
  const series = await queryRange(uid, expr, now, now, 15);
  return series
    .filter((s) => s.values.length > 0)
    .map((s) => ({ metric: s.metric, value: Number(s.values[s.values.length - 1][1]) }));
}

/** The burn-rate tiers of one SLA now, from Prometheus; undefined without a datasource configured. */
export function useBurnRates(sla: string, budgets: Budgets) {
  const { prometheusDatasourceUid: uid } = useSettings();
  const state = useAsyncRetry(async () => {
    if (!uid) {
      return undefined;
    }
    const now = Date.now();
    const [rules, ratios, alerts] = await Promise.all([
      alertRules(uid),
      instant(uid, ratiosQuery(sla), now),
      instant(uid, alertsQuery(sla), now),
    ]);
    return burnRateRows(sla, rules, ratios, budgets, alerts);
  }, [uid, sla, budgets.latency, budgets.errors, budgets.availability]);
  return { configured: Boolean(uid), uid, state };
}
