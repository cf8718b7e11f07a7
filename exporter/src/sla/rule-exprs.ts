/** PromQL and template building blocks shared by an SLA's recording and alerting rules. */
import { parseDuration } from './duration';
import { HTTP_METRIC, type ResolvedSla } from './model';
import { HEARTBEAT_METRIC } from './names';
import { clean, quote } from './promql-text';

/** The SLI windows every SLA gets (SRE workbook pairs), plus whatever the burn tiers name. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

export const HOUR = 3600;
export const DAY = 86400;
export const secs = (d: string) => parseDuration(d) ?? 0;

/** Windows of the SLI ratios for one SLA, shortest first; the base window is always first. */
export function sliWindows(s: ResolvedSla, base: string): string[] {
  const all = new Set([base, ...SLI_WINDOWS]);
  for (const t of s.burnTiers) all.add(t.short).add(t.long);
  return [...all].filter((w) => secs(w) >= secs(base)).sort((a, b) => secs(a) - secs(b));
}

export function sel(s: ResolvedSla, extra: Record<string, string> = {}): string {
  const m = [`sla=${quote(s.id)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${quote(v)}`)];
  return `{${m.join(',')}}`;
}

export function raw(s: ResolvedSla, suffix: string, extra = ''): string {
  return `${HTTP_METRIC}_${suffix}{${s.selector}${extra}}`;
}

export const pctText = (r: number) => `${clean(r * 100)}%`;

/** `{{ with query `…` }}{{ . | first | value | FORMAT }}{{ else }}FALLBACK{{ end }}` */
export function q(expr: string, format: string, fallback: string): string {
  return `{{ with query \`${expr}\` }}{{ . | first | value | ${format} }}{{ else }}${fallback}{{ end }}`;
}

/** `for:` only when there is something to wait for. */
export function forClause(duration: string): { for?: string } {
  return secs(duration) > 0 ? { for: duration } : {};
}

/** Requests a quantile needs before it means something: 3 / (1 − q), and at least minRequests. */
export function quantileMinRequests(s: ResolvedSla, q: number): number {
  return Math.max(s.escalation.minRequests, Math.ceil(clean(3 / clean(1 - q))));
}

/** The pushed app's heartbeat gauge. */
export function heartbeat(s: ResolvedSla): string {
  return `${HEARTBEAT_METRIC}{app=${quote(s.app!)}}`;
}

/** The labels that tell one burn-rate alert from another: its SLI, factor and window pair. */
export function burnLabels(sli: string, t: ResolvedSla['burnTiers'][number]): Record<string, string> {
  return {
    severity: t.severity,
    sli,
    trigger: 'burn_rate',
    burn_factor: String(t.factor),
    long_window: t.long,
    short_window: t.short,
  };
}
