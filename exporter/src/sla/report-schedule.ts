/**
 * When the monthly SLA report goes out: on `day` of each month at `at` (UTC), reporting the month
 * before. Node timers cannot wait longer than 2^31 − 1 ms (about 24.8 days, less than a month), so a
 * wait longer than that is taken in steps, each re-reading the clock.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface MonthlyAt {
  /** Day of the month, 1–28 (every month has it). */
  day: number;
  /** `HH:MM`, UTC. */
  at: string;
}

/** The first run strictly after `now`. */
export function nextMonthlyRun(now: Date, when: MonthlyAt): Date {
  const [h, m] = when.at.split(':').map(Number);
  const at = (monthOffset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthOffset, when.day, h, m));
  const thisMonth = at(0);
  return thisMonth.getTime() > now.getTime() ? thisMonth : at(1);
}

/** `YYYY-MM` of the month before the one `runAt` falls in: the month a run reports. */
export function reportedMonth(runAt: Date): string {
  const d = new Date(Date.UTC(runAt.getUTCFullYear(), runAt.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Calls `send(month)` at every monthly run until stopped. A run's failure is the caller's to log and
 * count; the schedule goes on to the next month either way.
 */
export function scheduleMonthly(when: MonthlyAt, send: (month: string) => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    const next = nextMonthlyRun(new Date(), when);
    const wait = next.getTime() - Date.now();
    const fire = async () => {
      if (stopped) return;
      if (Date.now() < next.getTime()) return arm();
      await send(reportedMonth(next)).catch(() => undefined);
      arm();
    };
    timer = setTimeout(() => void fire(), Math.min(wait, MAX_TIMER_MS));
    // A pending monthly report must not keep the process alive on shutdown.
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
