import type { Knex } from 'knex';
import type { PoolState, Recorder } from '../core/recorder';
import { captureOrigin, ownerOf } from './origin';

const DB_SYSTEMS: Record<string, string> = {
  pg: 'postgresql',
  postgres: 'postgresql',
  postgresql: 'postgresql',
  mysql: 'mysql',
  mysql2: 'mysql',
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
  mssql: 'mssql',
  oracledb: 'oracle',
};

/** The db_system of a knex instance, from its client name. */
function dbSystemOf(knex: Knex): string {
  const client = (knex.client.config as { client?: string | { name?: string } }).client;
  const clientName = typeof client === 'string' ? client : (client?.name ?? 'unknown');
  return DB_SYSTEMS[clientName] ?? clientName;
}

/** Per instrumented knex instance, keyed by its config (which its transaction clients share). */
interface KnexState {
  recorder: Recorder;
  dbSystem: string;
  database: string | undefined;
}
const STATES = new WeakMap<object, KnexState>();
const PATCHED = Symbol.for('perfwatch.knex.patched');

interface KnexClientLike {
  config: object;
  _query: (connection: unknown, obj: { sql?: string }) => unknown;
}

/**
 * Instruments a knex instance. Use it instead of the driver hooks for the same connection, or queries
 * are counted twice.
 *
 * It wraps the dialect client's `_query`, the one method every knex query goes through on its way to
 * the driver (builder and raw queries, and the BEGIN/COMMIT/ROLLBACK of transactions), rather than
 * listening to knex's query events: knex emits no response event for transaction statements, and raw
 * statements carry no query id to pair a 'query' event with its response. The wrapper is on the
 * dialect's prototype (transaction clients are made from it) and does nothing for knex instances that
 * were not instrumented.
 */
export function instrumentKnex(knex: Knex, options: { recorder: Recorder }): void {
  const { recorder } = options;
  recorder.useContext();
  const client = knex.client as unknown as KnexClientLike;
  const connection = knex.client.config.connection as { database?: string } | undefined;
  STATES.set(client.config, {
    recorder,
    dbSystem: dbSystemOf(knex),
    database: typeof connection === 'object' ? connection?.database : undefined,
  });
  const owner = ownerOf(Object.getPrototypeOf(client) as object, '_query') as
    (KnexClientLike & { [PATCHED]?: boolean }) | undefined;
  if (!owner || owner[PATCHED]) return;
  const original = owner._query;
  owner._query = function perfwatchKnexQuery(this: KnexClientLike, ...args: [unknown, { sql?: string }]) {
    const state = STATES.get(this.config);
    if (!state) return original.apply(this, args);
    const sql = typeof args[1]?.sql === 'string' ? args[1].sql : '';
    const start = performance.now();
    const { work, stack } = captureOrigin(state.recorder, sql);
    const record = (err: unknown) =>
      state.recorder.recordQuery({
        dbSystem: state.dbSystem,
        sql,
        durationSeconds: (performance.now() - start) / 1000,
        error: err !== null && err !== undefined,
        database: state.database,
        work,
        stack,
      });
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      record(err);
      throw err;
    }
    if (!result || typeof (result as Promise<unknown>).then !== 'function') {
      record(null);
      return result;
    }
    return (result as Promise<unknown>).then(
      (value) => {
        record(null);
        return value;
      },
      (err: unknown) => {
        record(err);
        throw err;
      },
    );
  };
  owner[PATCHED] = true;
}

/** tarn's pool, which knex creates lazily (absent until the first query, and after destroy()). */
interface TarnPoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** Tracks a knex instance's connection pool (tarn) at scrape time. */
export function trackKnexPool(knex: Knex, options: { recorder: Recorder; name?: string }): void {
  const configured = (knex.client.config.pool as { max?: number } | undefined)?.max;
  options.recorder.trackPool(dbSystemOf(knex), options.name ?? 'default', (): PoolState => {
    const pool = (knex.client as { pool?: TarnPoolLike }).pool;
    if (!pool) return { idle: 0, used: 0, pending: 0, max: configured ?? 10 };
    return {
      idle: pool.numFree(),
      used: pool.numUsed(),
      pending: pool.numPendingAcquires(),
      max: pool.max,
    };
  });
}
