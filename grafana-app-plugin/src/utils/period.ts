/** SLA report periods as the exporter's API names them: 7d, 30d, 2026-10, 2026-Q4. */
export type PeriodKind = 'rolling7' | 'rolling30' | 'month' | 'quarter';

export function periodKind(period: string): PeriodKind {
  if (period === '7d') {
    return 'rolling7';
  }
  if (/^\d{4}-Q[1-4]$/.test(period)) {
    return 'quarter';
  }
  if (/^\d{4}-\d{2}$/.test(period)) {
    return 'month';
  }
  return 'rolling30';
}

export function isValidPeriod(period: string | null): period is string {
  return Boolean(
    period &&
    (/^(7d|30d)$/.test(period) || /^\d{4}-(0[1-9]|1[0-2])$/.test(period) || /^\d{4}-Q[1-4]$/.test(period)),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The current and the previous eleven calendar months, newest first (UTC, like the exporter). */
export function recentMonths(now = new Date()): Array<{ label: string; value: string }> {
  const out = [];
  for (let i = 0; i < 12; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push({
      label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`,
      value: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`,
    });
  }
  return out;
}

/** The current and the previous three calendar quarters, newest first. */
export function recentQuarters(now = new Date()): Array<{ label: string; value: string }> {
  const out = [];
  let year = now.getUTCFullYear();
  let q = Math.floor(now.getUTCMonth() / 3) + 1;
  for (let i = 0; i < 4; i++) {
    out.push({ label: `Q${q} ${year}`, value: `${year}-Q${q}` });
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return out;
}

/** A heading for the period: "Last 30 days", "October 2026", "Q4 2026". */
export function periodTitle(period: string): string {
  if (period === '7d') {
    return 'Last 7 days';
  }
  if (period === '30d') {
    return 'Last 30 days';
  }
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    return `${MONTHS[Number(month[2]) - 1]} ${month[1]}`;
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) {
    return `Q${quarter[2]} ${quarter[1]}`;
  }
  return period;
}
