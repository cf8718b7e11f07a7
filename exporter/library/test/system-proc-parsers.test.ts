import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry, type RegistryContentType } from 'prom-client';
import { registerSystemMetrics } from '../src/system';
import { MonotonicCpuCounters } from '../src/system/cpu-counters';
import { DISK_DEVICES_EXCLUDE } from '../src/system/exclusions';
import { FIXED_FAMILIES } from '../src/system/families';
import { FilesystemReader, type StatfsResult } from '../src/system/filesystems';
import {
  type CpuTimes,
  parseClocksource,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from '../src/system/proc-parsers';
import { memoise } from '../src/system/snapshot';
import { parsePromText } from './support/prom-text';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 100 2 0 0 0 0 0 0 100 2 0 0 0 0 0 0
  eth0: 1000 20 1 2 3 4 5 6 2000 30 7 8 9 10 11 12
`;

const diskLine = (name: string, extra = ' 0 0 0 0 0 0') =>
  `   8       0 ${name} 10 1 4 1500 20 2 8 2500 3 1000 4000${extra}`;

describe('/proc parsers', () => {
  test('meminfo keys get node_exporter names: (anon) → _anon, kB → bytes, unit-less keys unchanged', () => {
    const m = parseMeminfo(
      'MemTotal:       16384 kB\nActive(anon):     100 kB\nInactive(file):     7 kB\nHugePages_Total:       2\n\n',
    );
    expect([...m.entries()]).toEqual([
      ['node_memory_MemTotal_bytes', 16384 * 1024],
      ['node_memory_Active_anon_bytes', 100 * 1024],
      ['node_memory_Inactive_file_bytes', 7 * 1024],
      ['node_memory_HugePages_Total', 2],
    ]);
  });

  test('a malformed meminfo line fails the read instead of exporting a wrong value', () => {
    expect(() => parseMeminfo('MemTotal: lots kB\n')).toThrow(/meminfo/);
  });

  test('stat gives per-CPU seconds per mode, guest time, boot time and the stat counters', () => {
    const s = parseProcStat(
      [
        'cpu  1 2 3 4 5 6 7 8 9 10',
        'cpu0 100 200 300 400 500 600 700 800 900 1000',
        'intr 12345 1 2 3',
        'ctxt 999',
        'btime 1700000000',
        'processes 4242',
        'procs_running 3',
        'procs_blocked 1',
      ].join('\n'),
    );
    expect(s.cpus).toEqual([
      {
        cpu: '0',
        seconds: { user: 1, nice: 2, system: 3, idle: 4, iowait: 5, irq: 6, softirq: 7, steal: 8 },
        guest: { user: 9, nice: 10 },
      },
    ]);
    expect(s).toMatchObject({
      bootTime: 1700000000,
      interrupts: 12345,
      contextSwitches: 999,
      forks: 4242,
      procsRunning: 3,
      procsBlocked: 1,
    });
  });

  test('an offline CPU between online ones is an all-zero series, as in node_exporter', () => {
    const s = parseProcStat('cpu0 1 1 1 1 1 1 1 1 0 0\ncpu2 2 2 2 2 2 2 2 2 0 0\n');
    expect(s.cpus.map((c) => [c.cpu, c.seconds.user])).toEqual([
      ['0', 0.01],
      ['1', 0],
      ['2', 0.02],
    ]);
  });

  test('loadavg gives the three averages', () => {
    expect(parseLoadavg('0.52 0.58 0.59 1/467 12345\n')).toEqual([0.52, 0.58, 0.59]);
  });

  test('mount points are unescaped like node_exporter labels them, and fully for statfs', () => {
    const [m] = parseMounts('/dev/disk\\040a /mnt/my\\040disk\\011x\\134y ext4 ro,relatime 0 0\n');
    expect(m).toEqual({
      device: '/dev/disk\\040a',
      mountpoint: '/mnt/my disk\tx\\134y',
      path: '/mnt/my disk\tx\\y',
      fstype: 'ext4',
      options: ['ro', 'relatime'],
    });
  });

  test('a malformed mount line fails the read', () => {
    expect(() => parseMounts('/dev/sda1 /mnt\n')).toThrow(/malformed/);
  });

  test('net/dev gives all sixteen counters per device under node_exporter names', () => {
    const [lo, eth0] = parseNetDev(NET_DEV);
    expect(lo.device).toBe('lo');
    expect(eth0).toEqual({
      device: 'eth0',
      counters: {
        receive_bytes: 1000,
        receive_packets: 20,
        receive_errs: 1,
        receive_drop: 2,
        receive_fifo: 3,
        receive_frame: 4,
        receive_compressed: 5,
        receive_multicast: 6,
        transmit_bytes: 2000,
        transmit_packets: 30,
        transmit_errs: 7,
        transmit_drop: 8,
        transmit_fifo: 9,
        transmit_colls: 10,
        transmit_carrier: 11,
        transmit_compressed: 12,
      },
    });
  });

  test("diskstats keeps whole disks and drops what node_exporter 1.5's default regex drops", () => {
    const names = [
      'sda',
      'sda1',
      'loop0',
      'ram1',
      'fd0',
      'hdb3',
      'xvda1',
      'vda',
      'vdb2',
      'nvme0n1',
      'nvme0n1p2',
    ];
    const kept = parseDiskstats(
      [...names, 'dm-0', 'md127', 'zram0'].map((n) => diskLine(n)).join('\n'),
      DISK_DEVICES_EXCLUDE,
    );
    expect(kept.map((d) => d.device)).toEqual(['sda', 'vda', 'nvme0n1', 'dm-0', 'md127', 'zram0']);
  });

  test('diskstats keeps the raw fields the kernel has, skipping pre-4.x short lines', () => {
    const [sda, ...rest] = parseDiskstats(
      [diskLine('sda', ''), '   8    1 sda1 10 4 20 8', diskLine('sdb', ' 0 0 0 0 0 0 9 9 9')].join('\n'),
      DISK_DEVICES_EXCLUDE,
    );
    expect(sda).toEqual({
      device: 'sda',
      major: '8',
      minor: '0',
      fields: [10, 1, 4, 1500, 20, 2, 8, 2500, 3, 1000, 4000],
    });
    expect(rest.map((d) => [d.device, d.fields.length])).toEqual([['sdb', 17]]);
  });

  test('clocksource files give the available and current sources', () => {
    expect(parseClocksource('tsc kvm-clock acpi_pm \n', 'tsc\n')).toEqual({
      available: ['tsc', 'kvm-clock', 'acpi_pm'],
      current: 'tsc',
    });
  });
});

describe('CPU counters', () => {
  const cpu = (idle: number, iowait: number): CpuTimes => ({
    cpu: '0',
    seconds: { user: 1, nice: 0, system: 1, idle, iowait, irq: 0, softirq: 0, steal: 0 },
    guest: { user: 0, nice: 0 },
  });

  test('a counter the kernel steps backwards keeps its last value', () => {
    const c = new MonotonicCpuCounters();
    c.update([cpu(100, 10)]);
    expect(c.update([cpu(101, 9.5)])[0].seconds).toMatchObject({ idle: 101, iowait: 10 });
    expect(c.update([cpu(102, 11)])[0].seconds).toMatchObject({ idle: 102, iowait: 11 });
  });

  test('an idle jump of 3 s or more backwards is a hot-plugged CPU and starts it afresh', () => {
    const c = new MonotonicCpuCounters();
    c.update([cpu(100, 10)]);
    expect(c.update([cpu(5, 1)])[0].seconds).toMatchObject({ idle: 5, iowait: 1 });
  });
});

describe('filesystems', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pw-proc-'));
    mkdirSync(path.join(dir, '1'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ok: StatfsResult = { blocks: 100, bsize: 4096, bfree: 50, bavail: 40, files: 10, ffree: 5 };
  const MOUNTS = [
    'proc /proc proc rw 0 0',
    '/dev/vda / ext4 rw,relatime 0 0',
    '/dev/vda / ext4 ro,relatime 0 0',
    'tmpfs /run tmpfs rw 0 0',
    'tmpfs /run/credentials/x tmpfs rw 0 0',
    'overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0',
    'cgroup2 /opt/cgroup cgroup2 rw 0 0',
    'nfs:/x /mnt/nfs nfs4 ro 0 0',
  ].join('\n');

  test("node_exporter's default exclusions apply and a twice-mounted path is reported once", async () => {
    writeFileSync(path.join(dir, '1/mounts'), MOUNTS);
    const fs = await new FilesystemReader({ procPath: dir, timeoutMs: 1000, statfs: async () => ok }).read();
    expect(fs.map((f) => [f.device, f.mountpoint, f.fstype, f.readonly])).toEqual([
      ['/dev/vda', '/', 'ext4', false],
      ['tmpfs', '/run', 'tmpfs', false],
      ['nfs:/x', '/mnt/nfs', 'nfs4', true],
    ]);
    expect(fs[0]).toMatchObject({ size: 409600, free: 204800, avail: 163840, files: 10, filesFree: 5 });
  });

  test('without /proc/1/mounts (hidepid) the process mount table is read', async () => {
    rmSync(path.join(dir, '1'), { recursive: true });
    writeFileSync(path.join(dir, 'mounts'), '/dev/vdb /data xfs rw 0 0\n');
    const fs = await new FilesystemReader({ procPath: dir, timeoutMs: 1000, statfs: async () => ok }).read();
    expect(fs.map((f) => f.mountpoint)).toEqual(['/data']);
  });

  test('a hung mount is a device error within the timeout and is not asked again until it answers', async () => {
    writeFileSync(path.join(dir, '1/mounts'), '/dev/vda / ext4 rw 0 0\nnfs:/x /mnt/nfs nfs4 rw 0 0\n');
    let answer: ((s: StatfsResult) => void) | undefined;
    const calls: string[] = [];
    const statfs = (p: string) => {
      calls.push(p);
      return p === '/mnt/nfs' && !answer
        ? new Promise<StatfsResult>((resolve) => (answer = resolve))
        : Promise.resolve(ok);
    };
    const reader = new FilesystemReader({ procPath: dir, timeoutMs: 50, statfs });
    const started = performance.now();
    const first = await reader.read();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(first.map((f) => [f.mountpoint, f.deviceError, f.size])).toEqual([
      ['/', false, 409600],
      ['/mnt/nfs', true, undefined],
    ]);
    const second = await reader.read();
    expect(second[1].deviceError).toBe(true);
    expect(calls.filter((p) => p === '/mnt/nfs')).toHaveLength(1);
    answer!(ok);
    await new Promise((r) => setImmediate(r));
    const third = await reader.read();
    expect(third[1]).toMatchObject({ deviceError: false, size: 409600 });
  });

  test('a failed statfs exports device_error=1 and no other filesystem series, as node_exporter does', async () => {
    writeFileSync(path.join(dir, '1/mounts'), '/dev/vdb /gone xfs ro 0 0\n');
    const filesystems = await new FilesystemReader({
      procPath: dir,
      timeoutMs: 1000,
      statfs: () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
    }).read();
    const exported = FIXED_FAMILIES.filter((f) => f.name.startsWith('node_filesystem_')).flatMap((f) =>
      f.samples({ filesystems, collectors: [] }, 0).map((s) => [f.name, s.value]),
    );
    expect(exported).toEqual([['node_filesystem_device_error', 1]]);
  });
});

describe('one reading per scrape', () => {
  test('concurrent callers share one reading, which is reused for cacheMs after it settles', async () => {
    let reads = 0;
    const read = memoise(async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 20));
      return reads;
    }, 100);
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    expect(await read()).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(await read()).toBe(2);
  });
});

describe('registry rendering from a fixed /proc', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pw-root-'));
    write(
      'proc/stat',
      'cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 100 200 300 400 500 600 700 800 0 0\nbtime 1700000000\n',
    );
    write('proc/loadavg', '0.50 0.25 0.125 1/100 42\n');
    write('proc/meminfo', 'MemTotal: 1000 kB\nActive(anon): 10 kB\nHugePages_Total: 0\n');
    write('proc/1/mounts', `/dev/fixture ${root} ext4 rw 0 0\n`);
    write('proc/net/dev', NET_DEV);
    write('proc/sys/kernel/domainname', '(none)\n');
    write('sys/class/net/eth0/statistics/rx_nohandler', '7\n');
    write('sys/devices/system/clocksource/clocksource0/available_clocksource', 'tsc hpet\n');
    write('sys/devices/system/clocksource/clocksource0/current_clocksource', 'tsc\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function render(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE) {
    const registry = new Registry<RegistryContentType>();
    registerSystemMetrics(registry, {
      procPath: path.join(root, 'proc'),
      sysPath: path.join(root, 'sys'),
      cacheMs: 0,
    });
    await registry.metrics(); // the first reading registers the kernel's node_memory_* families
    registry.setContentType(contentType);
    return { registry, text: await registry.metrics() };
  }
  const value = (text: string, name: string, labels: Record<string, string> = {}) =>
    parsePromText(text).find(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value;

  test('values are read from procPath and sysPath with node_exporter units', async () => {
    const { text } = await render();
    expect(value(text, 'node_cpu_seconds_total', { cpu: '0', mode: 'iowait' })).toBe(5);
    expect(value(text, 'node_load15')).toBe(0.125);
    expect(value(text, 'node_memory_Active_anon_bytes')).toBe(10240);
    expect(value(text, 'node_memory_HugePages_Total')).toBe(0);
    expect(value(text, 'node_boot_time_seconds')).toBe(1700000000);
    expect(value(text, 'node_network_receive_drop_total', { device: 'eth0' })).toBe(2);
    expect(value(text, 'node_network_receive_nohandler_total', { device: 'eth0' })).toBe(7);
    expect(value(text, 'node_network_receive_nohandler_total', { device: 'lo' })).toBeUndefined();
    expect(value(text, 'node_filesystem_device_error', { mountpoint: root })).toBe(0);
    expect(value(text, 'node_time_clocksource_current_info', { device: '0', clocksource: 'tsc' })).toBe(1);
  });

  test('a collector whose file is missing reports success 0 and the others still export', async () => {
    const { text } = await render();
    expect(value(text, 'node_scrape_collector_success', { collector: 'diskstats' })).toBe(0);
    expect(value(text, 'node_scrape_collector_success', { collector: 'cpu' })).toBe(1);
    expect(parsePromText(text).some((s) => s.name.startsWith('node_disk_'))).toBe(false);
  });

  test('OpenMetrics declares counters without _total, and a later text render keeps _total', async () => {
    const { registry, text } = await render(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(text).toContain(
      '# TYPE node_cpu_seconds counter\nnode_cpu_seconds_total{cpu="0",mode="user"} 1\n',
    );
    expect(text).toContain('# TYPE node_load1 gauge\nnode_load1 0.5\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
    registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(await registry.metrics()).toContain(
      '# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu="0",mode="user"} 1\n',
    );
  });
});
