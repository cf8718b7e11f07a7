/**
 * Error-budget burndown: how much of each SLI's budget was left at each step of the period, counted from
 * the period's start (Pyrra's main chart). A cumulative count from a fixed start has a range that grows
 * with each point, which one PromQL range query cannot express; so Prometheus returns the increase per
 * step (`increase(…[step])`, one range query per counter) and the running sums are added up here. The
 * sum of the steps matches the report's whole-period `increase()` to within Prometheus' extrapolation at
 * the step edges. Points fall on start + k·step, so the last one is at most one step before `end`.
 */
import type { PrometheusClient, RangeSeries } from '../upstream/prometheus';
import { HTTP_METRIC, type ResolvedSla } from './model';
import { quote } from './promql-text';
import type { ReportPeriod } from './period';
import type { BurndownResponse } from './report-history.schemas';

/** The burndown as computed; the route adds the period's coverage (BurndownResponse, one definition). */
export type Burndown = Omit<BurndownResponse, 'coverage'>;
export type EndpointBurndown = Burndown['endpoints'][number];
export type SliBurndown = EndpointBurndown['slis'][number];
export type BurndownPoint = SliBurndown['points'][number];
export type Sli = SliBurndown['sli'];

/** Points over a whole period: fine enough for a chart, few enough for one range query each. */
const POINTS = 180;

export function burndownStep(period: ReportPeriod): number {
  return Math.max(60, Math.ceil(period.durationSeconds / POINTS / 60) * 60);
}

/** Per-step PromQL of an SLA's SLIs: `bad` events (or bad time) and `total` events per step. */
export function burndownQueries(s: ResolvedSla, step: number) {
  const w = `[${step}s]`;
  const count = (extra = '') => `sum(increase(${HTTP_METRIC}_count{${s.selector}${extra}}${w}))`;
  const total = count();
  const out: Array<{ sli: Sli; objective: number; allowed: number; bad: string; total: string | null }> = [];
  if (s.latency)
    out.push({
      sli: 'latency',
      objective: s.latency.objective,
      allowed: s.latency.budget,
      // Slow = all − within the threshold: the same bucket the report and the recording rules read.
      bad: `${total}\n-\nsum(increase(${HTTP_METRIC}_bucket{${s.selector},le=~${quote(s.latency.leRegex)}}${w}))`,
      total,
    });
  if (s.errors)
    out.push({
      sli: 'errors',
      objective: s.errors.objective,
      allowed: s.errors.budget,
      bad: `(${count(`,status_code=~${quote(s.errors.statusRegex)}`)} or vector(0))`,
      total,
    });
  if (s.availability && s.job)
    out.push({
      sli: 'availability',
      objective: s.availability.objective,
      allowed: s.availability.budget,
      bad: `1 - avg(avg_over_time(up{job=${quote(s.job)}}${w}))`,
      total: null,
    });
  return out;
}

function byTime(series: RangeSeries[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const [t, v] of series[0]?.values ?? []) if (Number.isFinite(v)) m.set(t, v);
  return m;
}

/**
 * Running budget left at each time: events weigh by their count (bad / total so far), time SLIs weigh
 * each step with data equally (bad time share so far).
 */
export function cumulate(
  times: number[],
  bad: Map<number, number>,
  total: Map<number, number> | null,
  allowed: number,
): BurndownPoint[] {
  let badSum = 0;
  let totalSum = 0;
  let seen = false;
  return times.map((t) => {
    const b = bad.get(t);
    if (total) {
      const n = total.get(t);
      if (n !== undefined) {
        seen = true;
        totalSum += n;
        badSum += Math.max(0, b ?? 0);
      }
    } else if (b !== undefined) {
      seen = true;
      totalSum += 1;
      badSum += b;
    }
    // Series present but no events yet: nothing spent.
    if (!seen) return { t, remaining: null };
    return { t, remaining: totalSum > 0 ? 1 - badSum / totalSum / allowed : 1 };
  });
}

export async function buildBurndown(
  slas: ResolvedSla[],
  period: ReportPeriod,
  prometheus: PrometheusClient,
): Promise<Burndown> {
  const step = burndownStep(period);
  const startS = period.start.getTime() / 1000;
  const endS = period.end.getTime() / 1000;
  const times: number[] = [];
  for (let t = startS + step; t <= endS; t += step) times.push(t);
  const range = (expr: string) =>
    times.length ? prometheus.queryRange(expr, times[0], times[times.length - 1], step) : Promise.resolve([]);
  const endpoints: EndpointBurndown[] = [];
  // One endpoint at a time, its two or three SLIs together: a report over many endpoints stays a few
  // range queries in flight, not dozens.
  for (const s of slas) {
    const slis = await Promise.all(
      burndownQueries(s, step).map(async (q): Promise<SliBurndown> => {
        const [bad, total] = await Promise.all([range(q.bad), q.total ? range(q.total) : null]);
        return {
          sli: q.sli,
          objective: q.objective,
          allowedBadRatio: q.allowed,
          promql: { bad: q.bad, total: q.total },
          points: cumulate(times, byTime(bad), total ? byTime(total) : null, q.allowed),
        };
      }),
    );
    endpoints.push({ sla: s.id, title: s.title, slis });
  }
  return {
    period: {
      label: period.label,
      start: period.start.toISOString(),
      end: period.end.toISOString(),
      periodEnd: period.periodEnd.toISOString(),
      complete: period.complete,
    },
    stepSeconds: step,
    endpoints,
  };
}
