import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints of a SQLite store, on a worker thread.
 *
 * SQLite runs its automatic checkpoint inside the commit that pushes the WAL past 1 000 pages, on the
 * committing connection: the service's, on the event loop. While a long read on the reader worker pins
 * the WAL, the WAL grows and the next automatic checkpoint copies (and fsyncs) all of it inside one
 * ingestion commit; at 5 M rows that held the loop for 0.5–1.2 s (bench/STORE-READS.md). So the service's
 * connection sets `wal_autocheckpoint = 0` and this worker, with its own read-write connection, runs a
 * PASSIVE checkpoint every interval: PASSIVE never takes the writer lock nor waits for readers, so
 * commits go on meanwhile and a reader only leaves its frames for the next round.
 *
 * PASSIVE copies frames but never shrinks the file. The service's connection has `journal_size_limit`
 * set (`walLimitBytes`): once a round has copied every frame and no reader needs the WAL, the next
 * commit starts the WAL over from its beginning and SQLite cuts the file back to that limit inside that
 * commit (an ftruncate, no copying). Until the fourth session this worker ran a TRUNCATE checkpoint
 * instead, and that broke writes: TRUNCATE takes the writer lock, and a transaction on the service's
 * connection that had read before writing (a webhook, an incident action) asked for the lock during
 * those milliseconds and got SQLITE_BUSY at once: SQLite does not call the busy handler when a read
 * transaction asks to become a write one (sqlite3BtreeBeginTrans only retries from no transaction), so
 * the request answered 500 (a fuzz run found 9 in 22 000 inputs; store-checkpoints.test.ts). PASSIVE
 * never takes that lock, so nothing the service writes waits on this worker.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
const walFile = workerData.file + '-wal';
const walBytes = () => { try { return statSync(walFile).size; } catch { return 0; } };
function checkpoint(mode) {
  try {
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    const busy = r.busy !== 0, frames = r.log, copied = r.checkpointed;
    const outcome = busy ? 'busy' : copied < frames ? 'partial' : 'complete';
    return { mode: mode.toLowerCase(), outcome, frames, copied, walBytes: walBytes() };
  } catch (err) {
    return { mode: mode.toLowerCase(), outcome: 'error', message: String(err && err.message), walBytes: walBytes() };
  }
}
let timer = setInterval(() => parentPort.postMessage(checkpoint('PASSIVE')), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'close') { clearInterval(timer); db.close(); parentPort.postMessage({ closed: true }); }
});
`;

export interface CheckpointResult {
  mode: 'passive';
  /** complete: every WAL frame copied; partial: a reader still needs some; busy: lock not free. */
  outcome: 'complete' | 'partial' | 'busy' | 'error';
  frames?: number;
  copied?: number;
  /** Size of the -wal file after the checkpoint. */
  walBytes: number;
  message?: string;
}

export interface CheckpointOptions {
  intervalMs: number;
  /** `journal_size_limit` of the service's connection (store.ts sets it; the worker does not). */
  walLimitBytes: number;
  onCheckpoint?: (result: CheckpointResult) => void;
}

export const DEFAULT_CHECKPOINTS: CheckpointOptions = {
  // SQLite's own default checkpoints every 1 000 pages (~4 MB); at the design ingestion rate a second
  // of commits is far below that, so a PASSIVE round a second keeps the WAL as small as it was.
  intervalMs: 1_000,
  // The size the WAL file is cut back to when a commit starts it over. A long read lets it grow past
  // this meanwhile; overwriting a file is cheaper than growing one, so it is not cut to zero.
  walLimitBytes: 16 * 1024 * 1024,
};

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private closed?: Promise<void>;

  constructor(file: string, options: CheckpointOptions) {
    const driver = createRequire(__filename).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver, intervalMs: options.intervalMs },
    });
    // Checkpoints never keep the process alive; close() stops them.
    this.worker.unref();
    this.worker.on('message', (m: CheckpointResult | { closed: true }) => {
      if (!('closed' in m)) options.onCheckpoint?.(m);
    });
  }

  /** Stops the rounds and closes the worker's connection, so the service's close can checkpoint last. */
  close(): Promise<void> {
    return (this.closed ??= new Promise<void>((resolve) => {
      this.worker.on('message', (m: { closed?: true }) => {
        if (m.closed) void this.worker.terminate().then(() => resolve());
      });
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('close');
    }));
  }
}
