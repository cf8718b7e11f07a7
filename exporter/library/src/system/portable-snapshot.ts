import os from 'node:os';
import si from 'systeminformation';
import { MonotonicCpuCounters } from './cpu-counters';
import type { FilesystemStats } from './filesystems';
import type { CpuTimes } from './proc-parsers';
import { type CollectorRun, collectorRunner, type SystemSnapshot, type Uname } from './system-snapshot';

/** node_exporter on BSD and macOS emulates Linux's domain name by splitting the host name. */
function bsdUname(): Uname {
  const [nodename, ...domain] = os.hostname().split('.');
  return {
    sysname: os.type(),
    release: os.release(),
    version: os.version(),
    machine: os.machine(),
    nodename,
    domainname: domain.length > 0 ? domain.join('.') : '(none)',
  };
}

function cpuTimes(): CpuTimes[] {
  const ms = 1000;
  return os.cpus().map((c, i) => ({
    cpu: String(i),
    // The modes node_exporter has on macOS; Windows also accounts interrupt time separately.
    seconds: {
      user: c.times.user / ms,
      nice: c.times.nice / ms,
      system: c.times.sys / ms,
      idle: c.times.idle / ms,
      ...(process.platform === 'win32' && { irq: c.times.irq / ms }),
    },
  }));
}

/*
 * Memory uses the Linux meminfo names even here: node_exporter's macOS names (node_memory_total_bytes…)
 * match no standard dashboard, and MemTotal/MemAvailable/SwapTotal are what those query.
 */
async function memory(): Promise<Map<string, number>> {
  const m = await si.mem();
  return new Map([
    ['node_memory_MemTotal_bytes', m.total],
    ['node_memory_MemFree_bytes', m.free],
    ['node_memory_MemAvailable_bytes', m.available],
    ['node_memory_SwapTotal_bytes', m.swaptotal],
    ['node_memory_SwapFree_bytes', m.swapfree],
  ]);
}

/** systeminformation's fsSize() blocks briefly on macOS (execSync of mount/diskutil); it has no inode counts. */
async function filesystems(): Promise<FilesystemStats[]> {
  return (await si.fsSize()).map((f) => ({
    device: f.fs,
    mountpoint: f.mount,
    fstype: f.type,
    deviceError: false,
    readonly: f.rw === false,
    size: f.size,
    // df's "used" is blocks - bfree, so this is node_exporter's free (it includes root's reserve).
    free: f.size - f.used,
    avail: f.available,
  }));
}

/** Platforms without /proc: the subset node:os and systeminformation provide. */
export function portableSnapshotReader(): () => Promise<SystemSnapshot> {
  const cpuCounters = new MonotonicCpuCounters();
  // Computed once: uptime and the clock are read at slightly different instants, and a boot time
  // that jittered between scrapes would look like reboots to changes().
  const bootTime = Math.round(Date.now() / 1000 - os.uptime());
  return async () => {
    const collectors: CollectorRun[] = [];
    const run = collectorRunner(collectors);
    const [cpus, load, mem, fs, uname, stat] = await Promise.all([
      run('cpu', async () => cpuCounters.update(cpuTimes())),
      // Windows has no load average; node:os reports zeros there, which would be a lie.
      process.platform === 'win32'
        ? undefined
        : run('loadavg', async () => os.loadavg() as [number, number, number]),
      run('meminfo', memory),
      run('filesystem', filesystems),
      run('uname', async () => bsdUname()),
      run('boottime', async () => ({ bootTime })),
    ]);
    return { cpus, load, memory: mem, filesystems: fs, uname, stat, collectors };
  };
}
