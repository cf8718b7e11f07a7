import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MonotonicCpuCounters } from './cpu-counters';
import { DISK_DEVICES_EXCLUDE } from './exclusions';
import { FilesystemReader } from './filesystems';
import {
  type NetDevice,
  parseClocksource,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
} from './proc-parsers';
import { type CollectorRun, collectorRunner, type SystemSnapshot, type Uname } from './system-snapshot';

export interface LinuxSnapshotOptions {
  procPath: string;
  sysPath: string;
  statfsTimeoutMs: number;
}

/*
 * On Linux we read /proc and /sys ourselves with fs.promises rather than use systeminformation: its
 * currentLoad(), fsSize() and disksIO() run execSync/child processes, which block the event loop for
 * the whole scrape, and it has no iowait/steal/softirq CPU modes, which node_exporter's `mode` needs.
 */
export function linuxSnapshotReader(o: LinuxSnapshotOptions): () => Promise<SystemSnapshot> {
  const cpuCounters = new MonotonicCpuCounters();
  const filesystems = new FilesystemReader({ procPath: o.procPath, timeoutMs: o.statfsTimeoutMs });
  const proc = (file: string) => readFile(path.join(o.procPath, file), 'utf8');
  const sys = (file: string) => readFile(path.join(o.sysPath, file), 'utf8');

  // node_exporter reads netdev through netlink, which also carries rx_nohandler; /proc/net/dev does
  // not, so that one counter comes from sysfs (left out for a device whose file is missing).
  async function network(): Promise<NetDevice[]> {
    const devices = parseNetDev(await proc('net/dev'));
    await Promise.all(
      devices.map(async (d) => {
        const text = await sys(`class/net/${d.device}/statistics/rx_nohandler`).catch(() => undefined);
        if (text !== undefined && Number.isFinite(Number(text))) d.counters.receive_nohandler = Number(text);
      }),
    );
    return devices;
  }

  async function clocksources() {
    const dir = path.join(o.sysPath, 'devices/system/clocksource');
    const names = (await readdir(dir)).filter((n) => /^clocksource\d/.test(n)).sort();
    return Promise.all(
      names.map(async (n) => {
        const [available, current] = await Promise.all(
          ['available_clocksource', 'current_clocksource'].map((f) => readFile(path.join(dir, n, f), 'utf8')),
        );
        return parseClocksource(available, current);
      }),
    );
  }

  async function uname(): Promise<Uname> {
    // node:os exposes every uname(2) field but the NIS domain name, which procfs has. Without it the
    // family would vanish, and node dashboards build their host picker from node_uname_info.
    const domainname = (await proc('sys/kernel/domainname').catch(() => '(none)')).trim();
    return {
      sysname: os.type(),
      release: os.release(),
      version: os.version(),
      machine: os.machine(),
      nodename: os.hostname(),
      domainname,
    };
  }

  return async () => {
    const collectors: CollectorRun[] = [];
    const run = collectorRunner(collectors);
    // The cpu and stat collectors both read /proc/stat; one read serves both.
    const stat = proc('stat').then(parseProcStat);
    const [cpus, procStat, load, memory, fs, net, disks, host, clocks] = await Promise.all([
      run('cpu', async () => cpuCounters.update((await stat).cpus)),
      run('stat', async () => {
        const { cpus: _cpus, ...rest } = await stat;
        return rest;
      }),
      run('loadavg', async () => parseLoadavg(await proc('loadavg'))),
      run('meminfo', async () => parseMeminfo(await proc('meminfo'))),
      run('filesystem', () => filesystems.read()),
      run('netdev', network),
      run('diskstats', async () => parseDiskstats(await proc('diskstats'), DISK_DEVICES_EXCLUDE)),
      run('uname', uname),
      run('time', clocksources),
    ]);
    return {
      cpus,
      stat: procStat,
      load,
      memory,
      filesystems: fs,
      network: net,
      disks,
      uname: host,
      clocksources: clocks,
      collectors,
    };
  };
}
