/**
 * Whether Prometheus holds data for the whole of a report period. Without this a quarter asked of a
 * Prometheus with 35 days of retention comes back with the numbers of its last 35 days and nothing
 * saying so. The first and last sample of the period are read with a subquery over `timestamp()`, which
 * works on any Prometheus-compatible backend (no TSDB status API needed) and costs one evaluation per
 * step; the step bounds how precisely the edges are found, so the tolerance below is one step plus the
 * lookback. Gaps inside the period (a scrape target down for a day) are the availability SLI's business,
 * not coverage's.
 */
import type { z } from 'zod';
import type { PrometheusClient } from '../upstream/prometheus';
import { HTTP_METRIC, type ResolvedSla } from './model';
import { quote } from './promql-text';
import type { coverageSchema } from './report-history.schemas';

/** What part of the period Prometheus holds samples for (the API's SlaCoverage, one definition). */
export type Coverage = z.infer<typeof coverageSchema>;

/**
 * A covered share of a period, never rounded to none or all when it is neither: a Prometheus started
 * minutes ago covers 0.01 % of a week, which toFixed(1) wrote as "0.0 %" (the Grafana app's
 * formatCoverage follows the same rule, so the note and the page agree).
 */
export function coveredShare(ratio: number): string {
  if (ratio > 0 && ratio < 0.001) return '< 0.1 %';
  if (ratio > 0.999 && ratio < 1) return '> 99.9 %';
  return `${(ratio * 100).toFixed(1)} %`;
}

/** Prometheus' default lookback: a sample this old still answers an instant selector. */
const LOOKBACK_SECONDS = 300;
/** Evaluations per subquery: edges are found to within period / this. */
const RESOLUTION = 1000;
/** Step of the second, fine subquery over the period's last coarse step. */
const FINE_STEP_SECONDS = 15;

/** The series whose presence says Prometheus was collecting an SLA's data: its job's `up`, or its SLI. */
export function coverageSelector(s: ResolvedSla): string {
  return s.job ? `up{job=${quote(s.job)}}` : `${HTTP_METRIC}_count{${s.selector}}`;
}

export function coverageQueries(selector: string, start: Date, end: Date) {
  const range = Math.max(1, Math.round((end.getTime() - start.getTime()) / 1000));
  const step = Math.max(60, Math.ceil(range / RESOLUTION));
  const at = end.getTime() / 1000;
  const sub = `timestamp(${selector})[${range}s:${step}s] @ ${at}`;
  // Subquery steps are aligned to multiples of the step, not to `end`: samples younger than the last
  // aligned point (a Prometheus started minutes ago, with a 7-day period's 10-minute step) are invisible
  // to the coarse one. A fine subquery over the last step sees them.
  const recent = `timestamp(${selector})[${Math.min(range, step + LOOKBACK_SECONDS)}s:${FINE_STEP_SECONDS}s] @ ${at}`;
  // The fine steps are aligned too: a Prometheus seconds old can have no sample before its last 15 s
  // point, while an instant selector at `end` sees any sample within the lookback.
  const latest = `timestamp(${selector} @ ${at})`;
  return {
    step,
    from: `min(min_over_time(${sub}) or min_over_time(${recent}) or ${latest})`,
    to: `max(${latest} or max_over_time(${recent}) or max_over_time(${sub}))`,
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Coverage of [start, end] by `selector`'s samples. */
export async function measureCoverage(
  prometheus: PrometheusClient,
  selector: string,
  start: Date,
  end: Date,
): Promise<Coverage> {
  const q = coverageQueries(selector, start, end);
  const [first, last] = await Promise.all([prometheus.query(q.from), prometheus.query(q.to)]);
  const startS = start.getTime() / 1000;
  const endS = end.getTime() / 1000;
  const promql = { from: q.from, to: q.to };
  const f = first[0]?.value;
  const l = last[0]?.value;
  if (f === undefined || l === undefined || !Number.isFinite(f) || !Number.isFinite(l))
    return {
      from: null,
      to: null,
      ratio: 0,
      complete: false,
      reason: `Prometheus holds no samples of ${selector} between ${iso(startS)} and ${iso(endS)}: the period is older than its retention (storage.tsdb.retention.time), or nothing was scraped yet`,
      promql,
    };
  const from = Math.max(f, startS);
  const to = Math.min(l, endS);
  const tolerance = q.step + LOOKBACK_SECONDS;
  const lateStart = from - startS > tolerance;
  const earlyEnd = endS - to > tolerance;
  const ratio = endS > startS ? Math.min(1, Math.max(0, (to - from) / (endS - startS))) : 1;
  const share = `${coveredShare(ratio)} of the period`;
  const reasons: string[] = [];
  if (lateStart)
    reasons.push(
      `Prometheus holds samples of ${selector} only from ${iso(from)} (retention, storage.tsdb.retention.time, or a later start of scraping)`,
    );
  if (earlyEnd) reasons.push(`its samples stop at ${iso(to)}`);
  return {
    from: iso(from),
    to: iso(to),
    ratio,
    complete: !lateStart && !earlyEnd,
    ...(reasons.length ? { reason: `${reasons.join('; ')}: the numbers cover ${share} only` } : {}),
    promql,
  };
}

/**
 * Coverage of a period for a set of SLAs: each distinct selector measured once, the least covered one
 * answering for the report (a report is only as complete as its least covered endpoint).
 */
export async function periodCoverage(
  slas: ResolvedSla[],
  prometheus: PrometheusClient,
  start: Date,
  end: Date,
): Promise<Coverage> {
  const selectors = [...new Set(slas.map(coverageSelector))];
  const all = await Promise.all(selectors.map((sel) => measureCoverage(prometheus, sel, start, end)));
  const incomplete = all.filter((c) => !c.complete);
  const pool = incomplete.length ? incomplete : all;
  return (
    pool.sort((a, b) => a.ratio - b.ratio)[0] ?? {
      from: start.toISOString(),
      to: end.toISOString(),
      ratio: 1,
      complete: true,
      promql: { from: '', to: '' },
    }
  );
}
