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
 * PASSIVE copies frames but never shrinks the file. Once the file passes `truncateBytes` and a PASSIVE
 * round copied every frame (so no reader needs the WAL), a TRUNCATE resets it to zero bytes. TRUNCATE
 * takes the writer lock and waits for readers, so this connection has no busy timeout: if a writer or
 * a reader got in between, it gives up at once (outcome `busy`) and tries again next round, rather than
 * making a commit on the event loop wait.
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
function round() {
  const passive = checkpoint('PASSIVE');
  parentPort.postMessage(passive);
  if (passive.outcome === 'complete' && passive.walBytes > workerData.truncateBytes)
    parentPort.postMessage(checkpoint('TRUNCATE'));
}
let timer = setInterval(round, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'close') { clearInterval(timer); db.close(); parentPort.postMessage({ closed: true }); }
});
`;

export interface CheckpointResult {
  mode: 'passive' | 'truncate';
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
  truncateBytes: number;
  onCheckpoint?: (result: CheckpointResult) => void;
}

export const DEFAULT_CHECKPOINTS: CheckpointOptions = {
  // SQLite's own default checkpoints every 1 000 pages (~4 MB); at the design ingestion rate a second
  // of commits is far below that, so a PASSIVE round a second keeps the WAL as small as it was.
  intervalMs: 1_000,
  truncateBytes: 64 * 1024 * 1024,
};

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private closed?: Promise<void>;

  constructor(file: string, options: CheckpointOptions) {
    const driver = createRequire(__filename).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver, intervalMs: options.intervalMs, truncateBytes: options.truncateBytes },
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
