import { dateMath, dateTime, type TimeRange } from '@grafana/data';

export const DEFAULT_FROM = 'now-24h';
export const DEFAULT_TO = 'now';

/**
 * A Grafana time range from the URL's `from`/`to` (relative like `now-6h`, or epoch ms), and the
 * absolute milliseconds the exporter API takes.
 */
export function parseRange(
  rawFrom: string | null,
  rawTo: string | null,
  defaults: { from: string; to: string } = { from: DEFAULT_FROM, to: DEFAULT_TO },
): { range: TimeRange; from: number; to: number } {
  const raw = { from: rawFrom || defaults.from, to: rawTo || defaults.to };
  // One "now" for both ends, so now-6h…now is exactly six hours.
  const now = Date.now();
  const asDate = (value: string, roundUp: boolean) =>
    /^\d+$/.test(value) ? dateTime(Number(value)) : dateMath.toDateTime(value, { roundUp, now });
  let from = asDate(raw.from, false);
  let to = asDate(raw.to, true);
  if (!from?.isValid() || !to?.isValid()) {
    raw.from = defaults.from;
    raw.to = defaults.to;
    from = dateMath.toDateTime(raw.from, { roundUp: false, now });
    to = dateMath.toDateTime(raw.to, { roundUp: true, now });
  }
  const range: TimeRange = { from: from!, to: to!, raw };
  return { range, from: range.from.valueOf(), to: range.to.valueOf() };
}

/** URL values for a range: relative expressions stay relative, absolute ones become epoch ms. */
export function rangeToUrl(range: TimeRange): { from: string; to: string } {
  const part = (raw: TimeRange['raw']['from'], value: TimeRange['from']) =>
    typeof raw === 'string' && !/^\d+$/.test(raw) && raw.includes('now') ? raw : String(value.valueOf());
  return { from: part(range.raw.from, range.from), to: part(range.raw.to, range.to) };
}
