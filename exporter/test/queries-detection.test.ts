import path from 'node:path';
import { Registry } from 'prom-client';
import {
  type WorkContext,
  workContext,
  type RecordedQuery,
  Recorder,
  ARM_MS,
  callSiteOf,
  CallSitePolicy,
  captureStack,
  SlowQueryCapture,
  MAX_EXTERNAL_UNITS,
  NPlusOneDetector,
} from '@perfwatch/node/internal';
import { queriesConfigSchema } from '../src/queries/config';
import { SlowQueryRepository } from '../src/queries/repository';
import { openStore } from '../src/store/store';
import { series } from '../library/test/support/prom-text';

function setup(config: Record<string, unknown> = {}) {
  const registry = new Registry();
  const recorder = new Recorder(registry);
  const capture = new SlowQueryCapture(recorder, queriesConfigSchema.parse(config), undefined);
  return { registry, recorder, capture };
}

const T = 1_800_000_000_000;

describe('N+1 detection for ingested queries (request id, no async context)', () => {
  const ingest = (recorder: Recorder, requestId: string, sql: string) =>
    recorder.recordQuery({ dbSystem: 'mysql', sql, durationSeconds: 0.001, route: '/posts', requestId });

  test('the same fingerprint more than N times under one request id is flagged once', async () => {
    const { registry, recorder, capture } = setup({ nPlusOneThreshold: 3 });
    for (let i = 0; i < 8; i++) ingest(recorder, 'php-1', `select * from comments where post_id = ${i}`);
    const flagged = capture.sampler.peek().filter((s) => s.nPlusOne);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({
      fingerprint: 'select * from comments where post_id = ?',
      route: '/posts',
      requestId: 'php-1',
    });
    expect(series(await registry.metrics(), 'db_client_n_plus_one_total', { route: '/posts' })[0].value).toBe(
      1,
    );
  });

  test('queries spread over different request ids are not flagged', () => {
    const { recorder, capture } = setup({ nPlusOneThreshold: 3 });
    for (let i = 0; i < 8; i++) ingest(recorder, `php-${i}`, `select * from comments where post_id = ${i}`);
    expect(capture.sampler.peek()).toHaveLength(0);
  });

  test('one batched query per request is not flagged', () => {
    const { recorder, capture } = setup({ nPlusOneThreshold: 3 });
    ingest(recorder, 'php-b', 'select * from comments where post_id in (1, 2, 3, 4, 5, 6, 7, 8)');
    ingest(recorder, 'php-b', 'select * from posts where id = 1');
    expect(capture.sampler.peek()).toHaveLength(0);
  });

  test('tracked request ids are bounded; each one pushed out is counted as a drop', async () => {
    const { registry, recorder, capture } = setup({ nPlusOneThreshold: 3 });
    for (let i = 0; i <= MAX_EXTERNAL_UNITS; i++) ingest(recorder, `r${i}`, 'select 1');
    const tracked = capture.detector.trackedUnits;
    expect(tracked).toBeLessThanOrEqual(MAX_EXTERNAL_UNITS);
    expect(
      series(await registry.metrics(), 'perfwatch_dropped_total', {
        component: 'n_plus_one',
        reason: 'tracking_full',
      })[0].value,
    ).toBe(MAX_EXTERNAL_UNITS + 1 - tracked);
  });
});

describe('N+1 detection stays off the fast path', () => {
  const work = (): WorkContext => ({ kind: 'request', route: '/r', id: 'w', queryCount: 0 });
  const query = (w: WorkContext, sql: string): RecordedQuery => ({
    dbSystem: 'postgresql',
    sql,
    durationSeconds: 0.001,
    operation: 'SELECT',
    route: w.route,
    work: w,
  });

  test('a request with at most N queries is never fingerprinted', () => {
    let fingerprinted = 0;
    const detector = new NPlusOneDetector(new Recorder(new Registry()), 5, {
      fingerprint: (q) => (fingerprinted++, q.sql),
      flag: () => {
        throw new Error('not expected');
      },
      callSite: () => undefined,
    });
    const w = work();
    for (let i = 0; i < 5; i++) detector.onQuery(query(w, `select ${i}`));
    expect(fingerprinted).toBe(0);
    detector.onQuery(query(w, 'select 5'));
    // The (N+1)th query fingerprints the N it held back, and itself.
    expect(fingerprinted).toBe(6);
  });

  test('the flagged sample gets the call site of a later iteration that carries a stack', () => {
    const { recorder, capture } = setup({ nPlusOneThreshold: 2, callSites: 'adaptive' });
    const w = work();
    const sql = 'select * from items where id = $1';
    const run = (stack?: { stack?: string }) =>
      recorder.recordQuery({ dbSystem: 'postgresql', sql, durationSeconds: 0.001, work: w, stack });
    for (let i = 0; i < 3; i++) run();
    const [sample] = capture.sampler.peek();
    expect(sample).toMatchObject({ nPlusOne: true, callSite: null });
    // Flagging without a stack asked for one: the next run of that statement takes it.
    expect(recorder.wantsStack(sql)).toBe(true);
    run(captureStack());
    expect(sample.callSite).toMatch(/queries-detection\.test\.ts:\d+$/);
  });

  test('a query both slow and tipping a request into N+1 gives one sample, marked N+1', () => {
    const { recorder, capture } = setup({ nPlusOneThreshold: 2 });
    const w = work();
    for (const ms of [1, 1, 250])
      recorder.recordQuery({
        dbSystem: 'postgresql',
        sql: 'select * from t where id = $1',
        durationSeconds: ms / 1000,
        work: w,
      });
    expect(capture.sampler.peek()).toEqual([expect.objectContaining({ nPlusOne: true, durationMs: 250 })]);
  });
});

describe('queries issued by a queue job', () => {
  test('a slow query names the job and its id; a loop in the job is flagged by job', async () => {
    const { registry, recorder, capture } = setup({ nPlusOneThreshold: 3 });
    const job = { kind: 'job' as const, route: 'emails:send', id: 'job-42', queryCount: 0 };
    workContext.run(job, () => {
      recorder.recordQuery({ dbSystem: 'postgresql', sql: 'select pg_sleep(0.2)', durationSeconds: 0.2 });
      for (let i = 0; i < 4; i++)
        recorder.recordQuery({
          dbSystem: 'postgresql',
          sql: 'select * from users where id = $1',
          durationSeconds: 0.001,
        });
    });
    expect(capture.sampler.peek().map((s) => [s.fingerprint, s.route, s.requestId, s.nPlusOne])).toEqual([
      ['select pg_sleep(?)', 'emails:send', 'job-42', false],
      ['select * from users where id = ?', 'emails:send', 'job-42', true],
    ]);
    expect(job.queryCount).toBe(5);
    expect(
      series(await registry.metrics(), 'db_client_n_plus_one_total', { route: 'emails:send' })[0].value,
    ).toBe(1);
  });
});

describe('sampling under load keeps counts honest', () => {
  test('sampled-out queries are tallied onto their fingerprint’s next kept sample', () => {
    const { recorder, capture } = setup({ maxSamplesPerSecond: 1 });
    const q = (ms: number, time: number, id: number) => {
      // The sampler's window follows arrival: the query arrives at its time.
      capture.sampler.clock = () => time;
      recorder.recordQuery({
        dbSystem: 'postgresql',
        sql: `select * from orders where id = ${id}`,
        durationSeconds: ms / 1000,
        time,
      });
    };
    q(500, T, 1); // kept: the second's budget
    q(400, T + 1, 2); // sampled out (over budget, not the slowest of the second)
    q(300, T + 2, 3);
    q(200, T + 3, 4);
    q(150, T + 1000, 5); // next second: kept, carries the three before it
    expect(capture.sampler.peek().map((s) => [s.durationMs, s.sampledOut, s.sampledOutMs])).toEqual([
      [500, 0, 0],
      [150, 3, 900],
    ]);
  });

  test('the API aggregates count kept and sampled-out queries, and their time', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    const repo = new SlowQueryRepository(store);
    const base = {
      fingerprintId: '0123456789abcdef',
      fingerprint: 'select * from orders where id = ?',
      sample: 'select * from orders where id = ?',
      dbSystem: 'postgresql',
      database: null,
      operation: 'SELECT',
      route: '/',
      service: null,
      requestId: null,
      callSite: null,
      error: false,
      nPlusOne: false,
    };
    await repo.insert([
      { ...base, durationMs: 500, sampledOut: 0, sampledOutMs: 0, capturedAt: T },
      { ...base, durationMs: 150, sampledOut: 3, sampledOutMs: 900, capturedAt: T + 1000 },
    ]);
    const { items } = await repo.aggregate({ from: T - 1, to: T + 2000 }, 'totalTime', 'desc');
    expect(items[0]).toMatchObject({ count: 5, sampleCount: 2, totalSeconds: 1.55, maxMs: 500, meanMs: 310 });
    await store.close();
  });
});

describe('adaptive call sites', () => {
  let now = T;
  const policy = (max = 100) => new CallSitePolicy('adaptive', max, () => now);
  const request = (): WorkContext => ({ kind: 'request', route: '/r', id: 'r', queryCount: 0 });

  test('no stack is taken before any sample asked for one', () => {
    expect(policy().wants('select 1')).toBe(false);
  });

  test('after a sample without one, its statement gets a stack from then on', () => {
    const p = policy();
    p.missed('select * from t where id = $1');
    now += ARM_MS * 10;
    expect(p.wants('select * from t where id = $1')).toBe(true);
    expect(p.wants('select 2')).toBe(false);
  });

  test('for a short window every statement gets one (statements with inline literals never repeat)', () => {
    const p = policy();
    p.missed("select * from t where name = 'a'");
    expect(p.wants("select * from t where name = 'b'")).toBe(true);
    now += ARM_MS + 1;
    expect(p.wants("select * from t where name = 'c'")).toBe(false);
  });

  test('stacks per second stay within the budget', () => {
    const p = policy(3);
    p.missed('select 1');
    expect([1, 2, 3, 4].map(() => p.wants('select 1'))).toEqual([true, true, true, false]);
    now += 1000;
    expect(p.wants('select 1')).toBe(true);
  });

  test('an N+1 statement takes one stack per request, at the run that can be flagged', () => {
    const p = new CallSitePolicy('adaptive', 100, () => now, 2);
    const sql = 'select * from items where id = $1';
    p.missed(sql, true);
    now += ARM_MS + 1;
    const unit = request();
    // Runs 1 and 2 cannot tip the request over 2; run 3 can; later runs are no longer needed.
    expect([1, 2, 3, 4, 5].map(() => p.wants(sql, unit))).toEqual([false, false, true, false, false]);
    expect(p.wants(sql, request())).toBe(false);
  });

  test('an N+1 statement refused by the budget at its flagged run gets a stack at the next run', () => {
    const p = new CallSitePolicy('adaptive', 1, () => now, 1);
    const sql = 'select * from items where id = $1';
    p.missed(sql, true);
    now += ARM_MS + 1;
    expect(p.wants('select 1')).toBe(false);
    expect(p.wants(sql)).toBe(true); // outside any request: every run, within the budget
    const unit = request();
    expect([1, 2].map(() => p.wants(sql, unit))).toEqual([false, false]);
    now += 1000;
    expect(p.wants(sql, unit)).toBe(true);
  });

  test('a statement already wanted that misses again does not open the window for every statement', () => {
    const p = policy();
    p.missed('select * from t where id = $1');
    now += ARM_MS + 1;
    p.missed('select * from t where id = $1');
    expect(p.wants('select 2')).toBe(false);
    p.missed('select 3');
    expect(p.wants('select 2')).toBe(true);
  });

  test('always and off modes ignore history', () => {
    expect(new CallSitePolicy('always', 1).wants('x')).toBe(true);
    const off = new CallSitePolicy('off', 1);
    off.missed('x');
    expect(off.wants('x')).toBe(false);
  });

  test('the call site is the first frame outside node_modules, Node internals and Perfwatch', () => {
    const stack = [
      'Error: ',
      '    at Client.query (/app/node_modules/pg/lib/client.js:10:5)',
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at perfwatchQuery (${path.resolve(__dirname, '../library/src/instrument/pg.ts')}:3:1)`,
      '    at async loadUser (/app/src/users.js:42:7)',
    ].join('\n');
    expect(callSiteOf({ stack })).toBe('/app/src/users.js:42');
  });
});
