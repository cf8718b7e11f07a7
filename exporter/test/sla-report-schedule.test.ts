import { nextMonthlyRun, reportedMonth, scheduleMonthly } from '../src/sla/report-schedule';

const when = { day: 1, at: '06:00' };

test('the next run is this month when its time has not come, else next month', () => {
  expect(nextMonthlyRun(new Date('2026-12-01T05:59:00Z'), when).toISOString()).toBe(
    '2026-12-01T06:00:00.000Z',
  );
  expect(nextMonthlyRun(new Date('2026-12-01T06:00:00Z'), when).toISOString()).toBe(
    '2027-01-01T06:00:00.000Z',
  );
  expect(nextMonthlyRun(new Date('2026-12-06T07:00:00Z'), { day: 28, at: '23:30' }).toISOString()).toBe(
    '2026-12-28T23:30:00.000Z',
  );
});

test('a run reports the month before it', () => {
  expect(reportedMonth(new Date('2027-01-01T06:00:00Z'))).toBe('2026-12');
  expect(reportedMonth(new Date('2026-10-03T00:00:00Z'))).toBe('2026-09');
});

describe('the schedule', () => {
  afterEach(() => jest.useRealTimers());

  test('waits out more than a Node timer can hold and sends each month the month before', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-06T07:00:00Z') });
    const sent: Array<[string, string]> = [];
    const stop = scheduleMonthly(when, async (month) => {
      sent.push([month, new Date().toISOString()]);
    });
    // 2026-12-06T07:00 → 2027-01-01T06:00 is 25.96 days, past Node's 24.8-day timer limit.
    await jest.advanceTimersByTimeAsync(Date.parse('2027-01-01T05:59:59Z') - Date.now());
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([['2026-12', '2027-01-01T06:00:00.000Z']]);
    await jest.advanceTimersByTimeAsync(Date.parse('2027-02-01T06:00:00Z') - Date.now());
    expect(sent.map(([m]) => m)).toEqual(['2026-12', '2027-01']);
    stop();
    await jest.advanceTimersByTimeAsync(40 * 86400_000);
    expect(sent).toHaveLength(2);
  });

  test('a failed send does not stop the next month', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-31T07:00:00Z') });
    const months: string[] = [];
    const stop = scheduleMonthly(when, async (month) => {
      months.push(month);
      throw new Error('SMTP down');
    });
    await jest.advanceTimersByTimeAsync(Date.parse('2027-02-01T06:00:00Z') - Date.now());
    expect(months).toEqual(['2026-12', '2027-01']);
    stop();
  });
});
