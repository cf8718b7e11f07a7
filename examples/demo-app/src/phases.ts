/**
 * Degraded phases the demo can be switched into, so every dashboard, alert and app page has a real
 * problem to show. Several can be active at once ("slow-checkout,failing-jobs").
 */
export const PHASES = {
  normal: 'healthy traffic',
  'slow-checkout': 'POST /api/checkout waits on a lock for ~1.2 s (latency SLA breach)',
  'error-burst':
    'a quarter of checkouts hit a database statement timeout and fail with 500 (error-rate SLA breach)',
  'n-plus-one': 'GET /api/products loads each product’s reviews with its own query',
  'failing-jobs': 'report bundles cannot be stored: export jobs are retried once, then fail',
} as const;

export type Fault = Exclude<keyof typeof PHASES, 'normal'>;

export class PhaseError extends Error {}

/** Parses "normal" or a comma-separated list of faults; throws a PhaseError naming what is allowed. */
export function parsePhase(text: string): Set<Fault> {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const faults = new Set<Fault>();
  for (const n of names) {
    if (!(n in PHASES))
      throw new PhaseError(
        `unknown phase "${n}"; expected one or more of: ${Object.keys(PHASES).join(', ')}`,
      );
    if (n !== 'normal') faults.add(n as Fault);
  }
  return faults;
}

export function phaseName(faults: Set<Fault>): string {
  return faults.size === 0 ? 'normal' : [...faults].sort().join(',');
}
