import { durationStats, incidentStats, type StatsRow } from '../src/incidents/stats';

const T0 = Date.parse('2026-02-01T00:00:00Z');
const min = 60_000;

function row(o: Partial<StatsRow>): StatsRow {
  return {
    severity: 'high',
    status: 'resolved',
    source: 'alertmanager',
    createdAt: T0,
    acknowledgedAt: null,
    resolvedAt: null,
    ...o,
  };
}

describe('MTTA and MTTR', () => {
  // Five incidents with known timelines (minutes after creation):
  //   A: ack 2, resolved 30      B: ack 4, resolved 60      C: ack 10, resolved 20
  //   D: ack 6, still open       E: never acknowledged, resolved 90 (auto-resolved)
  const rows = [
    row({ acknowledgedAt: T0 + 2 * min, resolvedAt: T0 + 30 * min }),
    row({ createdAt: T0 + 100 * min, acknowledgedAt: T0 + 104 * min, resolvedAt: T0 + 160 * min }),
    row({ createdAt: T0 + 200 * min, acknowledgedAt: T0 + 210 * min, resolvedAt: T0 + 220 * min }),
    row({ createdAt: T0 + 300 * min, acknowledgedAt: T0 + 306 * min, status: 'monitoring' }),
    row({ createdAt: T0 + 400 * min, resolvedAt: T0 + 490 * min, severity: 'medium', source: 'manual' }),
  ];
  const s = incidentStats(rows);

  test('MTTA is the mean of creation → acknowledgement over acknowledged incidents', () => {
    // (2 + 4 + 10 + 6) / 4 = 5.5 minutes
    expect(s.mtta).toEqual({ count: 4, meanSeconds: 330, medianSeconds: 240, p90Seconds: 600 });
  });

  test('MTTR is the mean of creation → resolution over resolved incidents', () => {
    // (30 + 60 + 20 + 90) / 4 = 50 minutes
    expect(s.mttr).toEqual({ count: 4, meanSeconds: 3000, medianSeconds: 1800, p90Seconds: 5400 });
  });

  test('counts by severity, status and source, open and unacknowledged', () => {
    expect(s.total).toBe(5);
    expect(s.open).toBe(1);
    expect(s.unacknowledged).toBe(0);
    expect(s.bySeverity).toEqual({ low: 0, medium: 1, high: 4, critical: 0 });
    expect(s.byStatus).toEqual({ investigating: 0, identified: 0, monitoring: 1, resolved: 4 });
    expect(s.bySource).toEqual({ alertmanager: 4, manual: 1 });
  });
});

test('no incidents gives counts of zero and no averages', () => {
  const s = incidentStats([]);
  expect(s.total).toBe(0);
  expect(s.mtta).toEqual({ count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null });
});

test('an acknowledgement stamped before creation counts as zero, not negative', () => {
  expect(incidentStats([row({ acknowledgedAt: T0 - 5000 })]).mtta.meanSeconds).toBe(0);
});

test('a reopened incident (open again, resolvedAt cleared) is not in MTTR', () => {
  const s = incidentStats([row({ status: 'investigating', resolvedAt: null, acknowledgedAt: null })]);
  expect(s.mttr.count).toBe(0);
  expect(s.unacknowledged).toBe(1);
});

test('percentiles are nearest-rank values of the inputs', () => {
  expect(durationStats([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual({
    count: 10,
    meanSeconds: 55,
    medianSeconds: 50,
    p90Seconds: 90,
  });
});
