/**
 * Report periods: rolling (`30d`, `7d`: the last N days up to now) and calendar (`2026-10`, `2026-Q4`,
 * UTC). A calendar period is evaluated from its first instant to its end or to now, whichever is first:
 * on its first day it has seen few requests and its error budget is whole.
 */
export interface ReportPeriod {
  /** As asked: `30d`, `2026-10`, `2026-Q4`. */
  label: string;
  kind: 'rolling' | 'calendar';
  start: Date;
  /** Where evaluation stops: the period's end, or now for a period still running. */
  end: Date;
  /** The period's end (equal to `end` for rolling periods). */
  periodEnd: Date;
  /** Seconds from start to end: the range of every query. */
  elapsedSeconds: number;
  /** Seconds of the whole period: what error-budget minutes are counted against. */
  durationSeconds: number;
  complete: boolean;
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

export const PERIOD_PATTERN = /^(\d{1,2}d|\d{4}-(0[1-9]|1[0-2])|\d{4}-Q[1-4])$/;

export function resolvePeriod(label: string, now: Date = new Date()): ReportPeriod {
  // Whole seconds: ranges and `@` timestamps in the PromQL stay readable and exact.
  const nowS = Math.floor(now.getTime() / 1000);
  const rolling = /^(\d{1,2})d$/.exec(label);
  if (rolling) {
    const days = Number(rolling[1]);
    if (days < 1 || days > 90) throw new PeriodError(`a rolling period is 1d to 90d, not ${label}`);
    const seconds = days * 86400;
    const end = new Date(nowS * 1000);
    return {
      label,
      kind: 'rolling',
      start: new Date((nowS - seconds) * 1000),
      end,
      periodEnd: end,
      elapsedSeconds: seconds,
      durationSeconds: seconds,
      complete: true,
    };
  }
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(label);
  if (!month && !quarter)
    throw new PeriodError(
      `unknown period "${label}": use 30d, 7d (rolling), 2026-10 (month) or 2026-Q4 (quarter)`,
    );
  const year = Number((month ?? quarter)![1]);
  const firstMonth = month ? Number(month[2]) - 1 : (Number(quarter![2]) - 1) * 3;
  if (month && (firstMonth < 0 || firstMonth > 11)) throw new PeriodError(`no month ${month[2]} in ${label}`);
  const startS = Date.UTC(year, firstMonth, 1) / 1000;
  const periodEndS = Date.UTC(year, firstMonth + (month ? 1 : 3), 1) / 1000;
  if (startS >= nowS) throw new PeriodError(`period ${label} has not started yet`);
  const endS = Math.min(periodEndS, nowS);
  return {
    label,
    kind: 'calendar',
    start: new Date(startS * 1000),
    end: new Date(endS * 1000),
    periodEnd: new Date(periodEndS * 1000),
    elapsedSeconds: endS - startS,
    durationSeconds: periodEndS - startS,
    complete: endS === periodEndS,
  };
}
