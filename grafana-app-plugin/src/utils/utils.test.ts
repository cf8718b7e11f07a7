import { toExporterError } from '../api/errors';
import { toQueryString } from '../api/client';
import { toCsv } from './csv';
import { formatCoverage, formatDuration, formatMs, formatPercent } from './format';
import { isValidPeriod, periodTitle, recentMonths, recentQuarters } from './period';
import { prefixRoute } from './routing';
import { formatSql } from './sql';
import { parseRange, rangeToUrl } from './time';

describe('time ranges', () => {
  it('reads relative ranges against one "now"', () => {
    const { from, to, range } = parseRange('now-6h', 'now');
    expect(to - from).toBe(6 * 3600_000);
    expect(rangeToUrl(range)).toEqual({ from: 'now-6h', to: 'now' });
  });

  it('reads epoch milliseconds and keeps them absolute', () => {
    const { from, to, range } = parseRange('1763800000000', '1763803600000');
    expect([from, to]).toEqual([1763800000000, 1763803600000]);
    expect(rangeToUrl(range)).toEqual({ from: '1763800000000', to: '1763803600000' });
  });

  it('falls back to the default range on nonsense', () => {
    const { from, to } = parseRange('yesterday-ish', 'now');
    expect(to - from).toBe(24 * 3600_000);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['=1+1', -3],
          ['line\nbreak', null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=1+1,-3\r\n"line\nbreak",\r\n');
  });
});

describe('formatting', () => {
  it('writes durations and ratios for people', () => {
    expect(formatMs(0.5)).toBe('0.50 ms');
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(null)).toBe('–');
    expect(formatPercent(0.9912, 2)).toBe('99.12 %');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe('2 d 4 h');
  });

  it('formats fingerprints with placeholders and leaves unparsable SQL as it was', () => {
    expect(formatSql('select id from users where id in (?) and x = $1', 'postgresql')).toBe(
      'SELECT\n  id\nFROM\n  users\nWHERE\n  id IN (?)\n  AND x = $1',
    );
    expect(formatSql('select (((', 'mysql')).toBe('select (((');
  });
});

describe('SLA periods', () => {
  it('accepts the API forms and names them', () => {
    expect(['7d', '30d', '2026-10', '2026-Q4'].every(isValidPeriod)).toBe(true);
    expect(['90d', '2026-13', '2026-Q5', null].some(isValidPeriod)).toBe(false);
    expect(periodTitle('2026-10')).toBe('October 2026');
    expect(periodTitle('2026-Q4')).toBe('Q4 2026');
  });

  it('lists recent calendar months and quarters across a year boundary', () => {
    const now = new Date('2026-02-10T00:00:00Z');
    expect(
      recentMonths(now)
        .slice(0, 3)
        .map((m) => m.value),
    ).toEqual(['2026-02', '2026-01', '2025-12']);
    expect(recentQuarters(now).map((q) => q.value)).toEqual(['2026-Q1', '2025-Q4', '2025-Q3', '2025-Q2']);
  });
});

describe('URLs', () => {
  it('drop empty values', () => {
    expect(prefixRoute('incidents', { from: '1', to: undefined, q: '' })).toBe(
      '/a/perfwatch-app/incidents?from=1',
    );
    expect(toQueryString({ status: ['a', 'b'], x: null, n: 0 })).toBe('?status=a&status=b&n=0');
  });
});

describe('errors', () => {
  const fetchError = (status: number, data: unknown) => ({ status, data, config: { url: '' } });

  it("pass the exporter's message through", () => {
    expect(
      toExporterError(fetchError(400, { error: { code: 'bad_request', message: 'limit: too big' } })).message,
    ).toBe('limit: too big');
  });

  it('say what to do about a rejected token', () => {
    expect(
      toExporterError(fetchError(401, { error: { code: 'unauthorized', message: 'unknown token' } })).message,
    ).toMatch(/configuration page/);
  });

  it("explain Grafana's role refusal", () => {
    expect(toExporterError(fetchError(403, { message: 'plugin proxy route access denied' })).message).toMatch(
      /Editor role/,
    );
  });

  it('explain an unreachable exporter', () => {
    expect(toExporterError(fetchError(502, {})).message).toMatch(/could not reach the exporter/);
  });
});

describe('formatCoverage', () => {
  it('never rounds a little coverage to none, nor nearly all to all', () => {
    expect(formatCoverage(0)).toBe('0 %');
    expect(formatCoverage(0.0004)).toBe('< 0.1 %');
    expect(formatCoverage(0.0012)).toBe('0.1 %');
    expect(formatCoverage(0.004)).toBe('0.4 %');
    expect(formatCoverage(0.56)).toBe('56 %');
    expect(formatCoverage(0.995)).toBe('99.5 %');
    expect(formatCoverage(0.9996)).toBe('> 99.9 %');
    expect(formatCoverage(1)).toBe('100 %');
  });
});
