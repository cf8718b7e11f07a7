import React from 'react';
import { render, screen } from '@testing-library/react';
import { describeLoad, loadFields, LoadSparkline } from './LoadSparkline';

const SERIES = { count: [1, 0, 5, 2], totalMs: [300, 0, 2900, 400] };
const FROM = Date.UTC(2026, 10, 22);

describe('Load sparkline', () => {
  it('puts totals and the busiest bucket in words', () => {
    expect(describeLoad(SERIES, 600)).toBe(
      '8 queries, 3.60 s in the range; busiest 10 min: 5 queries, 2.90 s',
    );
  });

  it('names hour-wide buckets in hours', () => {
    expect(describeLoad(SERIES, 7200)).toMatch(/busiest 2 h:/);
  });

  it('draws the series with its numbers as the accessible name', () => {
    render(<LoadSparkline series={SERIES} from={FROM} bucketSeconds={600} />);
    expect(screen.getByRole('img', { name: /^Load: 8 queries, 3.60 s/ })).toBeInTheDocument();
  });

  // jsdom gives uPlot no canvas, so what the Sparkline is handed is checked here rather than drawn.
  it("plots each bucket's time spent at the start of its bucket", () => {
    const { x, y } = loadFields(SERIES, FROM, 600, 'blue');
    expect(x.values).toEqual([FROM, FROM + 600_000, FROM + 1_200_000, FROM + 1_800_000]);
    expect(y.values).toEqual([300, 0, 2900, 400]);
  });

  it('scales the y axis from zero to the busiest bucket, even when no bucket is idle', () => {
    const busy = { count: [2, 3], totalMs: [400, 1000] };
    expect(loadFields(busy, FROM, 600, 'blue').y.state?.range).toEqual({ min: 0, max: 1000, delta: 1000 });
  });
});
