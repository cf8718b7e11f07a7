import { coveredShare } from '../src/sla/coverage';

describe("the covered share in a coverage note's words", () => {
  test('a sliver of the period is "< 0.1 %", never "0.0 %"', () => {
    // Ten minutes of a 7-day period: a Prometheus started minutes ago.
    expect(coveredShare(600 / (7 * 86_400))).toBe('< 0.1 %');
  });

  test('nearly all of the period is "> 99.9 %", never "100.0 %"', () => {
    expect(coveredShare(1 - 1e-5)).toBe('> 99.9 %');
  });

  test('none, all and the shares between are given to a tenth of a percent', () => {
    expect([0, 0.25, 0.4567, 1].map(coveredShare)).toEqual(['0.0 %', '25.0 %', '45.7 %', '100.0 %']);
  });
});
