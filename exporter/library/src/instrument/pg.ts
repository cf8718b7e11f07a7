import type { Recorder } from '../core/recorder';
import { captureOrigin, observeCompletion, originOf, pinOrigin, sqlOf } from './origin';

const PATCHED = Symbol.for('perfwatch.pg.patched');
const POOL_PATCHED = Symbol.for('perfwatch.pg.pool.patched');

type Callback = (err: Error | null, result?: unknown) => void;
interface QueryConfig {
  text?: string;
  callback?: Callback;
  submit?: unknown;
  emit?: unknown;
}
interface ClientProto {
  query: (...args: unknown[]) => unknown;
  [PATCHED]?: boolean;
}
interface ClientLike {
  database?: string;
  connectionParameters?: { database?: string };
}
export interface PgModule {
  Client: { prototype: object };
  Pool?: { prototype: object };
}
export interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * Instruments node-postgres: every Client#query (Pool#query goes through it) is timed and recorded,
 * with its promise, callback or submittable form, errors and return value unchanged.
 */
export function instrumentPg(pg: PgModule, options: { recorder: Recorder }): void {
  const proto = pg.Client.prototype as ClientProto;
  if (proto[PATCHED]) return;
  const { recorder } = options;
  recorder.useContext();
  const query = proto.query;
  proto.query = function perfwatchQuery(this: ClientLike, ...args: unknown[]) {
    const first = args[0] as string | QueryConfig;
    const sql = sqlOf(first, 'text');
    const start = performance.now();
    const { work, stack } = originOf(first, args[1]) ?? captureOrigin(recorder, sql);
    const database = this.database ?? this.connectionParameters?.database;
    let done = false;
    const record = (err: unknown) => {
      if (done) return;
      done = true;
      recorder.recordQuery({
        dbSystem: 'postgresql',
        sql,
        durationSeconds: (performance.now() - start) / 1000,
        error: err !== null && err !== undefined,
        database,
        work,
        stack,
      });
    };
    // Callback form: wrap the callback, keep the arity.
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as Callback;
      args[last] = function (this: unknown, err: Error | null, res?: unknown) {
        record(err);
        return cb.call(this, err, res);
      };
      return query.apply(this, args);
    }
    if (typeof first === 'object' && first !== null && typeof first.callback === 'function') {
      const cb = first.callback;
      first.callback = (err, res) => {
        record(err);
        cb(err, res);
      };
      return query.apply(this, args);
    }
    if (
      typeof first === 'object' &&
      first !== null &&
      typeof first.submit === 'function' &&
      typeof first.emit === 'function'
    ) {
      // Submittable (Query, Cursor, QueryStream): completion arrives as events.
      observeCompletion(first, record);
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      // Hand back the chained promise, not the original with handlers attached: attaching a rejection
      // handler to the original would mark it handled, and an application that forgot to catch would
      // no longer see its unhandled rejection. The chain resolves and rejects exactly as the original.
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
    }
    return result;
  };
  proto[PATCHED] = true;
  if (pg.Pool) pinOrigin(pg.Pool.prototype, 'query', 'text', POOL_PATCHED, recorder, true);
}

/** Tracks a pg Pool's connections (idle, used, pending) and its max at scrape time. */
export function trackPgPool(pool: PgPoolLike, options: { recorder: Recorder; name?: string }): void {
  options.recorder.trackPool('postgresql', options.name ?? 'default', () => ({
    idle: pool.idleCount,
    used: pool.totalCount - pool.idleCount,
    pending: pool.waitingCount,
    max: pool.options?.max ?? 10,
  }));
}
