import { type LinuxSnapshotOptions, linuxSnapshotReader } from './linux-snapshot';
import { portableSnapshotReader } from './portable-snapshot';
import type { SystemSnapshot } from './system-snapshot';

/**
 * Shares one reading between every caller until it settles and for `cacheMs` after, so all families
 * of a scrape (whose get() calls prom-client makes together) see the same numbers from one read.
 */
export function memoise<T>(read: () => Promise<T>, cacheMs: number): () => Promise<T> {
  let current: Promise<T> | undefined;
  let freshUntil = 0;
  return () => {
    if (current && performance.now() < freshUntil) return current;
    const p = read();
    current = p;
    freshUntil = Infinity;
    const settled = () => {
      if (current === p) freshUntil = performance.now() + cacheMs;
    };
    p.then(settled, settled);
    return p;
  };
}

export function createSnapshotReader(
  o: LinuxSnapshotOptions & { cacheMs: number },
): () => Promise<SystemSnapshot> {
  const read = process.platform === 'linux' ? linuxSnapshotReader(o) : portableSnapshotReader();
  return memoise(read, o.cacheMs);
}
