import { Registry } from 'prom-client';
import { Recorder, type SampleSink, SlowQueryCapture } from '@perfwatch/node/internal';
import { queriesConfigSchema } from '../src/queries/config';
import { SlowQueryRepository } from '../src/queries/repository';
import { openStore } from '../src/store/store';
import { series } from '../library/test/support/prom-text';

function setup(config: Record<string, unknown>) {
  const registry = new Registry();
  const recorder = new Recorder(registry);
  const capture = new SlowQueryCapture(recorder, queriesConfigSchema.parse(config), undefined);
  return { registry, recorder, capture };
}

describe('slow-query sampling', () => {
  test('under load only the per-second budget and new slowest queries are kept; the rest are counted', async () => {
    const { registry, recorder, capture } = setup({ maxSamplesPerSecond: 2 });
    const t = 1_800_000_000_000;
    capture.sampler.clock = () => t;
    for (const ms of [150, 120, 110, 300, 105, 250, 400])
      recorder.recordQuery({ dbSystem: 'postgresql', sql: 'select 1', durationSeconds: ms / 1000, time: t });
    expect(capture.sampler.peek().map((s) => s.durationMs)).toEqual([150, 120, 300, 400]);
    const text = await registry.metrics();
    expect(series(text, 'db_client_slow_queries_total')[0].value).toBe(7);
    expect(
      series(text, 'perfwatch_slow_queries_sampled_out_total', { db_system: 'postgresql' })[0].value,
    ).toBe(3);
  });

  test("the per-second window follows arrival, not the event's own time", () => {
    const { recorder, capture } = setup({ maxSamplesPerSecond: 2 });
    capture.sampler.clock = () => 1_800_000_000_000;
    // A sender whose events each claim another second (a skewed clock, or on purpose).
    for (let i = 0; i < 10; i++)
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: `select ${i}`,
        durationSeconds: 0.2,
        time: 1_700_000_000_000 + i * 1000,
      });
    expect(capture.sampler.peek()).toHaveLength(2);
  });

  test('a rising sequence of durations keeps at most twice the budget in one second', () => {
    const { recorder, capture } = setup({ maxSamplesPerSecond: 3 });
    capture.sampler.clock = () => 1_800_000_000_000;
    for (let i = 0; i < 20; i++)
      recorder.recordQuery({ dbSystem: 'mysql', sql: 'select 1', durationSeconds: 0.2 + i / 100 });
    expect(capture.sampler.peek()).toHaveLength(6);
    expect(capture.sampler.untallied()).toBe(14);
  });

  test('a per-database threshold overrides the default', () => {
    const { recorder, capture } = setup({ slowThresholdMs: 100, thresholds: { reporting: 1000 } });
    recorder.recordQuery({
      dbSystem: 'postgresql',
      database: 'reporting',
      sql: 'select 1',
      durationSeconds: 0.5,
    });
    recorder.recordQuery({ dbSystem: 'postgresql', database: 'shop', sql: 'select 2', durationSeconds: 0.5 });
    expect(capture.sampler.peek().map((s) => s.database)).toEqual(['shop']);
  });

  test('raw literals are kept only when enabled', () => {
    const { recorder, capture } = setup({ rawLiterals: true });
    recorder.recordQuery({
      dbSystem: 'mysql',
      sql: "select * from t where email = 'a@b.c'",
      durationSeconds: 0.2,
    });
    expect(capture.sampler.peek()[0].sample).toContain('a@b.c');
  });

  test('an in-process sample carries queries.service; a query naming its own service keeps it', () => {
    const { recorder, capture } = setup({ service: 'shop-api' });
    recorder.recordQuery({ dbSystem: 'mysql', sql: 'select 1', durationSeconds: 0.2 });
    recorder.recordQuery({ dbSystem: 'mysql', sql: 'select 2', durationSeconds: 0.2, service: 'billing' });
    expect(capture.sampler.peek().map((s) => s.service)).toEqual(['shop-api', 'billing']);
  });

  test('without queries.service an in-process sample names no service', () => {
    const { recorder, capture } = setup({});
    recorder.recordQuery({ dbSystem: 'mysql', sql: 'select 1', durationSeconds: 0.2 });
    expect(capture.sampler.peek()[0].service).toBeNull();
  });

  test('a service name that an ingested app could not have is refused with the field named', () => {
    for (const service of ['', 'shop api', 'x'.repeat(65), 42])
      expect(queriesConfigSchema.safeParse({ service }).error?.issues).toEqual([
        expect.objectContaining({ path: ['service'], message: expect.stringMatching(/1-64 letters/) }),
      ]);
  });

  test('the memory buffer is bounded and what it drops is counted', async () => {
    const { registry, recorder, capture } = setup({ ringSize: 3 });
    for (let i = 0; i < 5; i++)
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: `select ${i}`,
        durationSeconds: 0.2,
        time: 1_800_000_000_000 + i * 1000,
      });
    expect(capture.sampler.peek()).toHaveLength(3);
    expect(
      series(await registry.metrics(), 'perfwatch_dropped_total', {
        component: 'slow_queries',
        reason: 'buffer_full',
      })[0].value,
    ).toBe(2);
  });

  test('a buffer that stays full keeps the newest samples in order, and hands them all to the writer', async () => {
    const { registry, recorder, capture } = setup({ ringSize: 3 });
    for (let i = 0; i < 10; i++)
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: `select a${i} from t`,
        durationSeconds: 0.2,
        time: 1_800_000_000_000 + i * 1000,
      });
    expect(capture.sampler.peek().map((s) => s.fingerprint)).toEqual([
      'select a7 from t',
      'select a8 from t',
      'select a9 from t',
    ]);
    const text = await registry.metrics();
    expect(series(text, 'perfwatch_dropped_total', { reason: 'buffer_full' })[0].value).toBe(7);
    expect(series(text, 'perfwatch_slow_query_samples_pending')[0].value).toBe(3);
    expect(capture.sampler.take().map((s) => s.fingerprint)).toEqual([
      'select a7 from t',
      'select a8 from t',
      'select a9 from t',
    ]);
    expect(capture.sampler.peek()).toEqual([]);
  });
});

test('retention purge deletes old samples in chunks and keeps recent ones', async () => {
  const store = await openStore('sqlite::memory:');
  await store.migrate();
  const repo = new SlowQueryRepository(store);
  const base = {
    fingerprintId: '0123456789abcdef',
    fingerprint: 'select ?',
    sample: 'select ?',
    durationMs: 200,
    dbSystem: 'postgresql',
    database: null,
    operation: 'SELECT',
    route: '/',
    service: null,
    requestId: null,
    callSite: null,
    error: false,
    nPlusOne: false,
    sampledOut: 0,
    sampledOutMs: 0,
  };
  const old = Date.now() - 10 * 86_400_000;
  await repo.insert(Array.from({ length: 25 }, (_, i) => ({ ...base, capturedAt: old + i })));
  await repo.insert([{ ...base, capturedAt: Date.now() }]);
  expect(await repo.purge(Date.now() - 7 * 86_400_000, 10)).toBe(25);
  expect(await store.db('slow_query_samples').count({ n: '*' })).toEqual([{ n: 1 }]);
  await store.close();
});

describe('sampled-out counts in the store', () => {
  test('are written with the next flush, even before the fingerprint has a later kept sample', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    const registry = new Registry();
    const recorder = new Recorder(registry);
    const repo = new SlowQueryRepository(store);
    const capture = new SlowQueryCapture(
      recorder,
      queriesConfigSchema.parse({ maxSamplesPerSecond: 1 }),
      repo,
    );
    const now = Date.now();
    capture.sampler.clock = () => now;
    // One kept (the first), then a slower one kept as the slowest, then 5 sampled out.
    for (const ms of [300, 400, 100, 120, 110, 130, 150])
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: 'select * from t where id = 1',
        durationSeconds: ms / 1000,
      });
    // A fingerprint first seen while the budget is spent: it has no kept sample at all.
    for (const ms of [200, 250])
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: 'select * from u where id = 2',
        durationSeconds: ms / 1000,
      });
    await capture.flush(true);
    const { items } = await repo.aggregate({ from: now - 60_000, to: now + 60_000 }, 'count', 'desc');
    const byText = Object.fromEntries(items.map((i) => [i.fingerprint, i]));
    expect(byText['select * from t where id = ?']).toMatchObject({
      count: 7,
      totalSeconds: 1.31,
      maxMs: 400,
    });
    expect(byText['select * from u where id = ?']).toMatchObject({
      count: 2,
      totalSeconds: 0.45,
      maxMs: 250,
    });
    expect(capture.sampler.untallied()).toBe(0);
    await capture.stop();
    await store.close();
  });

  test("a tally stored as a row of its own keeps its queries' service", async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    const recorder = new Recorder(new Registry());
    const repo = new SlowQueryRepository(store);
    const capture = new SlowQueryCapture(
      recorder,
      queriesConfigSchema.parse({ maxSamplesPerSecond: 1, service: 'shop-api' }),
      repo,
    );
    const now = Date.now();
    capture.sampler.clock = () => now;
    // The budget is spent on the first; the other fingerprint is only ever sampled out, so its tally
    // becomes a row of its own.
    recorder.recordQuery({ dbSystem: 'mysql', sql: 'select * from t where id = 1', durationSeconds: 0.5 });
    for (const ms of [200, 150])
      recorder.recordQuery({
        dbSystem: 'mysql',
        sql: 'select * from u where id = 2',
        durationSeconds: ms / 1000,
        service: 'billing',
      });
    await capture.flush(true);
    const range = { from: now - 60_000, to: now + 60_000 };
    const { items } = await repo.groups(range, 'service', 'count', 'desc');
    expect(items.map((g) => [g.value, g.count])).toEqual([
      ['billing', 2],
      ['shop-api', 1],
    ]);
    await capture.stop();
    await store.close();
  });

  describe('of two services running the same statement', () => {
    const SQL = 'select * from shared_statement where id = 1';
    const setupStore = async (sink?: (repo: SlowQueryRepository) => SampleSink) => {
      const store = await openStore('sqlite::memory:');
      await store.migrate();
      const recorder = new Recorder(new Registry());
      const repo = new SlowQueryRepository(store);
      const capture = new SlowQueryCapture(
        recorder,
        queriesConfigSchema.parse({ maxSamplesPerSecond: 1 }),
        sink ? sink(repo) : repo,
      );
      const now = Date.now();
      capture.sampler.clock = () => now;
      const run = (ms: number, service: string) =>
        recorder.recordQuery({ dbSystem: 'mysql', sql: SQL, durationSeconds: ms / 1000, service });
      const byService = async () =>
        (await repo.groups({ from: now - 60_000, to: now + 60_000 }, 'service', 'count', 'desc')).items.map(
          (g) => [g.value, g.count],
        );
      const close = async () => {
        await capture.stop();
        await store.close();
      };
      return { capture, run, byService, close };
    };

    test("one's sampled-out queries are never counted onto the other's stored sample", async () => {
      const { capture, run, byService, close } = await setupStore();
      run(500, 'shop-api'); // kept: the budget of the second is spent
      await capture.flush(true); // stored: the row a later tally could be added to
      run(200, 'billing'); // sampled out
      run(150, 'billing'); // sampled out
      await capture.flush(true);
      expect(await byService()).toEqual([
        ['billing', 2],
        ['shop-api', 1],
      ]);
      await close();
    });

    test("one's sampled-out queries are never carried by the other's next kept sample", async () => {
      const { capture, run, close } = await setupStore();
      run(150, 'shop-api'); // kept
      run(120, 'billing'); // sampled out
      run(110, 'billing'); // sampled out
      run(300, 'shop-api'); // kept as the slowest of its second
      const [, second] = capture.sampler.peek();
      expect(second).toMatchObject({ service: 'shop-api', sampledOut: 0 });
      expect(capture.sampler.untallied()).toBe(2);
      await close();
    });

    test('a tally given back after a failed write keeps its service', async () => {
      let failures = 1;
      const { capture, run, byService, close } = await setupStore((repo) => ({
        insert: async (samples, tallies) => {
          if (failures-- > 0) throw new Error('store unavailable');
          await repo.insert(samples, tallies);
        },
        purge: (before) => repo.purge(before),
      }));
      run(500, 'shop-api');
      run(200, 'billing');
      await capture.flush(true); // fails: samples and tallies go back
      await capture.flush(true);
      expect(await byService()).toEqual([
        ['billing', 1],
        ['shop-api', 1],
      ]);
      await close();
    });
  });
});
