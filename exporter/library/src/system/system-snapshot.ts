import type { FilesystemStats } from './filesystems';
import type { CpuTimes, DiskStats, NetDevice, ProcStat } from './proc-parsers';

export interface Uname {
  sysname: string;
  release: string;
  version: string;
  machine: string;
  nodename: string;
  domainname: string;
}

export interface CollectorRun {
  /** node_exporter's collector name (cpu, meminfo, filesystem, …). */
  collector: string;
  success: boolean;
  seconds: number;
}

/**
 * One reading of the machine, shared by every node_* family of a scrape. A part is missing when its
 * collector failed (then `collectors` says so) or the platform cannot provide it.
 */
export interface SystemSnapshot {
  cpus?: CpuTimes[];
  stat?: Omit<ProcStat, 'cpus'>;
  load?: [number, number, number];
  memory?: Map<string, number>;
  filesystems?: FilesystemStats[];
  network?: NetDevice[];
  disks?: DiskStats[];
  uname?: Uname;
  clocksources?: Array<{ available: string[]; current: string }>;
  collectors: CollectorRun[];
}

/** Runs one collector, recording its success and duration as node_exporter's scrape metrics do. */
export function collectorRunner(runs: CollectorRun[]) {
  return async <T>(collector: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const start = performance.now();
    let success = false;
    try {
      const value = await fn();
      success = true;
      return value;
    } catch {
      return undefined;
    } finally {
      runs.push({ collector, success, seconds: (performance.now() - start) / 1000 });
    }
  };
}
