/** The shapes of a Prometheus rule file, as the generators build them and promtool reads them. */

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

export interface Links {
  /** `{ runbook_url }` when a runbook base is configured, else nothing (better than a dead link). */
  runbook(alert: string): Record<string, string>;
  /** The HTTP dashboard for one route, or the system dashboard. */
  dashboard(route?: string): string;
  /** The HTTP dashboard for the alert's own `route` label (a template). */
  routeDashboardTemplate: string;
}
