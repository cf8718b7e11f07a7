/**
 * The escalation ladder: its schema, the one place its defaults live (DEFAULT_ESCALATION), and how overrides
 * merge.
 */
import { z } from 'zod';
import {
  durationSchema,
  PRIORITIES,
  type Priority,
  ratioSchema,
  secondsSchema,
  SEVERITIES,
  type Severity,
} from './config-values';

const burnTierSchema = z
  .object({
    /** Burn rate: how many times faster than "exactly on budget" the budget is being spent. */
    factor: z.number().positive(),
    long: durationSchema,
    short: durationSchema,
    for: durationSchema,
    severity: z.enum(SEVERITIES),
  })
  .strict();

export const bySeverity = <T extends z.ZodType>(t: T) =>
  z.object({ warning: t, critical: t, emergency: t }).partial().strict();

/** Escalation settings; every field optional here, DEFAULT_ESCALATION fills the gaps. */
export const escalationSchema = z
  .object({
    /** Latency thresholds: warning/critical as multiples of the target, emergency as an absolute time. */
    latency: z
      .object({
        warning: z.number().gt(1),
        critical: z.number().gt(1),
        emergency: secondsSchema,
      })
      .partial()
      .strict(),
    /** Error-rate thresholds, absolute ("2%"). */
    errorRate: bySeverity(ratioSchema('an error rate')),
    /** How long a threshold must be crossed before the alert fires, per severity. */
    for: bySeverity(durationSchema),
    /**
     * Requests in the window below which threshold alerts stay quiet (one slow request is not a p95).
     * Quantile alerts also need 3/(1−q) requests (60 for p95, 300 for p99), whichever is more.
     */
    minRequests: z.number().int().min(0),
    /**
     * Bad requests (errors, or requests slower than the target) the long window of a burn tier must hold
     * before it fires: at 20 requests an hour, two errors are 10 % and burn "14.4×", yet mean nothing.
     */
    minBadEvents: z.number().int().min(0),
    /**
     * How long an SLA alert keeps firing after its condition stops holding (Prometheus keep_firing_for):
     * bursty traffic leaves short windows empty between bursts, which must not resolve a page.
     */
    keepFiringFor: durationSchema,
    /** Priorities whose `critical` burn tiers page (are raised to emergency), e.g. the 6× tier. */
    pageCriticalTiers: z.array(z.enum(PRIORITIES)),
    /** Multi-window multi-burn-rate tiers (Google SRE workbook). */
    burnRates: z.array(burnTierSchema),
    /** The highest severity an endpoint of each priority may raise; higher tiers are capped to it. */
    maxSeverity: z
      .object({
        critical: z.enum(SEVERITIES),
        high: z.enum(SEVERITIES),
        medium: z.enum(SEVERITIES),
        low: z.enum(SEVERITIES),
      })
      .partial()
      .strict(),
    /** Week-over-week p95 regression (warning). */
    regression: z
      .object({
        enabled: z.boolean(),
        /** p95 now above factor × p95 a week ago … */
        factor: z.number().gt(1),
        /** … and at least this much slower, so 2 ms → 4 ms does not page anyone. */
        minIncrease: secondsSchema,
        window: durationSchema,
        for: durationSchema,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type EscalationInput = z.output<typeof escalationSchema>;

export interface BurnTier {
  factor: number;
  long: string;
  short: string;
  for: string;
  severity: Severity;
}

export interface Escalation {
  latency: { warning: number; critical: number; emergency: number };
  errorRate: Record<Severity, number>;
  for: Record<Severity, string>;
  minRequests: number;
  minBadEvents: number;
  keepFiringFor: string;
  pageCriticalTiers: Priority[];
  burnRates: BurnTier[];
  maxSeverity: Record<Priority, Severity>;
  regression: { enabled: boolean; factor: number; minIncrease: number; window: string; for: string };
}

/**
 * The one place escalation defaults live. Burn tiers are the SRE workbook's for a 30-day budget:
 * 2 % of the budget in 1 h (14.4×), 5 % in 6 h (6×), 10 % in 1 d (3×) and 10 % in 3 d (1×).
 */
export const DEFAULT_ESCALATION: Escalation = {
  latency: { warning: 1.2, critical: 1.5, emergency: 1 },
  errorRate: { warning: 0.02, critical: 0.05, emergency: 0.1 },
  // Never 0s: one evaluation over a threshold is not yet a problem worth waking someone for.
  for: { warning: '5m', critical: '2m', emergency: '1m' },
  minRequests: 10,
  minBadEvents: 5,
  keepFiringFor: '10m',
  pageCriticalTiers: ['critical'],
  burnRates: [
    { factor: 14.4, long: '1h', short: '5m', for: '2m', severity: 'emergency' },
    { factor: 6, long: '6h', short: '30m', for: '15m', severity: 'critical' },
    { factor: 3, long: '1d', short: '2h', for: '1h', severity: 'warning' },
    { factor: 1, long: '3d', short: '6h', for: '3h', severity: 'warning' },
  ],
  maxSeverity: { critical: 'emergency', high: 'emergency', medium: 'critical', low: 'warning' },
  regression: { enabled: true, factor: 1.5, minIncrease: 0.05, window: '1h', for: '30m' },
};

/** Deep merge of escalation overrides over a base; arrays (burnRates) replace, objects merge. */
export function mergeEscalation(base: Escalation, over: EscalationInput | undefined): Escalation {
  if (!over) return base;
  return {
    latency: { ...base.latency, ...over.latency },
    errorRate: { ...base.errorRate, ...over.errorRate },
    for: { ...base.for, ...over.for },
    minRequests: over.minRequests ?? base.minRequests,
    minBadEvents: over.minBadEvents ?? base.minBadEvents,
    keepFiringFor: over.keepFiringFor ?? base.keepFiringFor,
    pageCriticalTiers: over.pageCriticalTiers ?? base.pageCriticalTiers,
    burnRates: over.burnRates ?? base.burnRates,
    maxSeverity: { ...base.maxSeverity, ...over.maxSeverity },
    regression: { ...base.regression, ...over.regression },
  };
}
