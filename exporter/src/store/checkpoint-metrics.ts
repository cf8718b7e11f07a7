import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import type { CheckpointResult } from './sqlite-checkpointer';

/** Counts each WAL checkpoint round of a SQLite store (sqlite-checkpointer.ts). */
export function checkpointMetrics(registry: Registry, logger: Logger): (r: CheckpointResult) => void {
  const rounds = new Counter({
    name: 'perfwatch_sqlite_checkpoints_total',
    help: 'WAL checkpoints run off the event loop, by mode (passive) and outcome (complete; partial: a reader still needed frames; busy: the lock was not free; error).',
    labelNames: ['mode', 'outcome'] as const,
    registers: [registry],
  });
  const walBytes = new Gauge({
    name: 'perfwatch_sqlite_wal_bytes',
    help: 'Size of the SQLite write-ahead log after the last checkpoint round.',
    registers: [registry],
  });
  return (r) => {
    rounds.inc({ mode: r.mode, outcome: r.outcome });
    walBytes.set(r.walBytes);
    if (r.outcome === 'error') logger.warn({ mode: r.mode, message: r.message }, 'WAL checkpoint failed');
  };
}
