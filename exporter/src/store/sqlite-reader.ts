import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';

/**
 * Reads of a SQLite store on a worker thread. better-sqlite3 is synchronous: an aggregate over a few
 * hundred thousand slow-query rows held the event loop for half a second, and /healthz with it. The
 * worker opens its own read-only connection (WAL lets it read while the service writes) and sends rows
 * back column by column, so the main thread receives a few arrays rather than one object per row.
 *
 * The worker's code is a string evaluated in the worker, so it runs the same from dist/ and from the
 * TypeScript sources under jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ id, sql, bindings, quantiles }) => {
  try {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      if (statements.size < 256) statements.set(sql, st);
    }
    st.raw(true);
    const names = st.columns().map((c) => c.name);
    const rows = st.all(...bindings);
    if (quantiles) {
      // (key, value) rows → nearest-rank quantiles per key, computed here so that only a few numbers
      // per key cross to the main thread.
      const groups = new Map();
      for (const [k, v] of rows) {
        let list = groups.get(k);
        if (!list) groups.set(k, (list = []));
        list.push(Number(v));
      }
      const keys = [];
      const values = [];
      for (const [k, list] of groups) {
        list.sort((a, b) => a - b);
        keys.push(k);
        values.push(quantiles.map((p) => list[Math.min(list.length - 1, Math.max(0, Math.ceil(p * list.length) - 1))]));
      }
      parentPort.postMessage({ id, names: ['key', 'quantiles'], columns: [keys, values], length: keys.length });
      return;
    }
    const columns = names.map(() => new Array(rows.length));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let c = 0; c < names.length; c++) columns[c][r] = row[c];
    }
    parentPort.postMessage({ id, names, columns, length: rows.length });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
`;

/** Rows as columns: `columns[name][i]` is row i's value. */
export interface Columns {
  length: number;
  columns: Record<string, unknown[]>;
}

interface Reply {
  id: number;
  names?: string[];
  columns?: unknown[][];
  length?: number;
  error?: string;
}

/** knex's better-sqlite3 dialect binds booleans as 1/0 and dates as epoch ms; so does the worker. */
function binding(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.valueOf();
  return v;
}

export class SqliteReader {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (c: Columns) => void; reject: (e: Error) => void }>();

  constructor(file: string) {
    const driver = createRequire(__filename).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (m.error !== undefined) return w.reject(new Error(m.error));
      const columns: Record<string, unknown[]> = {};
      m.names!.forEach((n, i) => (columns[n] = m.columns![i]));
      w.resolve({ length: m.length!, columns });
    });
    this.worker.on('error', (err) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
  }

  /** Runs a select built with knex on the worker; rows come back as columns. */
  columns(qb: Knex.QueryBuilder | Knex.Raw, quantiles?: number[]): Promise<Columns> {
    const { sql, bindings } = qb.toSQL().toNative();
    const id = this.next++;
    return new Promise<Columns>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Referenced only while a read is pending, so an idle reader never keeps the process alive.
      this.worker.ref();
      this.worker.postMessage({ id, sql, bindings: bindings.map(binding), quantiles });
    });
  }

  /** Nearest-rank quantiles of the second column per value of the first, computed on the worker. */
  async quantiles(qb: Knex.QueryBuilder, ps: number[]): Promise<Map<string, number[]>> {
    const { length, columns } = await this.columns(qb, ps);
    const out = new Map<string, number[]>();
    for (let i = 0; i < length; i++) out.set(String(columns.key[i]), columns.quantiles[i] as number[]);
    return out;
  }

  /** The same, as row objects (for small results). */
  async rows<T>(qb: Knex.QueryBuilder | Knex.Raw): Promise<T[]> {
    const { length, columns } = await this.columns(qb);
    const names = Object.keys(columns);
    const out: T[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const row: Record<string, unknown> = {};
      for (const n of names) row[n] = columns[n][i];
      out[i] = row as T;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
