/**
 * Burn-rate tiers as they apply to one SLA: scaled to its period and priority, and checked for tiers that
 * can never fire.
 */
import { capSeverity, type Priority, type Severity } from './config-values';
import { parseDuration } from './duration';
import type { BurnTier, Escalation } from './escalation-config';
import { clean } from './promql-text';

/** Days of the period the burn factors are written for (the SRE workbook's). */
export const REFERENCE_PERIOD_DAYS = 30;

/**
 * Burn tiers as they apply to one SLA: the factors spend the same share of the budget in the same
 * windows whatever the period (a 7-day budget is spent 30/7 times faster at the same error ratio, so
 * its factors are 7/30 of the 30-day ones); critical tiers page for the priorities that ask for it; the
 * priority's cap applies last.
 */
export function scaledTiers(esc: Escalation, priority: Priority, cap: Severity, period: string): BurnTier[] {
  const days = period === 'calendar-month' ? REFERENCE_PERIOD_DAYS : Number(period.slice(0, -1));
  return esc.burnRates.map((t) => {
    const raised =
      t.severity === 'critical' && esc.pageCriticalTiers.includes(priority) ? 'emergency' : t.severity;
    return {
      ...t,
      factor: clean((t.factor * days) / REFERENCE_PERIOD_DAYS),
      severity: capSeverity(raised, cap),
    };
  });
}

export function checkTiers(
  problems: string[],
  where: string,
  what: string,
  budget: number,
  tiers: BurnTier[],
): void {
  for (const t of tiers) {
    const long = parseDuration(t.long) ?? 0;
    const short = parseDuration(t.short) ?? 0;
    if (!(short < long))
      problems.push(
        `${where}: burn tier ${t.factor}× has short window ${t.short} not shorter than ${t.long}`,
      );
    const threshold = t.factor * budget;
    if (threshold >= 1)
      problems.push(
        `${where}: ${what} leaves an error budget of ${pct(budget)}, so the ${t.factor}× burn tier ` +
          `(${t.long}/${t.short}) would need ${pct(threshold)} bad requests and can never fire; ` +
          `tighten the target or give this endpoint escalation.burnRates without that tier`,
      );
  }
}

export function pct(r: number): string {
  return `${clean(r * 100)}%`;
}
