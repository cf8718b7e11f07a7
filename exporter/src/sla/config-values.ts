/**
 * The vocabulary and friendly value syntaxes of the sla: section: priorities, severities, durations,
 * seconds, ratios, latency targets.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration';

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

export type Priority = (typeof PRIORITIES)[number];

export const SEVERITIES = ['warning', 'critical', 'emergency'] as const;

export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_RANK: Record<Severity, number> = { warning: 0, critical: 1, emergency: 2 };

/** The lower of two severities: a priority's cap applied to an alert. */
export function capSeverity(severity: Severity, max: Severity): Severity {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[max] ? severity : max;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A Prometheus duration (`5m`, `1h30m`, `0s`), normalised (`90m` → `1h30m`). */
export const durationSchema = z.string().transform((s, ctx) => {
  const seconds = parseDuration(s.trim());
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration; write e.g. 30s, 5m, 1h30m, 30d` });
    return z.NEVER;
  }
  return formatDuration(seconds);
});

/** Seconds from a number or a string with ms/s (decimals allowed): 0.2, "200ms", "1.5s". */
export function parseSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(value);
  if (m) return Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  const d = parseDuration(value.trim());
  return d !== undefined && d > 0 ? d : undefined;
}

export const secondsSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = parseSeconds(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a positive time; write e.g. 200ms, 1.5s or 0.2` });
    return z.NEVER;
  }
  return s;
});

/** A ratio from "1%", "99.9 %" or 0.01; numbers above 1 are refused (99.9 would be ambiguous). */
export function parseRatio(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : undefined;
  const m = /^\s*(?:<\s*)?(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (!m) return undefined;
  const r = Number(m[1]) / 100;
  // Decimal cleanup: 99.9% is 0.999, not 0.9990000000000001.
  return r <= 1 ? Number(r.toPrecision(12)) : undefined;
}

export const ratioSchema = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const r = parseRatio(v);
    if (r === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" is not ${what}; write a percentage such as "1%" or a ratio between 0 and 1`,
      });
      return z.NEVER;
    }
    return r;
  });

export interface LatencyTarget {
  /** 0.95 for p95: the share of requests that must finish within the threshold. */
  quantile: number;
  thresholdSeconds: number;
}

const LATENCY_TEXT = /^\s*p(\d{1,2}(?:\.\d+)?)\s*<\s*(\S+)\s*$/i;

export const latencySchema = z
  .union([
    z.string(),
    z
      .object({
        quantile: z.number().gt(0).lt(1),
        threshold: z.union([z.number(), z.string()]),
      })
      .strict(),
  ])
  .transform((v, ctx): LatencyTarget => {
    let quantile: number;
    let threshold: number | undefined;
    if (typeof v === 'string') {
      const m = LATENCY_TEXT.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a latency target; write e.g. "p95 < 200ms"` });
        return z.NEVER;
      }
      quantile = Number((Number(m[1]) / 100).toPrecision(12));
      threshold = parseSeconds(m[2]);
    } else {
      quantile = v.quantile;
      threshold = parseSeconds(v.threshold);
    }
    if (!(quantile > 0 && quantile < 1)) {
      ctx.addIssue({ code: 'custom', message: `quantile must be between p1 and p99.9, got ${quantile}` });
      return z.NEVER;
    }
    if (threshold === undefined) {
      ctx.addIssue({ code: 'custom', message: `latency threshold in "${JSON.stringify(v)}" is not a time` });
      return z.NEVER;
    }
    return { quantile, thresholdSeconds: threshold };
  });

/** What counts as an error: status classes (`5xx`, `4xx`) or single codes (`429`, `499`). */
export const statusSpec = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim().toLowerCase())
  .refine((v) => /^[1-5]xx$/.test(v) || /^[1-5]\d\d$/.test(v), {
    message: 'expected a status class like 5xx or a status code like 429',
  });

export const periodSchema = z
  .string()
  .refine((p) => /^\d+d$/.test(p) || p === 'calendar-month', {
    message: 'expected a rolling window in days (30d, 7d) or calendar-month',
  })
  .refine((p) => p === 'calendar-month' || (Number(p.slice(0, -1)) >= 1 && Number(p.slice(0, -1)) <= 90), {
    message: 'a rolling period must be between 1d and 90d',
  });

export const labelValue = z.string().min(1).max(128);
