import { slaReportWire } from '../test/fixtures';
import { toSlaView } from './slaWire';

describe('the SLA report from the exporter, as the pages see it', () => {
  it('takes the period the page asked for and the exporter’s start and end', () => {
    const view = toSlaView(slaReportWire(), '2026-10');
    expect(view.period).toEqual({
      id: '2026-10',
      label: 'Last 30 days',
      from: '2026-10-23T10:00:00.000Z',
      to: '2026-11-22T10:00:00.000Z',
    });
  });

  it('turns seconds into milliseconds and keeps ratios', () => {
    const [checkout] = toSlaView(slaReportWire(), '30d').endpoints;
    expect(checkout.p95Ms).toBeCloseTo(420, 9);
    expect(checkout.target).toEqual({
      latencyQuantile: 0.95,
      latencyThresholdMs: 300,
      errorRate: 0.01,
      availability: 0.999,
    });
    expect(checkout.latencyCompliance).toBe(0.91);
    expect(checkout.budgetRemaining).toBe(-0.8);
  });

  it('keeps the PromQL behind each number', () => {
    const [checkout] = toSlaView(slaReportWire(), '30d').endpoints;
    expect(checkout.promql.p95).toBe('histogram_quantile(0.95, sum by (le) (increase(x[30d])))');
    expect(Object.keys(checkout.promql)).toEqual(
      expect.arrayContaining(['requests', 'p95', 'errorRate', 'latencyCompliance', 'availability']),
    );
  });

  it('maps the exporter’s camel-case statuses', () => {
    const wire = slaReportWire();
    wire.endpoints[0].status = 'atRisk';
    wire.endpoints[1].status = 'noData';
    expect(toSlaView(wire, '30d').endpoints.map((e) => e.status)).toEqual(['at_risk', 'no_data']);
  });

  it('leaves targets the SLA does not set as null, not zero', () => {
    const wire = slaReportWire();
    wire.endpoints[0].latency.target = null;
    wire.endpoints[0].latency.compliance = null;
    wire.endpoints[0].availability = null;
    const [checkout] = toSlaView(wire, '30d').endpoints;
    expect(checkout.target.latencyQuantile).toBeNull();
    expect(checkout.target.latencyThresholdMs).toBeNull();
    expect(checkout.target.availability).toBeNull();
    expect(checkout.availability).toBeNull();
    expect(checkout.latencyCompliance).toBeNull();
  });
});
