import { DelayedError, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import pg from 'pg';
import { perfwatch, type Perfwatch } from '../src';
import { PG_URL, REDIS_URL } from './support/env';
import { series } from './support/prom-text';
import { freezableProxy, type FreezableProxy } from './support/tcp';

const connection = { url: REDIS_URL };
const prefix = `pwtest${process.pid}${Date.now()}`;
let pw: Perfwatch;
let queue: Queue;
let events: QueueEvents;
let worker: Worker;
let pool: pg.Pool;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  pw = perfwatch({ defaultMetrics: false, queries: { slowThresholdMs: 50 } });
  pw.instrumentPg(pg);
  pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  queue = new Queue('mail', { connection, prefix });
  events = new QueueEvents('mail', { connection, prefix });
  await events.waitUntilReady();
  pw.trackBullmqQueue(queue, { cacheMs: 0 });
  const attempts = new Map<string, number>();
  worker = new Worker(
    'mail',
    pw.bullmqProcessor('mail', async (job: Job, token?: string) => {
      if (job.name === 'report') await pool.query('select pg_sleep(0.08)');
      if (job.name === 'broken') throw new Error('smtp down');
      if (job.name === 'flaky') {
        const n = (attempts.get(job.id!) ?? 0) + 1;
        attempts.set(job.id!, n);
        if (n === 1) throw new Error('first try fails');
      }
      if (job.name === 'postpone' && job.attemptsStarted === 1) {
        await job.moveToDelayed(Date.now() + 50, token);
        throw new DelayedError();
      }
      return 'ok';
    }),
    { connection, prefix },
  );
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.end();
});

const run = async (name: string, opts: Record<string, unknown> = {}) => {
  const job = await queue.add(name, {}, opts);
  await job.waitUntilFinished(events).catch(() => undefined);
  return (await queue.getJob(job.id!))!;
};
const metric = async (name: string, labels: Record<string, string>) =>
  series(await pw.registry.metrics(), name, labels)[0]?.value ?? 0;

describe('BullMQ jobs', () => {
  test('a completed job records duration, count and last success', async () => {
    const before = Date.now() / 1000;
    await run('welcome');
    expect(
      await metric('queue_jobs_total', { queue: 'mail', job_name: 'welcome', status: 'completed' }),
    ).toBe(1);
    expect(
      await metric('queue_job_duration_seconds_count', {
        queue: 'mail',
        job_name: 'welcome',
        status: 'completed',
      }),
    ).toBe(1);
    expect(await metric('queue_last_success_timestamp_seconds', { queue: 'mail' })).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
  });

  test('a failing job with no attempts left counts as failed', async () => {
    await run('broken');
    expect(await metric('queue_jobs_total', { queue: 'mail', job_name: 'broken', status: 'failed' })).toBe(1);
    expect(
      await metric('queue_job_duration_seconds_count', {
        queue: 'mail',
        job_name: 'broken',
        status: 'failed',
      }),
    ).toBe(1);
  });

  test('a failure with attempts left counts as retried, then the retry completes', async () => {
    await run('flaky', { attempts: 2 });
    expect(await metric('queue_jobs_total', { queue: 'mail', job_name: 'flaky', status: 'retried' })).toBe(1);
    expect(await metric('queue_jobs_total', { queue: 'mail', job_name: 'flaky', status: 'completed' })).toBe(
      1,
    );
  });

  test('only the first attempt of a retried job observes a wait', async () => {
    await run('flaky', { attempts: 2 });
    // Two flaky jobs so far, four attempts: two waits.
    expect(await metric('queue_job_wait_seconds_count', { queue: 'mail', job_name: 'flaky' })).toBe(2);
  });

  test('a job that waits behind a paused worker records that wait', async () => {
    await worker.pause();
    const job = await queue.add('queued', {});
    await new Promise((r) => setTimeout(r, 300));
    worker.resume();
    await job.waitUntilFinished(events);
    expect(
      await metric('queue_job_wait_seconds_sum', { queue: 'mail', job_name: 'queued' }),
    ).toBeGreaterThanOrEqual(0.3);
  });

  test('a delayed job waits from when it became runnable, not from when it was added', async () => {
    const job = await run('digest', { delay: 300 });
    const waited = await metric('queue_job_wait_seconds_sum', { queue: 'mail', job_name: 'digest' });
    // The processor started before BullMQ marked the job finished; counted from `add` it would be
    // at least the 300 ms delay more than that.
    expect(waited).toBeLessThanOrEqual((job.finishedOn! - job.timestamp - 300) / 1000 + 0.001);
    expect(await metric('queue_job_wait_seconds_count', { queue: 'mail', job_name: 'digest' })).toBe(1);
  });

  test('a job moved to delayed by its processor is neither failed nor retried', async () => {
    await run('postpone', { attempts: 3 });
    const text = await pw.registry.metrics();
    expect(series(text, 'queue_jobs_total', { queue: 'mail', job_name: 'postpone' })).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ status: 'completed' }), value: 1 }),
    ]);
  });

  test('a slow query inside a job names the job, not a route', async () => {
    await run('report');
    const sample = pw.slowQuerySamples().find((s) => s.fingerprint.includes('pg_sleep'));
    expect(sample).toMatchObject({ route: 'mail:report' });
    expect(sample?.requestId).toMatch(/^\d+$/);
    expect(await metric('db_client_queries_per_request_count', { route: 'mail:report' })).toBe(1);
  });

  test('queue depth reports waiting, active, delayed and failed jobs from Redis', async () => {
    const reports = new Queue('reports', { connection, prefix });
    closers.push(() => reports.close());
    pw.trackBullmqQueue(reports, { cacheMs: 0 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const isActive = new Promise<void>((r) => (started = r));
    const w = new Worker(
      'reports',
      pw.bullmqProcessor('reports', async () => {
        started();
        await held;
      }),
      { connection, prefix, concurrency: 1 },
    );
    closers.push(() => w.close());
    await reports.add('build', {});
    await isActive;
    await reports.add('build', {});
    await reports.add('build', {}, { priority: 5 });
    await reports.add('build', {}, { delay: 60_000 });
    expect(await metric('queue_depth', { queue: 'reports', state: 'active' })).toBe(1);
    expect(await metric('queue_depth', { queue: 'reports', state: 'waiting' })).toBe(2);
    expect(await metric('queue_depth', { queue: 'reports', state: 'delayed' })).toBe(1);
    expect(await metric('queue_depth', { queue: 'mail', state: 'failed' })).toBe(1);
    release();
  });

  test('a scrape while Redis hangs serves the last depth and counts the timeout', async () => {
    const proxy: FreezableProxy = await freezableProxy(Number(new URL(REDIS_URL).port || 6379));
    closers.push(() => proxy.close());
    const slow = new Queue('slow', { connection: { host: '127.0.0.1', port: proxy.port }, prefix });
    closers.push(async () => {
      proxy.thaw();
      await slow.close();
    });
    await slow.add('later', {}, { delay: 60_000 });
    pw.trackBullmqQueue(slow, { cacheMs: 0, timeoutMs: 200 });
    expect(await metric('queue_depth', { queue: 'slow', state: 'delayed' })).toBe(1);
    proxy.freeze();
    expect(await metric('queue_depth', { queue: 'slow', state: 'delayed' })).toBe(1);
    expect(await metric('perfwatch_dropped_total', { component: 'queue_depth', reason: 'timeout' })).toBe(1);
  });
});
