import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { MIGRATIONS, type Migration } from './migrations';
import { type Columns, SqliteReader } from './sqlite-reader';
import { type CheckpointOptions, DEFAULT_CHECKPOINTS, SqliteCheckpointer } from './sqlite-checkpointer';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The persistence layer: one knex instance over better-sqlite3 (embedded default) or pg. Repositories
 * for slow queries, incidents, … take a Store and write portable knex queries, so each is written once.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Knex;
  /** Runs pending migrations; returns the schema version afterwards. */
  migrate(): Promise<number>;
  schemaVersion(): Promise<number>;
  /**
   * Runs a read query off the event loop where the driver is synchronous (SQLite: a worker thread);
   * PostgreSQL's driver is asynchronous already. Rows come back as columns.
   */
  readColumns(qb: Knex.QueryBuilder | Knex.Raw): Promise<Columns>;
  /**
   * Nearest-rank quantiles `ps` of a (key, value) select's values per key; on SQLite computed on the
   * worker, so a few hundred thousand values never cross to the event loop.
   */
  readQuantiles(qb: Knex.QueryBuilder, ps: number[]): Promise<Map<string, number[]>>;
  /** The same, as row objects. */
  readRows<T>(qb: Knex.QueryBuilder | Knex.Raw): Promise<T[]>;
  /** Resolves when the store answers a trivial query; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

class MigrationList implements Knex.MigrationSource<Migration> {
  constructor(private readonly migrations: Migration[]) {}
  getMigrations(): Promise<Migration[]> {
    return Promise.resolve(this.migrations);
  }
  getMigrationName(m: Migration): string {
    return m.name;
  }
  getMigration(m: Migration): Promise<Migration> {
    return Promise.resolve(m);
  }
}

export function versionOf(name: string): number {
  return Number.parseInt(name.slice(0, 3), 10);
}

function toColumns(rows: Array<Record<string, unknown>>): Columns {
  const columns: Record<string, unknown[]> = {};
  if (rows.length > 0) for (const n of Object.keys(rows[0])) columns[n] = rows.map((r) => r[n]);
  return { length: rows.length, columns };
}

/** The SQLite file of a store URL, or undefined for an in-memory database (no second connection). */
function sqliteFile(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const file = url.slice('sqlite:'.length);
  return file === '' || file === ':memory:' ? undefined : path.resolve(file);
}

/** Distinct SQL texts kept prepared on the service's SQLite connection. */
const PREPARED_STATEMENTS = 256;

/**
 * knex's better-sqlite3 dialect prepares every query anew, on the event loop: in a fuzz run's profile
 * that was a sixth of the service's busy time (a 200-row insert has 3 000 placeholders to compile).
 * The service sends the same few hundred SQL texts over and over, so the connection keeps the last
 * PREPARED_STATEMENTS of them. knex only ever runs a statement to completion (`all`/`run`, never an
 * open iterator) and sets no per-statement mode unless safeIntegers is configured (it is not), so a
 * cached statement is reused as it was left; SQLite re-prepares one whose tables changed shape.
 */
function cachePreparedStatements(conn: BetterSqlite3.Database): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new LRUCache<string, BetterSqlite3.Statement>({ max: PREPARED_STATEMENTS });
  conn.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = prepare(sql)));
    return statement;
  }) as typeof conn.prepare;
}

function knexConfig(
  url: string,
  walLimitBytes: number,
  onSqliteConnection: () => void,
): { kind: StoreKind; config: Knex.Config } {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length) || ':memory:';
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      kind: 'sqlite',
      config: {
        client: 'better-sqlite3',
        connection: { filename: file },
        useNullAsDefault: true,
        pool: {
          // WAL keeps readers and the single writer apart; synchronous=NORMAL in WAL mode still
          // survives a process crash (kill -9): only an OS crash can lose the last transactions.
          afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, c: unknown) => void) {
            cachePreparedStatements(conn);
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            // Checkpoints run on a worker (sqlite-checkpointer.ts), never inside a commit on the loop.
            conn.pragma('wal_autocheckpoint = 0');
            conn.pragma(`journal_size_limit = ${Math.floor(walLimitBytes)}`);
            onSqliteConnection();
            done(null, conn);
          },
        },
      },
    };
  }
  return { kind: 'postgres', config: { client: 'pg', connection: url, pool: { min: 0, max: 10 } } };
}

/** Advisory-lock key serialising Perfwatch migrations across processes on one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 0x7065_7266; // "perf"

export interface StoreOptions {
  /** SQLite only: WAL checkpoints off the event loop (sqlite-checkpointer.ts). */
  checkpoints?: Partial<CheckpointOptions>;
}

export async function openStore(
  url: string,
  migrations: Migration[] = MIGRATIONS,
  options: StoreOptions = {},
): Promise<Store> {
  const file = sqliteFile(url);
  let checkpointer: SqliteCheckpointer | undefined;
  const checkpoints = { ...DEFAULT_CHECKPOINTS, ...options.checkpoints };
  const { kind, config } = knexConfig(url, checkpoints.walLimitBytes, () => {
    // The first connection has created the file the worker opens.
    if (file) checkpointer ??= new SqliteCheckpointer(file, checkpoints);
  });
  const db = knexFactory(config);
  const source = new MigrationList(migrations);
  const migrateConfig = { migrationSource: source, tableName: 'perfwatch_migrations' };

  let reader: SqliteReader | undefined;
  const store: Store = {
    kind,
    db,
    async readColumns(qb) {
      // Opened on first read: the file exists (and is migrated) by then.
      if (file) return (reader ??= new SqliteReader(file)).columns(qb);
      return toColumns((await qb) as Array<Record<string, unknown>>);
    },
    async readQuantiles(qb, ps) {
      if (file) return (reader ??= new SqliteReader(file)).quantiles(qb, ps);
      const groups = new Map<string, number[]>();
      for (const row of (await qb) as Array<Record<string, unknown>>) {
        const [k, v] = Object.values(row);
        let list = groups.get(String(k));
        if (!list) groups.set(String(k), (list = []));
        list.push(Number(v));
      }
      const out = new Map<string, number[]>();
      for (const [k, list] of groups) {
        list.sort((a, b) => a - b);
        out.set(
          k,
          ps.map((p) => list[Math.min(list.length - 1, Math.max(0, Math.ceil(p * list.length) - 1))]),
        );
      }
      return out;
    },
    async readRows<T>(qb: Knex.QueryBuilder | Knex.Raw) {
      if (file) return (reader ??= new SqliteReader(file)).rows<T>(qb);
      return (await qb) as T[];
    },
    async migrate() {
      if (kind === 'postgres')
        // knex's own lock lives in a table it creates first, with a plain CREATE TABLE: instances
        // starting together on an empty schema race on that and all but one fail (duplicate key in
        // pg_type). A transaction-scoped advisory lock serialises them before knex looks at anything;
        // the migrations run on other pooled connections meanwhile, and the lock goes with the commit.
        await db.transaction(async (trx) => {
          await trx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
          await db.migrate.latest(migrateConfig);
        });
      else await db.migrate.latest(migrateConfig);
      const version = await store.schemaVersion();
      await db('perfwatch_meta')
        .insert({ key: 'schema_version', value: String(version), updated_at: Date.now() })
        .onConflict('key')
        .merge();
      return version;
    },
    async schemaVersion() {
      const [, pending] = (await db.migrate.list(migrateConfig)) as [Array<{ name: string }>, Migration[]];
      const done = migrations.filter((m) => !pending.some((p) => p.name === m.name));
      return done.length === 0 ? 0 : Math.max(...done.map((m) => versionOf(m.name)));
    },
    async ping() {
      await db.raw('select 1');
    },
    async close() {
      await checkpointer?.close();
      await reader?.close();
      await db.destroy();
    },
  };
  return store;
}
