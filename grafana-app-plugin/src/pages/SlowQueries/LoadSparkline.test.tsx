import React from 'react';
import { render, screen } from '@testing-library/react';
import { describeLoad, LoadSparkline } from './LoadSparkline';

const SERIES = { count: [1, 0, 5, 2], totalMs: [300, 0, 2900, 400] };

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
    render(<LoadSparkline series={SERIES} from={Date.UTC(2026, 10, 22)} bucketSeconds={600} />);
    expect(screen.getByRole('img', { name: /^Load: 8 queries, 3.60 s/ })).toBeInTheDocument();
  });
});
