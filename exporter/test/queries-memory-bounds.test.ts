/**
 * Per-sender structures are bounded by bytes, not entries (issue 12, item 2): the N+1 tracker kept
 * 10 000 request ids with up to N raw statements of 100 KB each, and four senders posting 1 MB batches
 * ran the service out of heap. Every bound counts what it drops in perfwatch_dropped_total.
 */
import { Registry } from 'prom-client';
import {
  type RecordedQuery,
  Recorder,
  MAX_EXTERNAL_BYTES,
  NPlusOneDetector,
  MAX_FINGERPRINT_CACHE_BYTES,
  MAX_PENDING_BYTES,
  SlowQuerySampler,
} from '@perfwatch/node/internal';
import { queriesConfigSchema } from '../src/queries/config';
import { series } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

const BIG = 99_000;
const bigSql = (tag: string) => `select '${tag}' ${'x'.repeat(BIG)}`;

function detector(limits: ConstructorParameters<typeof NPlusOneDetector>[3] = {}) {
  const registry = new Registry();
  const recorder = new Recorder(registry);
  const d = new NPlusOneDetector(
    recorder,
    5,
    { fingerprint: (q) => q.sql, flag: () => ({ callSite: null }) as never, callSite: () => undefined },
    limits,
  );
  const ingested = (requestId: string, sql: string): RecordedQuery => ({
    dbSystem: 'mysql',
    sql,
    durationSeconds: 0.001,
    operation: 'SELECT',
    route: '/posts',
    requestId,
  });
  const dropped = async (reason: string) =>
    series(await registry.metrics(), 'perfwatch_dropped_total', { component: 'n_plus_one', reason })[0]
      ?.value ?? 0;
  return { d, registry, ingested, dropped };
}

describe('N+1 tracking of ingested requests', () => {
  test('the scraped byte gauge counts the queries of the request that came last', async () => {
    const { d, registry, ingested } = detector();
    const gauge = async () =>
      series(await registry.metrics(), 'perfwatch_bounded_memory_bytes', { component: 'n_plus_one' })[0]
        ?.value;
    d.onQuery(ingested('req-a', 'select 1'));
    const afterOne = await gauge();
    d.onQuery(ingested('req-a', 'select 2'));
    d.onQuery(ingested('req-a', 'select 3'));
    const afterThree = await gauge();
    expect(afterThree).toBeGreaterThan(afterOne ?? Infinity);
    expect(afterThree).toBe(d.trackedBytes);
    d.stop();
  });

  test('holds at most its byte budget however large the statements, counting what it pushes out', async () => {
    const { d, ingested, dropped } = detector();
    // 400 requests × 5 statements of 100 KB: 200 MB of SQL if all were kept.
    for (let r = 0; r < 400; r++)
      for (let i = 0; i < 5; i++) d.onQuery(ingested(`r${r}`, bigSql(`${r}-${i}`)));
    expect(d.trackedBytes).toBeGreaterThan(0);
    expect(d.trackedBytes).toBeLessThanOrEqual(MAX_EXTERNAL_BYTES);
    expect(d.trackedUnits).toBeLessThan(400);
    expect(await dropped('tracking_full')).toBe(400 - d.trackedUnits);
    d.stop();
  });

  test('stops tracking one request that exceeds its own byte cap, counting it once', async () => {
    const { d, ingested, dropped } = detector({ maxUnitBytes: 1_000_000 });
    for (let i = 0; i < 20; i++) d.onQuery(ingested('greedy', bigSql(String(i))));
    expect(await dropped('unit_bytes')).toBe(1);
    expect(d.trackedBytes).toBeLessThan(10_000);
    d.stop();
  });

  test('forgets requests idle past the TTL when purged, without counting them as drops', async () => {
    const { d, ingested, dropped } = detector({ ttlMs: 1 });
    d.onQuery(ingested('done', 'select 1'));
    expect(d.trackedUnits).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    // The detector's own timer may have purged it already; either way it is gone now.
    d.purgeStale();
    expect(d.trackedUnits).toBe(0);
    expect(d.trackedBytes).toBe(0);
    expect(await dropped('tracking_full')).toBe(0);
    d.stop();
  });
});

describe('a real service receiving 1 MB batches of large query events', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(() => svc.close());

  test('keeps the N+1 tracker within its byte budget and reports what it dropped', async () => {
    // Each batch: 9 statements of ~100 KB over request ids used 5 times each (the reproduction).
    let id = 0;
    for (let b = 0; b < 50; b++) {
      const events = Array.from({ length: 9 }, (_, i) => ({
        kind: 'query',
        dbSystem: 'mysql',
        sql: bigSql(`${b}-${i}`),
        durationMs: 1,
        requestId: `req-${Math.floor(id++ / 5)}`,
      }));
      const res = await svc.api('/api/v1/events', {
        method: 'POST',
        scope: 'ingest',
        body: JSON.stringify({ events }),
      });
      expect(res.status).toBe(200);
    }
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const [held] = series(text, 'perfwatch_bounded_memory_bytes', { component: 'n_plus_one' });
    expect(held.value).toBeGreaterThan(0);
    expect(held.value).toBeLessThanOrEqual(MAX_EXTERNAL_BYTES);
    const [dropped] = series(text, 'perfwatch_dropped_total', {
      component: 'n_plus_one',
      reason: 'tracking_full',
    });
    expect(dropped.value).toBeGreaterThan(0);
  });
});

describe('slow-query sampler memory', () => {
  const config = queriesConfigSchema.parse({ maxSamplesPerSecond: 100_000, ringSize: 100_000 });

  test('keeps pending samples within their byte budget, dropping and counting the oldest', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    const sampler = new SlowQuerySampler(recorder, config);
    // 2 000 slow statements of ~20 000 characters (sample and fingerprint each): ~160 MB unbounded.
    for (let i = 0; i < 2000; i++)
      sampler.onQuery({
        dbSystem: 'mysql',
        sql: `select c${'y'.repeat(20_000)} from t${i}`,
        durationSeconds: 1,
        operation: 'SELECT',
        route: '/r',
      });
    const text = await registry.metrics();
    const [held] = series(text, 'perfwatch_bounded_memory_bytes', { component: 'slow_query_buffer' });
    expect(held.value).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    const kept = sampler.peek().length;
    expect(kept).toBeLessThan(2000);
    const [dropped] = series(text, 'perfwatch_dropped_total', {
      component: 'slow_queries',
      reason: 'buffer_full',
    });
    expect(dropped.value).toBe(2000 - kept);
    const [cache] = series(text, 'perfwatch_bounded_memory_bytes', { component: 'fingerprint_cache' });
    expect(cache.value).toBeLessThanOrEqual(MAX_FINGERPRINT_CACHE_BYTES);
  });
});
