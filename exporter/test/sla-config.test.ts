import path from 'node:path';
import { Registry } from 'prom-client';
import { applyEnv, ConfigError, loadConfig, parseConfig } from '../src/config/load';
import type { PerfwatchConfigInput } from '../src/config/schema';
import { perfwatch } from '../src/index';
import { DEFAULT_TIMERS } from '../src/sla/alerting-config';
import { DEFAULT_ESCALATION, mergeEscalation } from '../src/sla/escalation-config';
import { resolveSlas, slaBucketBounds } from '../src/sla/model';
import { series } from '../library/test/support/prom-text';
import { startTestService } from './support/service';

type SlaInput = NonNullable<PerfwatchConfigInput['sla']>;
type EndpointInput = NonNullable<SlaInput['endpoints']>[number];

function resolve(endpoints: EndpointInput[], sla: Omit<SlaInput, 'endpoints'> = {}, buckets?: number[]) {
  const config = parseConfig({
    sla: { job: 'shop', ...sla, endpoints },
    metrics: buckets ? { httpBuckets: buckets } : {},
  });
  return resolveSlas(config.sla, config.metrics.httpBuckets);
}

const problem = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('SLA config', () => {
  test('reads "p95 < 200ms", "< 1%" and "99.9%" into objectives and budgets', () => {
    const [s] = resolve([
      {
        route: '/api/checkout',
        method: 'post',
        latency: 'p95 < 200ms',
        errorRate: '< 1%',
        availability: '99.9%',
      },
    ]);
    expect(s.id).toBe('post-api-checkout');
    expect(s.latency).toMatchObject({
      quantile: 0.95,
      threshold: 0.2,
      le: '0.2',
      objective: 0.95,
      budget: 0.05,
    });
    expect(s.errors).toMatchObject({ maxRatio: 0.01, objective: 0.99, statusRegex: '5..' });
    expect(s.availability).toEqual({ objective: 0.999, budget: 0.001 });
    expect(s.selector).toBe('job="shop",route="/api/checkout",method="POST"');
    expect(s.period).toBe('30d');
  });

  test('escalation defaults: warning at target × 1.2, critical × 1.5, emergency at 1 s; errors 2/5/10 %', () => {
    const [s] = resolve([{ route: '/a', latency: 'p95 < 200ms', errorRate: '1%', priority: 'critical' }]);
    expect(s.latency!.thresholds.map((t) => [t.severity, t.seconds])).toEqual([
      ['warning', 0.24],
      ['critical', 0.3],
      ['emergency', 1],
    ]);
    expect(s.errors!.thresholds.map((t) => [t.severity, t.ratio])).toEqual([
      ['warning', 0.02],
      ['critical', 0.05],
      ['emergency', 0.1],
    ]);
    expect(s.burnTiers.map((t) => [t.factor, t.long, t.short, t.severity])).toEqual([
      [14.4, '1h', '5m', 'emergency'],
      // A critical-priority endpoint's 6× tier pages (escalation.pageCriticalTiers).
      [6, '6h', '30m', 'emergency'],
      [3, '1d', '2h', 'warning'],
      [1, '3d', '6h', 'warning'],
    ]);
    expect(DEFAULT_ESCALATION.latency).toEqual({ warning: 1.2, critical: 1.5, emergency: 1 });
  });

  test('global and per-endpoint escalation overrides merge over the defaults', () => {
    const [s] = resolve(
      [
        {
          route: '/upload',
          latency: 'p95 < 2s',
          priority: 'critical',
          escalation: { latency: { emergency: '5s' } },
        },
      ],
      { escalation: { latency: { warning: 1.1 }, for: { critical: '1m' } } },
    );
    expect(s.latency!.thresholds.map((t) => t.seconds)).toEqual([2.2, 3, 5]);
    expect(s.escalation.for).toEqual({ warning: '5m', critical: '1m', emergency: '1m' });
  });

  test('priority caps severity: medium never reaches emergency, low only warns', () => {
    const [medium, low] = resolve([
      { route: '/m', latency: 'p95 < 200ms', priority: 'medium' },
      { route: '/l', latency: 'p95 < 200ms', errorRate: '1%', priority: 'low' },
    ]);
    expect(medium.latency!.thresholds.map((t) => t.severity)).toEqual(['warning', 'critical']);
    expect(medium.burnTiers.map((t) => t.severity)).toEqual(['critical', 'critical', 'warning', 'warning']);
    expect(low.latency!.thresholds.map((t) => t.severity)).toEqual(['warning']);
    expect(new Set(low.burnTiers.map((t) => t.severity))).toEqual(new Set(['warning']));
  });

  test('a latency target with no histogram bucket is refused, naming the bucket', () => {
    const msg = problem(() =>
      resolve([{ route: '/a', latency: 'p95 < 220ms' }], { histogramBuckets: [0.1, 0.2, 0.5, 1, 5] }),
    );
    expect(msg).toContain(
      'sla.endpoints[0] (any method /a): latency target 220ms has no histogram bucket (le="0.22")',
    );
  });

  test('a target finer than the histogram resolution is refused', () => {
    expect(
      problem(() => resolve([{ route: '/a', latency: { quantile: 0.95, threshold: 0.2000005 } }])),
    ).toContain('finer than the histogram');
  });

  test('a threshold at or above the largest bucket is refused: no quantile can be seen above it', () => {
    const msg = problem(() =>
      resolve([{ route: '/a', latency: 'p95 < 8s', escalation: { latency: { emergency: '20s' } } }]),
    );
    expect(msg).toMatch(/latency emergency 20s is not below the largest bucket 20s/);
  });

  test('an objective so low that a burn tier can never fire is refused, naming the tier', () => {
    const msg = problem(() => resolve([{ route: '/search', latency: 'p90 < 400ms' }]));
    expect(msg).toContain('latency target p90 leaves an error budget of 10%, so the 14.4× burn tier (1h/5m)');
    expect(msg).toContain('can never fire');
    // Without that tier it works.
    const tiers = DEFAULT_ESCALATION.burnRates.slice(1);
    expect(
      resolve([{ route: '/search', latency: 'p90 < 400ms', escalation: { burnRates: tiers } }]),
    ).toHaveLength(1);
  });

  test('an emergency latency below the critical threshold is refused with the fix', () => {
    expect(problem(() => resolve([{ route: '/export', latency: 'p95 < 2s' }]))).toContain(
      'latency emergency threshold 1s is not above the critical 3s; set escalation.latency.emergency for this endpoint',
    );
  });

  test('error thresholds must climb above the target', () => {
    expect(problem(() => resolve([{ route: '/a', errorRate: '3%' }]))).toContain(
      'error-rate warning threshold 2% is not above the target 3%',
    );
  });

  test('a route missing from knownRoutes is refused with a suggestion', () => {
    const msg = problem(() =>
      resolve([{ route: '/api/product/:id', latency: 'p95 < 200ms' }], {
        knownRoutes: ['/api/products/:id', '/api/checkout'],
      }),
    );
    expect(msg).toContain(
      'route /api/product/:id is not one of sla.knownRoutes (did you mean /api/products/:id?)',
    );
  });

  test('every problem is listed at once', () => {
    const msg = problem(() =>
      resolve([
        { route: '/a', latency: 'p90 < 100ms' },
        { route: '/a', errorRate: '0%' },
      ]),
    );
    expect(msg.split('\n').filter((l) => l.startsWith('  sla.endpoints')).length).toBeGreaterThanOrEqual(3);
    expect(msg).toContain('SLA id "a" is also used by');
  });

  test('availability needs the Prometheus job whose up it reads', () => {
    const config = parseConfig({ sla: { endpoints: [{ route: '/a', availability: '99%' }] } });
    expect(problem(() => resolveSlas(config.sla, config.metrics.httpBuckets))).toContain('set sla.job');
  });

  test('perfwatch.example.yml documents exactly the escalation and timer defaults', () => {
    const example = loadConfig(path.join(__dirname, '..', '..', 'perfwatch.example.yml'), {});
    expect(mergeEscalation(DEFAULT_ESCALATION, example.sla.escalation)).toEqual(DEFAULT_ESCALATION);
    expect(example.sla.escalation).toEqual(DEFAULT_ESCALATION);
    for (const k of ['groupWait', 'groupInterval', 'repeatInterval'] as const)
      expect(example.sla.alerting[k]).toEqual(DEFAULT_TIMERS[k]);
    expect(example.sla).toEqual(parseConfig({ sla: { escalation: DEFAULT_ESCALATION } }).sla);
  });

  test("the repository's perfwatch.yml resolves: mixed priorities, overrides, calendar month", () => {
    const c = loadConfig(path.join(__dirname, '..', '..', 'perfwatch.yml'), {});
    const slas = resolveSlas(c.sla, c.metrics.httpBuckets);
    expect(slas.map((s) => `${s.id} ${s.priority}`)).toEqual([
      'post-api-checkout critical',
      'get-api-products-id high',
      'get-api-search medium',
      'post-api-upload medium',
      'post-api-reports-export low',
    ]);
    expect(slas.find((s) => s.period === 'calendar-month')?.id).toBe('post-api-reports-export');
  });

  test('PERFWATCH_PROMETHEUS_URL overrides prometheus.url', () => {
    const c = parseConfig(
      applyEnv({ prometheus: { url: 'http://a:9090' } }, { PERFWATCH_PROMETHEUS_URL: 'http://b:9090' }),
    );
    expect(c.prometheus).toEqual({ url: 'http://b:9090', timeoutMs: 5000, retries: 1 });
  });

  test('syntax errors name the field', () => {
    expect(() => parseConfig({ sla: { endpoints: [{ route: '/a', latency: 'p95 under 2s' }] } })).toThrow(
      /sla\.endpoints\.0\.latency: "p95 under 2s" is not a latency target/,
    );
    expect(() => parseConfig({ sla: { endpoints: [{ route: '/a', errorRate: 1.5 }] } })).toThrow(/errorRate/);
    expect(() => parseConfig({ sla: { endpoints: [{ route: 'api/a', errorRate: '1%' }] } })).toThrow(
      /route: a route template starts with \//,
    );
    expect(() => parseConfig({ sla: { endpoints: [{ route: '/a' }] } })).toThrow(/at least one target/);
  });
});

describe('buckets from SLA targets', () => {
  const sla = {
    endpoints: [
      { route: '/a', latency: 'p95 < 220ms' },
      { route: '/b', latency: 'p99 < 1.2s', escalation: { latency: { emergency: '4s' } } },
    ],
  };

  test('every target and threshold is a bound, and so are the route thresholds (1 s, 2 s)', () => {
    expect(slaBucketBounds(parseConfig({ sla }).sla).sort((a, b) => a - b)).toEqual([
      0.22, 0.264, 0.33, 1, 1, 1.2, 1.44, 1.8, 2, 4,
    ]);
    expect(
      slaBucketBounds(parseConfig({ sla: { ...sla, routeThresholds: { enabled: false } } }).sla).sort(
        (a, b) => a - b,
      ),
    ).toEqual([0.22, 0.264, 0.33, 1, 1.2, 1.44, 1.8, 4]);
  });

  test('the library merges them into the HTTP histogram', async () => {
    const pw = perfwatch({ registry: new Registry(), defaultMetrics: false, sla: parseConfig({ sla }).sla });
    pw.recorder.recordRequest({ method: 'GET', route: '/a', statusCode: 200, durationSeconds: 0.21 });
    const les = series(await pw.registry.metrics(), 'http_server_request_duration_seconds_bucket').map(
      (s) => s.labels.le,
    );
    expect(les).toEqual(expect.arrayContaining(['0.22', '0.264', '0.33', '1.2', '1.44', '1.8', '4']));
  });

  test('the service merges them, and refuses to start with an SLA section that cannot work', async () => {
    const svc = await startTestService({ sla });
    try {
      await (await fetch(`${svc.url}/healthz`)).arrayBuffer();
      const les = series(
        await (await fetch(`${svc.url}/metrics`)).text(),
        'http_server_request_duration_seconds_bucket',
        {
          route: '/healthz',
        },
      ).map((s) => s.labels.le);
      expect(les).toEqual(expect.arrayContaining(['0.22', '0.264', '0.33', '1.44']));
    } finally {
      await svc.close();
    }
    await expect(
      startTestService({ sla: { endpoints: [{ route: '/x', latency: 'p90 < 1s' }] } }),
    ).rejects.toThrow(/the SLA configuration cannot work/);
  });
});
