import { perfwatch } from '../src';
import { DEFAULT_QUERIES_CONFIG, type QueriesConfigInput, resolveQueriesConfig } from '../src/queries/config';

describe('perfwatch() options', () => {
  test('wrong queries options are refused, each field named with what was expected', () => {
    const create = () =>
      perfwatch({
        defaultMetrics: false,
        queries: {
          ringSize: 0,
          callSites: 'sometimes' as 'off',
          normalisation: [{ pattern: '(', replacement: '' }],
        },
      });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/ringSize: expected a positive integer/);
    expect(create).toThrow(/callSites: expected one of adaptive, always, off/);
    expect(create).toThrow(/normalisation: every pattern must be a valid regular expression/);
  });

  test('an unknown queries option is refused rather than ignored', () => {
    expect(() =>
      perfwatch({ defaultMetrics: false, queries: { slowTresholdMs: 20 } as unknown as QueriesConfigInput }),
    ).toThrow(/slowTresholdMs: unknown key/);
  });

  test('queries options left out, or undefined, take the defaults', () => {
    expect(resolveQueriesConfig({ slowThresholdMs: 20, ringSize: undefined })).toEqual({
      ...DEFAULT_QUERIES_CONFIG,
      slowThresholdMs: 20,
    });
    expect(resolveQueriesConfig()).toEqual(DEFAULT_QUERIES_CONFIG);
  });
});
