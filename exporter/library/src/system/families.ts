import type { FilesystemStats } from './filesystems';
import { CPU_MODES, type DiskStats, NET_DEV_COLUMNS, type NetDevColumn, type ProcStat } from './proc-parsers';
import type { SystemSnapshot } from './system-snapshot';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** One node_* metric family: node_exporter's name, HELP text, type and labels, filled from a snapshot. */
export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples(s: SystemSnapshot, nowMs: number): Sample[];
}

const cpuFamilies: Family[] = [
  {
    name: 'node_cpu_seconds_total',
    help: 'Seconds the CPUs spent in each mode.',
    type: 'counter',
    samples: (s) =>
      (s.cpus ?? []).flatMap((c) =>
        CPU_MODES.flatMap((mode) => {
          const value = c.seconds[mode];
          return value === undefined ? [] : [{ labels: { cpu: c.cpu, mode }, value }];
        }),
      ),
  },
  {
    name: 'node_cpu_guest_seconds_total',
    help: 'Seconds the CPUs spent in guests (VMs) for each mode.',
    type: 'counter',
    samples: (s) =>
      (s.cpus ?? []).flatMap((c) =>
        c.guest
          ? [
              { labels: { cpu: c.cpu, mode: 'user' }, value: c.guest.user },
              { labels: { cpu: c.cpu, mode: 'nice' }, value: c.guest.nice },
            ]
          : [],
      ),
  },
];

const loadFamilies = (['1', '5', '15'] as const).map((minutes, i): Family => ({
  name: `node_load${minutes}`,
  help: `${minutes}m load average.`,
  type: 'gauge',
  samples: (s) => (s.load ? [{ value: s.load[i] }] : []),
}));

function statFamily(
  name: string,
  help: string,
  type: Family['type'],
  field: keyof Omit<ProcStat, 'cpus'>,
): Family {
  return {
    name,
    help,
    type,
    samples: (s) => {
      const value = s.stat?.[field];
      return value === undefined ? [] : [{ value }];
    },
  };
}

const statFamilies: Family[] = [
  statFamily('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', 'bootTime'),
  statFamily(
    'node_context_switches_total',
    'Total number of context switches.',
    'counter',
    'contextSwitches',
  ),
  statFamily('node_forks_total', 'Total number of forks.', 'counter', 'forks'),
  statFamily('node_intr_total', 'Total number of interrupts serviced.', 'counter', 'interrupts'),
  statFamily('node_procs_running', 'Number of processes in runnable state.', 'gauge', 'procsRunning'),
  statFamily(
    'node_procs_blocked',
    'Number of processes blocked waiting for I/O to complete.',
    'gauge',
    'procsBlocked',
  ),
];

/** node_exporter exports only device_error for a filesystem whose statfs failed. */
function filesystemFamily(
  name: string,
  help: string,
  pick: (f: FilesystemStats) => number | undefined,
  evenOnError = false,
): Family {
  return {
    name: `node_filesystem_${name}`,
    help,
    type: 'gauge',
    samples: (s) =>
      (s.filesystems ?? []).flatMap((f) => {
        const value = f.deviceError && !evenOnError ? undefined : pick(f);
        return value === undefined
          ? []
          : [{ labels: { device: f.device, mountpoint: f.mountpoint, fstype: f.fstype }, value }];
      }),
  };
}

const filesystemFamilies: Family[] = [
  filesystemFamily('size_bytes', 'Filesystem size in bytes.', (f) => f.size),
  filesystemFamily('free_bytes', 'Filesystem free space in bytes.', (f) => f.free),
  filesystemFamily('avail_bytes', 'Filesystem space available to non-root users in bytes.', (f) => f.avail),
  filesystemFamily('files', 'Filesystem total file nodes.', (f) => f.files),
  filesystemFamily('files_free', 'Filesystem total free file nodes.', (f) => f.filesFree),
  filesystemFamily('readonly', 'Filesystem read-only status.', (f) => (f.readonly ? 1 : 0)),
  filesystemFamily(
    'device_error',
    'Whether an error occurred while getting statistics for the given device.',
    (f) => (f.deviceError ? 1 : 0),
    true,
  ),
];

const networkFamilies = [...NET_DEV_COLUMNS, 'receive_nohandler' as const].map(
  (column: NetDevColumn): Family => ({
    name: `node_network_${column}_total`,
    help: `Network device statistic ${column}.`,
    type: 'counter',
    samples: (s) =>
      (s.network ?? []).flatMap((d) => {
        const value = d.counters[column];
        return value === undefined ? [] : [{ labels: { device: d.device }, value }];
      }),
  }),
);

const SECTOR_BYTES = 512;
// node_exporter multiplies ticks by 1/1000 rather than dividing by 1000; the same operation gives
// bit-identical floats, so values compare exactly.
const SECONDS_PER_TICK = 1 / 1000;

/** /proc/diskstats fields, in file order, with node_exporter's names, HELP texts and unit scaling. */
const DISK_FIELDS: Array<[name: string, help: string, scale: number, type?: 'gauge']> = [
  ['reads_completed_total', 'The total number of reads completed successfully.', 1],
  ['reads_merged_total', 'The total number of reads merged.', 1],
  ['read_bytes_total', 'The total number of bytes read successfully.', SECTOR_BYTES],
  ['read_time_seconds_total', 'The total number of seconds spent by all reads.', SECONDS_PER_TICK],
  ['writes_completed_total', 'The total number of writes completed successfully.', 1],
  ['writes_merged_total', 'The number of writes merged.', 1],
  ['written_bytes_total', 'The total number of bytes written successfully.', SECTOR_BYTES],
  ['write_time_seconds_total', 'This is the total number of seconds spent by all writes.', SECONDS_PER_TICK],
  ['io_now', 'The number of I/Os currently in progress.', 1, 'gauge'],
  ['io_time_seconds_total', 'Total seconds spent doing I/Os.', SECONDS_PER_TICK],
  ['io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', SECONDS_PER_TICK],
  ['discards_completed_total', 'The total number of discards completed successfully.', 1],
  ['discards_merged_total', 'The total number of discards merged.', 1],
  ['discarded_sectors_total', 'The total number of sectors discarded successfully.', 1],
  [
    'discard_time_seconds_total',
    'This is the total number of seconds spent by all discards.',
    SECONDS_PER_TICK,
  ],
  ['flush_requests_total', 'The total number of flush requests completed successfully', 1],
  [
    'flush_requests_time_seconds_total',
    'This is the total number of seconds spent by all flush requests.',
    SECONDS_PER_TICK,
  ],
];

const diskFamilies = DISK_FIELDS.map(([name, help, scale, type], i): Family => ({
  name: `node_disk_${name}`,
  help,
  type: type ?? 'counter',
  // Older kernels have fewer fields; like node_exporter, export only those the kernel has.
  samples: (s) =>
    (s.disks ?? []).flatMap((d: DiskStats) =>
      i < d.fields.length ? [{ labels: { device: d.device }, value: d.fields[i] * scale }] : [],
    ),
}));

const hostFamilies: Family[] = [
  {
    name: 'node_uname_info',
    help: 'Labeled system information as provided by the uname system call.',
    type: 'gauge',
    samples: (s) =>
      s.uname
        ? [
            {
              labels: {
                sysname: s.uname.sysname,
                release: s.uname.release,
                version: s.uname.version,
                machine: s.uname.machine,
                nodename: s.uname.nodename,
                domainname: s.uname.domainname,
              },
              value: 1,
            },
          ]
        : [],
  },
  {
    name: 'node_time_seconds',
    help: 'System time in seconds since epoch (1970).',
    type: 'gauge',
    // Taken when rendered, not from the (possibly cached) snapshot, so uptime panels stay exact.
    samples: (_s, nowMs) => [{ value: nowMs / 1000 }],
  },
  {
    name: 'node_time_clocksource_available_info',
    help: "Available clocksources read from '/sys/devices/system/clocksource'.",
    type: 'gauge',
    samples: (s) =>
      (s.clocksources ?? []).flatMap((c, i) =>
        c.available.map((clocksource) => ({ labels: { device: String(i), clocksource }, value: 1 })),
      ),
  },
  {
    name: 'node_time_clocksource_current_info',
    help: "Current clocksource read from '/sys/devices/system/clocksource'.",
    type: 'gauge',
    samples: (s) =>
      (s.clocksources ?? []).map((c, i) => ({
        labels: { device: String(i), clocksource: c.current },
        value: 1,
      })),
  },
];

// Sorted like node_exporter's output; collectors finish in whatever order their reads complete.
const byCollector = (s: SystemSnapshot) =>
  [...s.collectors].sort((a, b) => (a.collector < b.collector ? -1 : a.collector > b.collector ? 1 : 0));

const scrapeFamilies: Family[] = [
  {
    name: 'node_scrape_collector_duration_seconds',
    help: 'node_exporter: Duration of a collector scrape.',
    type: 'gauge',
    samples: (s) => byCollector(s).map((c) => ({ labels: { collector: c.collector }, value: c.seconds })),
  },
  {
    name: 'node_scrape_collector_success',
    help: 'node_exporter: Whether a collector succeeded.',
    type: 'gauge',
    samples: (s) =>
      byCollector(s).map((c) => ({ labels: { collector: c.collector }, value: c.success ? 1 : 0 })),
  },
];

/** Every node_* family whose name is known in advance (memory families depend on the kernel). */
export const FIXED_FAMILIES: Family[] = [
  ...cpuFamilies,
  ...loadFamilies,
  ...statFamilies,
  ...filesystemFamilies,
  ...networkFamilies,
  ...diskFamilies,
  ...hostFamilies,
  ...scrapeFamilies,
];

/** A /proc/meminfo field as node_exporter exports it (`name` is the full metric name). */
export function memoryFamily(name: string): Family {
  const field = name.slice('node_memory_'.length);
  return {
    name,
    help: `Memory information field ${field}.`,
    // node_exporter's rule (case-sensitive, so HugePages_Total stays a gauge).
    type: name.endsWith('_total') ? 'counter' : 'gauge',
    samples: (s) => {
      const value = s.memory?.get(name);
      return value === undefined ? [] : [{ value }];
    },
  };
}
