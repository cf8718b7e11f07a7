/*
 * The multi-window burn-rate table, from what Prometheus holds: the generated alerting rules
 * (alert-rules/sla-*.yml, read back through the rules API), the SLI ratio recording rules they are
 * built on (route:sla_<bad>_per_<all>:ratio_rate<window>) and the ALERTS series for firing and
 * pending. Each SLI's error budget comes from the exporter's report (the SLA config's targets): the
 * route:sla_objective:ratio series sits in the slow rule group and is absent for minutes after a
 * Prometheus start.
 */

/** An alerting rule as Prometheus' /api/v1/rules lists it (only the fields read here). */
export interface AlertRule {
  name: string;
  query: string;
  labels: Record<string, string>;
  duration?: number;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface BurnRateRow {
  sli: string;
  alertname: string;
  severity: string;
  factor: number;
  shortWindow: string;
  longWindow: string;
  /** Burn rates now (ratio of bad events over the window ÷ the error budget); null without data. */
  shortBurn: number | null;
  longBurn: number | null;
  state: 'firing' | 'pending' | 'inactive';
  /** The short-window burn rate as PromQL, for Explore. */
  shortExpr: string;
  longExpr: string;
}

/** The recording rule that holds each SLI's share of bad events (exporter/src/sla/rules.ts). */
export const RATIO_METRIC: Record<string, string> = {
  latency: 'route:sla_slow_per_requests:ratio_rate',
  errors: 'route:sla_errors_per_requests:ratio_rate',
  availability: 'route:sla_down_per_scrapes:ratio_rate',
};

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** PromQL for every SLI ratio of one SLA, every window: one query, the name tells them apart. */
export const ratiosQuery = (sla: string) =>
  `{__name__=~"route:sla_(slow|errors|down)_per_(requests|scrapes):ratio_rate.+",sla=${quote(sla)}}`;
export const alertsQuery = (sla: string) => `ALERTS{sla=${quote(sla)},trigger="burn_rate"}`;

/** The share of events each SLI may get wrong: 0.05 for p95 latency, 0.005 for a 0.5 % error rate. */
export type Budgets = Partial<Record<'latency' | 'errors' | 'availability', number | null>>;

const burnExpr = (sla: string, sli: string, window: string, budget: number | null | undefined) =>
  `${RATIO_METRIC[sli]}${window}{sla=${quote(sla)}}${budget ? ` / ${Number(budget.toPrecision(6))}` : ''}`;

/** The burn-rate tiers of one SLA with their windows' burn rates now, fastest tier first. */
export function burnRateRows(
  sla: string,
  rules: AlertRule[],
  ratios: Sample[],
  budgets: Budgets,
  alerts: Sample[],
): BurnRateRow[] {
  const ratio = (sli: string, window: string) =>
    ratios.find((s) => s.metric.__name__ === `${RATIO_METRIC[sli]}${window}`)?.value ?? null;
  const budget = (sli: string) => budgets[sli as keyof Budgets] ?? null;
  const burn = (sli: string, window: string) => {
    const r = ratio(sli, window);
    const b = budget(sli);
    return r === null || !b ? null : r / b;
  };
  return rules
    .filter((r) => r.labels.trigger === 'burn_rate' && r.query.includes(`sla=${quote(sla)}`))
    .map((r) => {
      const { sli, severity, burn_factor, short_window: short, long_window: long } = r.labels;
      const alert = alerts.find(
        (a) =>
          a.metric.alertname === r.name &&
          a.metric.severity === severity &&
          a.metric.burn_factor === burn_factor &&
          a.metric.long_window === long,
      );
      return {
        sli,
        alertname: r.name,
        severity,
        factor: Number(burn_factor),
        shortWindow: short,
        longWindow: long,
        shortBurn: burn(sli, short),
        longBurn: burn(sli, long),
        state: (alert?.metric.alertstate as BurnRateRow['state']) ?? 'inactive',
        shortExpr: burnExpr(sla, sli, short, budget(sli)),
        longExpr: burnExpr(sla, sli, long, budget(sli)),
      };
    })
    .sort((a, b) => a.sli.localeCompare(b.sli) || b.factor - a.factor);
}
