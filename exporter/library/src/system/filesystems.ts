import { readFile, statfs as fsStatfs } from 'node:fs/promises';
import path from 'node:path';
import { FS_TYPES_EXCLUDE, MOUNT_POINTS_EXCLUDE } from './exclusions';
import { type Mount, parseMounts } from './proc-parsers';

export interface FilesystemStats {
  device: string;
  mountpoint: string;
  fstype: string;
  /** statfs failed, timed out or is still hanging: node_exporter then exports only device_error. */
  deviceError: boolean;
  readonly: boolean;
  size?: number;
  free?: number;
  avail?: number;
  files?: number;
  filesFree?: number;
}

/** The fields of fs.StatFs we use (numbers: statfs without `bigint`). */
export interface StatfsResult {
  blocks: number;
  bsize: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export interface FilesystemReaderOptions {
  procPath: string;
  /** Longest one statfs may take before its mount is reported with device_error=1. */
  timeoutMs: number;
  /** Injectable so tests can simulate a hung mount. */
  statfs?: (path: string) => Promise<StatfsResult>;
}

/**
 * Reads mounts the way node_exporter 1.5 does (PID 1's table, the host's view in most containers;
 * /proc/mounts when hidepid hides PID 1), applies its default exclusions and statfs()es each mount.
 */
export class FilesystemReader {
  /**
   * Mount points whose statfs outlived its timeout and has not returned yet. A hung statfs holds one
   * of libuv's four threadpool threads, and every fs.promises call queues behind them: asking again
   * on every scrape would soon stall all file I/O in the process. Like node_exporter's stuckMounts,
   * such a mount is reported as failed without a new call until the old one settles.
   */
  private readonly stuck = new Set<string>();
  private readonly statfs: (path: string) => Promise<StatfsResult>;

  constructor(private readonly options: FilesystemReaderOptions) {
    this.statfs = options.statfs ?? ((p) => fsStatfs(p));
  }

  async read(): Promise<FilesystemStats[]> {
    const seen = new Set<string>();
    const mounts = parseMounts(await this.mountTable()).filter((m) => {
      if (MOUNT_POINTS_EXCLUDE.test(m.mountpoint) || FS_TYPES_EXCLUDE.test(m.fstype)) return false;
      // A path mounted twice (bind or over-mount) would repeat a series; node_exporter's registry
      // keeps the first one, so do we.
      const key = JSON.stringify([m.device, m.mountpoint, m.fstype]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return Promise.all(mounts.map((m) => this.stat(m)));
  }

  private async mountTable(): Promise<string> {
    try {
      return await readFile(path.join(this.options.procPath, '1/mounts'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return readFile(path.join(this.options.procPath, 'mounts'), 'utf8');
    }
  }

  private async stat(m: Mount): Promise<FilesystemStats> {
    const base = { device: m.device, mountpoint: m.mountpoint, fstype: m.fstype };
    const failed = { ...base, deviceError: true, readonly: false };
    if (this.stuck.has(m.path)) return failed;
    const call = this.statfs(m.path);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs);
    });
    try {
      const s = await Promise.race([call, timedOut]);
      if (s === 'timeout') {
        this.stuck.add(m.path);
        call.then(
          () => this.stuck.delete(m.path),
          () => this.stuck.delete(m.path),
        );
        return failed;
      }
      return {
        ...base,
        deviceError: false,
        readonly: m.options.includes('ro'),
        size: s.blocks * s.bsize,
        free: s.bfree * s.bsize,
        avail: s.bavail * s.bsize,
        files: s.files,
        filesFree: s.ffree,
      };
    } catch {
      return failed;
    } finally {
      clearTimeout(timer);
    }
  }
}
