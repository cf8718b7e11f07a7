/**
 * Database health checks: PostgreSQL, MySQL/MariaDB and Redis, by URL (a fresh connection per run) or
 * through the app's own client.
 */
import type { Redis } from 'ioredis';
import { abortable, backstop, targetOf, type Timing } from './check-support';
import type { HealthCheck, HealthDetails } from './registry';

interface Queryable {
  query(sql: string): Promise<unknown>;
}

type SqlOptions = ({ url: string } | { pool: Queryable }) & Timing;

/** `select 1` through the app's pool, else `fresh` on a connection of its own to the URL. */
function sqlCheck(
  type: 'postgres' | 'mysql',
  name: string,
  opts: SqlOptions,
  fresh: (url: string, signal: AbortSignal) => Promise<HealthDetails>,
): HealthCheck {
  return {
    name,
    type,
    target: 'url' in opts ? targetOf(opts.url) : 'pool',
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      if ('pool' in opts) {
        await abortable(signal, opts.pool.query('select 1'), () => undefined);
        return;
      }
      return fresh(opts.url, signal);
    },
  };
}

/** PostgreSQL: `select 1` on a fresh connection to `url`, or through the app's pg Pool. */
export function postgresCheck(name: string, opts: SqlOptions): HealthCheck {
  return sqlCheck('postgres', name, opts, async (url, signal) => {
    const { Client } = await import('pg');
    const client = new Client({
      connectionString: url,
      connectionTimeoutMillis: backstop(opts),
    });
    // A connection ended by the abort reports an error event nobody else listens to.
    client.on('error', () => undefined);
    try {
      const res = await abortable(
        signal,
        client
          .connect()
          .then(() => client.query<{ v: string }>("select current_setting('server_version') as v")),
        () => void client.end().catch(() => undefined),
      );
      return { serverVersion: res.rows[0]?.v ?? null };
    } finally {
      void client.end().catch(() => undefined);
    }
  });
}

/** MySQL/MariaDB: a ping on a fresh connection to `url`, or `select 1` through the app's mysql2 pool. */
export function mysqlCheck(name: string, opts: SqlOptions): HealthCheck {
  return sqlCheck('mysql', name, opts, async (url, signal) => {
    const mysql = await import('mysql2/promise');
    let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
    const connecting = mysql.createConnection({ uri: url, connectTimeout: backstop(opts) });
    try {
      conn = await abortable(
        signal,
        connecting,
        () =>
          // The connection object only exists once connected: destroy it when it comes.
          void connecting.then((c) => c.destroy()).catch(() => undefined),
      );
      const c = conn;
      await abortable(signal, c.ping(), () => c.destroy());
      const [rows] = await abortable(signal, c.query('select version() as v'), () => c.destroy());
      return { serverVersion: (rows as Array<{ v?: string }>)[0]?.v ?? null };
    } finally {
      if (conn) void conn.end().catch(() => conn?.destroy());
    }
  });
}

/** Redis: PING on a fresh connection to `url`, or on the app's ioredis client. */
export function redisCheck(
  name: string,
  opts: ({ url: string } | { client: Pick<Redis, 'ping'> }) & Timing,
): HealthCheck {
  return {
    name,
    type: 'redis',
    target: 'url' in opts ? targetOf(opts.url) : 'client',
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      if ('client' in opts) {
        const pong = await abortable(signal, opts.client.ping(), () => undefined);
        if (pong !== 'PONG') throw new Error(`PING answered ${String(pong).slice(0, 50)}`);
        return;
      }
      return withFreshRedis(opts.url, opts, signal, async (client, guard) => {
        const pong = await guard(client.ping());
        if (pong !== 'PONG') throw new Error(`PING answered ${String(pong).slice(0, 50)}`);
        return {};
      });
    },
  };
}

/**
 * Opens a Redis connection to `url` for one check run, hands it to `work` with a guard that ends the
 * run when the signal aborts, and closes it whatever happens.
 */
export async function withFreshRedis<T>(
  url: string,
  timing: Timing,
  signal: AbortSignal,
  work: (client: Redis, guard: <R>(p: Promise<R>) => Promise<R>) => Promise<T>,
): Promise<T> {
  const { default: RedisClient } = await import('ioredis');
  const client = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: backstop(timing),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // A hung server never closes its end: do not wait 2 s for it after giving up.
    disconnectTimeout: 100,
  });
  // ioredis arms a timer on disconnect() that only a later 'close' clears: skip it when closed.
  const disconnect = () => {
    if (client.status !== 'end') client.disconnect();
  };
  // connect() rejects with "Connection is closed."; the reason (ECONNREFUSED, …) comes as an event.
  let reason: Error | undefined;
  client.on('error', (err: Error) => (reason ??= err));
  try {
    await abortable(signal, client.connect(), disconnect).catch((err: unknown) => {
      throw reason ?? err;
    });
    return await work(client, (p) => abortable(signal, p, disconnect));
  } finally {
    disconnect();
  }
}
