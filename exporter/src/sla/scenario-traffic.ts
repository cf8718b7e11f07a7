/**
 * Building blocks of the promtool scenarios: traffic as apps and Prometheus produce it (whole requests,
 * stale markers, gaps) as input series, and the alert checks.
 */
import { formatDuration } from './duration';
import { HTTP_METRIC, type ResolvedSla } from './model';
import { clean, leLabel } from './promql-text';

/** Requests arriving between two samples. */
interface Requests {
  status: string;
  seconds: number;
  n: number;
}

type Sample = 'ok' | 'stale' | 'gap';

interface AppTraffic {
  sla: string;
  /** Requests that arrive during step k (between sample k−1 and sample k). */
  requests(step: number): Requests[];
  /** What Prometheus has at step k: a sample, the stale marker a failed scrape writes, or nothing. */
  sample?(step: number): Sample;
  /** The process restarted before this step: its counters start again from 0. */
  restartAt?: number;
  /** How the app spells a bucket bound (`0.3`, or `0.30` like hand-written expositions). */
  spell?(bound: number): string;
  /** Bounds the app's histogram does not have. */
  withoutBounds?: number[];
}

type Token = number | '_' | 'stale';

/** promtool's expanding notation, with runs of a constant step folded (`0+5x120`). */
export function compress(tokens: Token[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (typeof t !== 'number') {
      out.push(t);
      i++;
      continue;
    }
    let j = i + 1;
    const next = tokens[j];
    if (typeof next === 'number') {
      const d = clean(next - t);
      while (
        j + 1 < tokens.length &&
        typeof tokens[j + 1] === 'number' &&
        clean((tokens[j + 1] as number) - (tokens[j] as number)) === d
      )
        j++;
      const n = j - i;
      if (n >= 2) {
        out.push(`${clean(t)}${d < 0 ? '-' : '+'}${Math.abs(d)}x${n}`);
        i = j + 1;
        continue;
      }
    }
    out.push(String(clean(t)));
    i++;
  }
  return out.join(' ');
}

function labelString(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

export interface InputSeries {
  series: string;
  values: string;
}

/** Histogram series (bucket, count, sum per status) of one endpoint over `steps` samples. */
export function histogramSeries(
  s: ResolvedSla,
  buckets: number[],
  app: AppTraffic,
  steps: number,
): InputSeries[] {
  const bounds = buckets.filter((b) => !(app.withoutBounds ?? []).includes(b));
  const statuses = new Set<string>();
  for (let k = 1; k < steps; k++) for (const r of app.requests(k)) statuses.add(r.status);
  const base = {
    job: s.job!,
    instance: s.app ? 'perfwatch:9470' : 'shop:8080',
    route: s.route,
    method: s.method ?? 'GET',
  };
  const out: InputSeries[] = [];
  for (const status of [...statuses].sort()) {
    const tracks: Array<{ labels: Record<string, string>; name: string; of: (r: Requests) => number }> = [
      ...[...bounds, Infinity].map((b) => ({
        name: `${HTTP_METRIC}_bucket`,
        labels: { le: b === Infinity ? '+Inf' : (app.spell ?? leLabel)(b) },
        of: (r: Requests) => (r.seconds <= b ? r.n : 0),
      })),
      { name: `${HTTP_METRIC}_count`, labels: {}, of: (r: Requests) => r.n },
      { name: `${HTTP_METRIC}_sum`, labels: {}, of: (r: Requests) => r.n * r.seconds },
    ];
    for (const track of tracks) {
      const tokens: Token[] = [];
      let v = 0;
      for (let k = 0; k < steps; k++) {
        if (k === app.restartAt) v = 0;
        if (k > 0)
          v = clean(
            v +
              app
                .requests(k)
                .filter((r) => r.status === status)
                .reduce((a, r) => a + track.of(r), 0),
          );
        const state = app.sample?.(k) ?? 'ok';
        tokens.push(state === 'ok' ? v : state === 'stale' ? 'stale' : '_');
      }
      out.push({
        series: labelString(track.name, { ...base, status_code: status, ...track.labels }),
        values: compress(tokens),
      });
    }
  }
  return out;
}

export function series(
  name: string,
  labels: Record<string, string>,
  steps: number,
  at: (k: number) => Token,
): InputSeries {
  return { series: labelString(name, labels), values: compress([...Array(steps).keys()].map(at)) };
}

/** One expected firing alert, as `count by (…) (ALERTS)` shows it. */
interface Firing {
  alertname: string;
  sla?: string;
  sli?: string;
  severity: string;
  trigger?: string;
  burn_factor?: string;
}

const BY = ['alertname', 'sla', 'sli', 'severity', 'trigger', 'burn_factor'];

export function firingCheck(at: number, slas: string[], firing: Firing[], extra = ''): unknown {
  return {
    expr: `count by (${BY.join(', ')}) (ALERTS{alertstate="firing",alertname!="Watchdog",sla=~"${slas.join('|')}|"${extra}})`,
    eval_time: formatDuration(at * 60),
    exp_samples: firing.map((f) => ({
      labels: `{${BY.filter((k) => f[k as keyof Firing] !== undefined)
        .map((k) => `${k}="${f[k as keyof Firing]}"`)
        .join(', ')}}`,
      value: 1,
    })),
  };
}

export const ok = (n: number, seconds = 0.05): Requests => ({ status: '200', seconds, n });

export const failed = (n: number): Requests => ({ status: '500', seconds: 0.05, n });

export const burn = (
  alertname: string,
  sla: string,
  sli: string,
  severity: string,
  factor: string,
): Firing => ({
  alertname,
  sla,
  sli,
  severity,
  trigger: 'burn_rate',
  burn_factor: factor,
});

export const threshold = (alertname: string, sla: string, sli: string, severity: string): Firing => ({
  alertname,
  sla,
  sli,
  severity,
  trigger: 'threshold',
});

export interface Scenario {
  name: string;
  /** Minutes of input (1-minute samples unless `interval` says otherwise). */
  minutes: number;
  interval?: number;
  apps: AppTraffic[];
  /** `up` of the scraped job(s), by step. */
  up?: (k: number) => Token;
  /** Extra input series (heartbeats, Perfwatch's own up). */
  extra?: (steps: number) => InputSeries[];
  checks: unknown[];
}
