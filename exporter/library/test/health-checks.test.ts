import { tmpdir } from 'node:os';
import { Queue, Worker } from 'bullmq';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Registry } from 'prom-client';
import { Recorder } from '../src/core/recorder';
import {
  bullmqCheck,
  customCheck,
  diskCheck,
  type HealthCheck,
  HealthChecks,
  mysqlCheck,
  postgresCheck,
  redisCheck,
} from '../src';
import { MYSQL_URL, PG_URL, REDIS_URL } from './support/env';
import { freePort } from './support/processes';
import { series } from './support/prom-text';
import { blackHole, type TcpServer } from './support/tcp';

const withPort = (url: string, port: number) => {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
};

let hole: TcpServer;
let closedPort: number;
beforeAll(async () => {
  hole = await blackHole();
  closedPort = await freePort();
});
afterAll(() => hole.close());

/** Runs one check once through a fresh registry; returns its result and the registry's metrics. */
async function runOnce(check: HealthCheck) {
  const recorder = new Recorder(new Registry());
  const health = new HealthChecks(recorder, { intervalMs: 60_000, timeoutMs: 3_000 }).add(check);
  const [result] = await health.runAll();
  const text = await recorder.registry.metrics();
  await health.stop();
  return {
    result,
    up: series(text, 'perfwatch_health_check_up', { check: check.name })[0]?.value,
    duration: series(text, 'perfwatch_health_check_duration_seconds', { check: check.name })[0]?.value,
  };
}

describe('database checks against real servers', () => {
  test('PostgreSQL answers', async () => {
    const { result, up, duration } = await runOnce(postgresCheck('pg', { url: PG_URL }));
    expect(result).toMatchObject({
      status: 'up',
      error: null,
      type: 'postgres',
      target: expect.stringMatching(/:5432\/test$/),
    });
    expect(result.details.serverVersion).toMatch(/^\d+/);
    expect(up).toBe(1);
    expect(duration).toBeGreaterThan(0);
  });

  test('PostgreSQL on a wrong port is down with the driver’s reason', async () => {
    const { result, up } = await runOnce(postgresCheck('pg-wrong', { url: withPort(PG_URL, closedPort) }));
    expect(result).toMatchObject({ status: 'down', consecutiveFailures: 1 });
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(up).toBe(0);
  });

  test('a PostgreSQL server that never answers is down once the timeout passes', async () => {
    const { result, up } = await runOnce(
      postgresCheck('pg-hung', { url: withPort(PG_URL, hole.port), timeoutMs: 300 }),
    );
    expect(result).toMatchObject({ status: 'down', error: 'timed out after 300 ms' });
    expect(up).toBe(0);
  });

  test('the app’s own pg pool can be checked', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      expect((await runOnce(postgresCheck('pg-pool', { pool }))).result.status).toBe('up');
    } finally {
      await pool.end();
    }
  });

  test('MariaDB answers a ping', async () => {
    const { result, up } = await runOnce(mysqlCheck('mysql', { url: MYSQL_URL }));
    expect(result).toMatchObject({ status: 'up', type: 'mysql' });
    expect(result.details.serverVersion).toMatch(/MariaDB|^\d/);
    expect(up).toBe(1);
  });

  test('MariaDB on a wrong port is down', async () => {
    const { result } = await runOnce(mysqlCheck('mysql-wrong', { url: withPort(MYSQL_URL, closedPort) }));
    expect(result.status).toBe('down');
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  test('a MySQL server that never answers is down once the timeout passes', async () => {
    const { result } = await runOnce(
      mysqlCheck('mysql-hung', { url: withPort(MYSQL_URL, hole.port), timeoutMs: 300 }),
    );
    expect(result).toMatchObject({ status: 'down', error: 'timed out after 300 ms' });
  });

  test('the app’s own mysql2 pool can be checked', async () => {
    const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 1 });
    try {
      expect((await runOnce(mysqlCheck('mysql-pool', { pool }))).result.status).toBe('up');
    } finally {
      await pool.end();
    }
  });

  test('a password in the URL never shows in the target or the error', async () => {
    const url = withPort(PG_URL.replace('postgres@', 'postgres:s3cret-pw@'), closedPort);
    const { result } = await runOnce(postgresCheck('pg-secret', { url }));
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
  });
});

describe('Redis checks', () => {
  test('Redis answers PING', async () => {
    const { result, up } = await runOnce(redisCheck('redis', { url: REDIS_URL }));
    expect(result).toMatchObject({ status: 'up', type: 'redis' });
    expect(up).toBe(1);
  });

  test('Redis on a wrong port is down', async () => {
    const { result } = await runOnce(redisCheck('redis-wrong', { url: withPort(REDIS_URL, closedPort) }));
    expect(result.status).toBe('down');
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  test('a Redis that never answers is down once the timeout passes', async () => {
    const { result } = await runOnce(
      redisCheck('redis-hung', { url: withPort(REDIS_URL, hole.port), timeoutMs: 300 }),
    );
    expect(result.status).toBe('down');
    expect(result.error).toBe('timed out after 300 ms');
  });
});

describe('BullMQ liveness', () => {
  const connection = { url: REDIS_URL };
  const prefix = `pwhealth${process.pid}${Date.now()}`;
  const queues: Queue[] = [];
  const queue = (name: string) => {
    const q = new Queue(name, { connection, prefix });
    queues.push(q);
    return q;
  };
  afterAll(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
  });

  test('a queue with a connected worker and nothing stuck is up, with its counts', async () => {
    const q = queue('live');
    const worker = new Worker('live', async () => 'ok', { connection, prefix });
    try {
      await worker.waitUntilReady();
      await q.add('later', {}, { delay: 60_000 });
      const { result } = await runOnce(bullmqCheck('live', { queue: q }));
      expect(result).toMatchObject({
        status: 'up',
        details: { paused: false, delayed: 1, stalled: 0, workers: 1 },
      });
    } finally {
      await worker.close();
    }
  });

  test('a paused queue is down', async () => {
    const q = queue('paused');
    await q.pause();
    const { result } = await runOnce(bullmqCheck('paused', { queue: q }));
    expect(result).toMatchObject({ status: 'down', error: 'queue is paused', details: { paused: true } });
  });

  test('jobs waiting with no worker connected is down', async () => {
    const q = queue('orphaned');
    await q.add('a', {});
    await q.add('b', {});
    const { result } = await runOnce(bullmqCheck('orphaned', { queue: q }));
    expect(result).toMatchObject({ status: 'down', error: '2 job(s) waiting and no worker connected' });
  });

  test('an active job whose lock expired (its worker died) is down as stalled', async () => {
    const q = queue('stalled');
    await q.add('work', {});
    // A worker takes the job and dies without finishing it: the job stays active, its lock goes.
    const worker = new Worker('stalled', null, { connection, prefix, autorun: false });
    const job = await worker.getNextJob('dead-worker-token');
    await worker.close(true);
    const client = await q.getBackend().client;
    await client.del(`${q.toKey(job!.id!)}:lock`);
    const { result } = await runOnce(bullmqCheck('stalled', { queue: q, requireWorkers: false }));
    expect(result).toMatchObject({ status: 'down', details: { active: 1, stalled: 1 } });
    expect(result.error).toMatch(/lost their lock/);
  });

  test('more jobs waiting than maxWaiting is down', async () => {
    const q = queue('backlog');
    for (let i = 0; i < 3; i++) await q.add('x', {});
    const { result } = await runOnce(
      bullmqCheck('backlog', { queue: q, maxWaiting: 2, requireWorkers: false }),
    );
    expect(result).toMatchObject({ status: 'down', error: '3 jobs waiting, more than 2' });
  });

  test('a queue checked from a URL (the service’s way) reports the same', async () => {
    const q = queue('by-url');
    await q.pause();
    const check = bullmqCheck('by-url', { url: REDIS_URL, queue: 'by-url', prefix });
    const { result } = await runOnce(check);
    expect(result).toMatchObject({ status: 'down', error: 'queue is paused' });
    expect(result.target).toContain(`${prefix}:by-url`);
  });
});

describe('disk and custom checks', () => {
  test('free space on a real filesystem is reported', async () => {
    const { result } = await runOnce(diskCheck('tmp', { path: tmpdir(), minFreeBytes: 1 }));
    expect(result.status).toBe('up');
    expect(result.details.freeBytes).toBeGreaterThan(0);
    expect(result.details.totalBytes).toBeGreaterThanOrEqual(result.details.freeBytes as number);
  });

  test('less free space than required is down', async () => {
    const { result } = await runOnce(diskCheck('tmp-full', { path: tmpdir(), minFreeRatio: 1 }));
    expect(result.status).toBe('down');
    expect(result.error).toMatch(/% free, below 100\.0%/);
  });

  test('a path that does not exist is down', async () => {
    const { result } = await runOnce(diskCheck('gone', { path: '/nonexistent/perfwatch' }));
    expect(result.error).toMatch(/ENOENT/);
  });

  test('a custom check that throws is down with its message', async () => {
    const { result } = await runOnce(
      customCheck('payments', () => {
        throw new Error('payment provider answers 503');
      }),
    );
    expect(result).toMatchObject({ status: 'down', type: 'custom', error: 'payment provider answers 503' });
  });

  test('a check that hangs and ignores its abort is timed out, and not started again while it hangs', async () => {
    let calls = 0;
    const recorder = new Recorder(new Registry());
    const health = new HealthChecks(recorder, { intervalMs: 60_000, timeoutMs: 100 }).add(
      customCheck('hangs', () => {
        calls++;
        return new Promise(() => undefined);
      }),
    );
    expect((await health.runAll())[0]).toMatchObject({ status: 'down', error: 'timed out after 100 ms' });
    const [second] = await health.runAll();
    expect(second.error).toMatch(/previous run has not finished/);
    expect(second.consecutiveFailures).toBe(2);
    expect(calls).toBe(1);
    await health.stop();
  });

  test('a failing check that recovers is up again', async () => {
    let healthy = false;
    const recorder = new Recorder(new Registry());
    const health = new HealthChecks(recorder).add(
      customCheck('flaps', () => {
        if (!healthy) throw new Error('not yet');
      }),
    );
    expect((await health.runAll())[0].status).toBe('down');
    healthy = true;
    const [r] = await health.runAll();
    expect(r).toMatchObject({ status: 'up', consecutiveFailures: 0, error: null });
    expect(r.lastSuccessAt).not.toBeNull();
    await health.stop();
  });

  test('a recovered check still reports when it last failed and why', async () => {
    let healthy = false;
    const recorder = new Recorder(new Registry());
    const health = new HealthChecks(recorder).add(
      customCheck('flaps', () => {
        if (!healthy) throw new Error('connection reset');
      }),
    );
    const [failed] = await health.runAll();
    expect(failed.lastFailureAt).toBe(failed.lastRunAt);
    healthy = true;
    const [r] = await health.runAll();
    expect(r).toMatchObject({ status: 'up', error: null, lastFailureError: 'connection reset' });
    expect(r.lastFailureAt).toBe(failed.lastRunAt);
    await health.stop();
  });

  test('started checks run periodically on their own', async () => {
    const recorder = new Recorder(new Registry());
    const health = new HealthChecks(recorder).add(customCheck('ticks', () => undefined, { intervalMs: 20 }));
    health.start();
    const deadline = Date.now() + 10_000;
    while (health.runCount('ticks') < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await health.stop();
    expect(health.runCount('ticks')).toBeGreaterThanOrEqual(3);
  });
});
