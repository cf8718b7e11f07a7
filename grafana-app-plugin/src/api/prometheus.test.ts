import { matrixToFrames } from './prometheus';

const series = (n: number) => ({
  metric: { route: '/api/checkout' },
  values: Array.from({ length: n }, (_, i): [number, string] => [1796566111 - (n - 1 - i) * 3024, '0.4']),
});

describe('Prometheus range results as chart frames', () => {
  it('draws a series of one point as a point, which no line would show', () => {
    const [frame] = matrixToFrames([series(1)], () => 'p95', 'ms', 1000);
    expect(frame.fields[1].config.custom).toEqual({ showPoints: 'always', pointSize: 5 });
  });

  it('leaves a series of several points to its line', () => {
    const [frame] = matrixToFrames([series(3)], () => 'p95', 'ms', 1000);
    expect(frame.fields[1].config.custom).toBeUndefined();
  });

  it('takes the times in milliseconds and scales the values', () => {
    const [frame] = matrixToFrames([series(1)], () => 'p95', 'ms', 1000);
    expect([frame.fields[0].values, frame.fields[1].values]).toEqual([[1796566111000], [400]]);
  });
});
