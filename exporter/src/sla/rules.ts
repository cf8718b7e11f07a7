/**
 * Pure functions from resolved SLAs to Prometheus rule groups (recording + alerting), one file per SLA
 * so each can be loaded, tested and reviewed on its own.
 *
 * Maths, chosen after what Sloth and Pyrra get wrong (see shared/research/slo-alerting.md):
 * - Latency SLIs read the exact `le` bucket of the target: "p95 < 200ms" is "≥ 95 % of requests ≤ 0.2 s".
 * - Long windows and the SLA period are ratios of summed base-window *rates* (event-weighted), never
 *   averages of ratios; idle time adds 0 to both sides, so an idle hour neither distorts compliance nor
 *   makes it NaN. Sums run over the recorded rates (one sample per evaluation, a handful of series per
 *   SLA) rather than raw buckets, which keeps a 30 d window affordable (docs/alerting.md, rule cost).
 * - Ratios divide by `(total > 0)`: no traffic gives no sample instead of NaN.
 */
import type { SlaConfig } from './config';
import type { ResolvedSla } from './model';
import { longGroup, shortGroup } from './recording-rules';
import { sliWindows } from './rule-exprs';
import type { Links, RuleFile } from './rule-types';
import { alertRules } from './sla-alert-rules';

export function linksFor(config: SlaConfig): Links {
  const l = config.alerting.links;
  const u = config.alerting.externalUrls;
  const grafana = u.grafana.replace(/(?<!\/)\/+$/, '');
  return {
    runbook: (alert): Record<string, string> =>
      u.runbookBase ? { runbook_url: `${u.runbookBase}#${alert.toLowerCase()}` } : {},
    dashboard: (route) =>
      route === undefined
        ? `${grafana}${l.systemDashboard}`
        : `${grafana}${l.httpDashboard}?var-route=${encodeURIComponent(route)}`,
    routeDashboardTemplate: `${grafana}${l.httpDashboard}?var-route={{ $labels.route | urlquery }}`,
  };
}

/** One rule file per SLA: short recording group, long recording group, alerts. */
export function slaRuleFile(s: ResolvedSla, config: SlaConfig): RuleFile {
  const base = config.window;
  const windows = sliWindows(s, base);
  return {
    groups: [
      shortGroup(s, base, windows),
      longGroup(s, base, windows, config.longRulesInterval),
      alertRules(s, base, config.longRulesInterval, linksFor(config)),
    ],
  };
}
