import type { Recorder } from '../core/recorder';
import { captureOrigin, observeCompletion, ORIGIN, originOf, ownerOf, pinOrigin, sqlOf } from './origin';

const PATCHED = Symbol.for('perfwatch.mysql2.patched');
const POOL_PATCHED = Symbol.for('perfwatch.mysql2.pool.patched');
const CREATE_PATCHED = Symbol.for('perfwatch.mysql2.createQuery.patched');

type Callback = (err: Error | null, ...rest: unknown[]) => unknown;
interface ConnectionProto {
  query: (...args: unknown[]) => unknown;
  execute: (...args: unknown[]) => unknown;
  [PATCHED]?: boolean;
}
interface ConnectionLike {
  config?: { database?: string };
}
interface Command {
  onResult?: Callback;
}

/** Depth of our query/execute wrappers on the stack, so createQuery knows whether to take the origin. */
let wrapped = 0;
function call(self: unknown, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  wrapped++;
  try {
    return fn.apply(self, args);
  } finally {
    wrapped--;
  }
}

/**
 * Instruments mysql2: Connection#query and #execute, which its pools and its promise API
 * (mysql2/promise) call underneath, so every form is covered once.
 */
export function instrumentMysql2(
  mysql: { Connection: { prototype: object }; Pool?: { prototype: object } },
  options: { recorder: Recorder },
): void {
  const proto = mysql.Connection.prototype as ConnectionProto;
  if (proto[PATCHED]) return;
  const { recorder } = options;
  recorder.useContext();
  for (const method of ['query', 'execute'] as const) {
    const original = proto[method];
    proto[method] = function perfwatchMysql(this: ConnectionLike, ...args: unknown[]) {
      const first = args[0] as string | { sql?: string };
      const sql = sqlOf(first, 'sql');
      const start = performance.now();
      const { work, stack } = originOf(first) ?? captureOrigin(recorder, sql);
      let done = false;
      const record = (err: unknown) => {
        if (done) return;
        done = true;
        recorder.recordQuery({
          dbSystem: 'mysql',
          sql,
          durationSeconds: (performance.now() - start) / 1000,
          error: err !== null && err !== undefined,
          database: this.config?.database,
          work,
          stack,
        });
      };
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const cb = args[last] as Callback;
        args[last] = function (this: unknown, err: Error | null, ...rest: unknown[]) {
          record(err);
          return cb.call(this, err, ...rest);
        };
        return call(this, original, args);
      }
      // A command object built by a pool carries its completion callback as onResult.
      const command = first as Command;
      if (typeof first === 'object' && first !== null && typeof command.onResult === 'function') {
        const onResult = command.onResult;
        command.onResult = function (this: unknown, err: Error | null, ...rest: unknown[]) {
          record(err);
          return onResult.call(this, err, ...rest);
        };
        return call(this, original, args);
      }
      // Streaming form: the returned command emits 'end' or 'error'.
      const cmd = call(this, original, args);
      observeCompletion(cmd, record);
      return cmd;
    };
  }
  proto[PATCHED] = true;
  // Pool#query builds its command with the static createQuery, synchronously in the caller's frame.
  const base = ownerOf(mysql.Connection as unknown as object, 'createQuery') as
    { createQuery: (...a: unknown[]) => object; [CREATE_PATCHED]?: boolean } | undefined;
  if (base && !base[CREATE_PATCHED]) {
    const createQuery = base.createQuery;
    base.createQuery = function (this: unknown, ...a: unknown[]) {
      const cmd = createQuery.apply(this, a) as Record<symbol, unknown>;
      // Inside our own query/execute wrapper the origin is already taken.
      if (wrapped === 0) cmd[ORIGIN] ??= captureOrigin(recorder, sqlOf(cmd, 'sql'));
      return cmd;
    };
    base[CREATE_PATCHED] = true;
  }
  if (mysql.Pool) pinOrigin(mysql.Pool.prototype, 'execute', 'sql', POOL_PATCHED, recorder);
}

interface Mysql2PoolLike {
  // mysql2 exposes no public pool statistics; these fields are its long-standing internals.
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
  pool?: Mysql2PoolLike;
}

/** Tracks a mysql2 pool (callback or promise wrapper) at scrape time. */
export function trackMysql2Pool(pool: Mysql2PoolLike, options: { recorder: Recorder; name?: string }): void {
  const p = pool.pool ?? pool;
  options.recorder.trackPool('mysql', options.name ?? 'default', () => {
    const all = p._allConnections?.length ?? 0;
    const free = p._freeConnections?.length ?? 0;
    return {
      idle: free,
      used: all - free,
      pending: p._connectionQueue?.length ?? 0,
      max: p.config?.connectionLimit ?? 10,
    };
  });
}
