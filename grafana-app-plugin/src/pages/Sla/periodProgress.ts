import type { SlaReport } from '../../api/types';

export interface PeriodProgress {
  /** False while a calendar month or quarter is still running. */
  complete: boolean;
  /** Share of the whole period the numbers cover (0…1). */
  elapsed: number;
  /** When the period ends (ISO). */
  periodEnd: string;
}

/**
 * How much of the report's period has passed. The exporter sends this (period.complete,
 * elapsedSeconds, periodEnd), but the plugin's view of the report (src/api/slaWire.ts) drops it
 * until the generated contract replaces that view; until then the same facts are read from the
 * period id and the evaluated range, as the exporter derives them (exporter/src/sla/period.ts,
 * resolvePeriod: a calendar period is evaluated from its first instant to its end or to now).
 */
export function periodProgress(report: SlaReport): PeriodProgress {
  const from = new Date(report.period.from).getTime();
  const to = new Date(report.period.to).getTime();
  const month = /^(\d{4})-(\d{2})$/.exec(report.period.id);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(report.period.id);
  if (!month && !quarter) {
    return { complete: true, elapsed: 1, periodEnd: report.period.to };
  }
  const year = Number((month ?? quarter)![1]);
  const end = month ? Date.UTC(year, Number(month[2]), 1) : Date.UTC(year, Number(quarter![2]) * 3, 1);
  return {
    complete: to >= end,
    elapsed: Math.max(0, Math.min(1, (to - from) / (end - from))),
    periodEnd: new Date(end).toISOString(),
  };
}
