/**
 * Parsers for the /proc and /sys files node_exporter 1.5 reads, as pure functions of their text so
 * they are tested on fixed samples. Units, names and quirks follow node_exporter (and the procfs
 * library it uses), because the point is that dashboards see the same series from either.
 */

/** USER_HZ: /proc/stat counts in 1/100 s ticks on every Linux architecture (procfs assumes it too). */
export const USER_HZ = 100;

export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  cpu: string;
  /** Seconds per mode; platforms other than Linux provide only some modes. */
  seconds: Partial<Record<CpuMode, number>>;
  guest?: { user: number; nice: number };
}

export interface ProcStat {
  cpus: CpuTimes[];
  bootTime?: number;
  interrupts?: number;
  contextSwitches?: number;
  forks?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

const zeroCpu = (cpu: string): CpuTimes => ({
  cpu,
  seconds: Object.fromEntries(CPU_MODES.map((m) => [m, 0])),
  guest: { user: 0, nice: 0 },
});

function count(text: string | undefined, what: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n)) throw new Error(`/proc/stat: bad ${what} value ${text}`);
  return n;
}

export function parseProcStat(text: string): ProcStat {
  const byId: CpuTimes[] = [];
  const out: ProcStat = { cpus: byId };
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const [key, first] = parts;
    if (/^cpu\d+$/.test(key)) {
      const ticks = parts.slice(1).map((x) => Number(x) / USER_HZ);
      const id = Number(key.slice(3));
      byId[id] = {
        cpu: String(id),
        seconds: Object.fromEntries(CPU_MODES.map((m, i) => [m, ticks[i] ?? 0])),
        guest: { user: ticks[8] ?? 0, nice: ticks[9] ?? 0 },
      };
    } else if (key === 'btime') out.bootTime = count(first, key);
    else if (key === 'intr') out.interrupts = count(first, key);
    else if (key === 'ctxt') out.contextSwitches = count(first, key);
    else if (key === 'processes') out.forks = count(first, key);
    else if (key === 'procs_running') out.procsRunning = count(first, key);
    else if (key === 'procs_blocked') out.procsBlocked = count(first, key);
  }
  // procfs indexes CPUs by number, so an offline CPU below the highest online one becomes an all-zero
  // series; node_exporter exports it, and so do we, to keep the same `cpu` label set.
  for (let i = 0; i < byId.length; i++) byId[i] ??= zeroCpu(String(i));
  return out;
}

export function parseLoadavg(text: string): [number, number, number] {
  const v = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (v.length < 3 || v.some((x) => !Number.isFinite(x)))
    throw new Error(`/proc/loadavg: unexpected ${text}`);
  return [v[0], v[1], v[2]];
}

/**
 * /proc/meminfo → metric name → value, exactly as node_exporter names them: `Active(anon)` →
 * `node_memory_Active_anon_bytes`; a value with a unit (always kB) becomes bytes and gets `_bytes`;
 * unit-less keys (HugePages_Total) keep their name.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === '') continue;
    const value = Number(parts[1]);
    if (parts.length < 2 || parts.length > 3 || !Number.isFinite(value))
      throw new Error(`/proc/meminfo: invalid line ${JSON.stringify(line)}`);
    const key = parts[0].replace(/:$/, '').replace(/\(([^()]*)\)/, '_$1');
    if (parts.length === 3) out.set(`node_memory_${key}_bytes`, value * 1024);
    else out.set(`node_memory_${key}`, value);
  }
  return out;
}

export interface Mount {
  /** As node_exporter labels it: the raw field, escapes left in place. */
  device: string;
  /** As node_exporter labels it: only `\040` (space) and `\011` (tab) unescaped. */
  mountpoint: string;
  /** The real path (every octal escape undone), for statfs. */
  path: string;
  fstype: string;
  options: string[];
}

/** The kernel escapes space, tab, newline and backslash in mount fields as octal (`\040`). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p[0] === '') continue;
    if (p.length < 4) throw new Error(`malformed mount point information: ${JSON.stringify(line)}`);
    out.push({
      device: p[0],
      mountpoint: p[1].replaceAll('\\040', ' ').replaceAll('\\011', '\t'),
      path: unescapeOctal(p[1]),
      fstype: p[2],
      options: p[3].split(','),
    });
  }
  return out;
}

/** /proc/net/dev columns, in file order, under node_exporter's `node_network_<column>_total` names. */
export const NET_DEV_COLUMNS = [
  'receive_bytes',
  'receive_packets',
  'receive_errs',
  'receive_drop',
  'receive_fifo',
  'receive_frame',
  'receive_compressed',
  'receive_multicast',
  'transmit_bytes',
  'transmit_packets',
  'transmit_errs',
  'transmit_drop',
  'transmit_fifo',
  'transmit_colls',
  'transmit_carrier',
  'transmit_compressed',
] as const;
export type NetDevColumn = (typeof NET_DEV_COLUMNS)[number] | 'receive_nohandler';

export interface NetDevice {
  device: string;
  counters: Partial<Record<NetDevColumn, number>>;
}

export function parseNetDev(text: string): NetDevice[] {
  const out: NetDevice[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.lastIndexOf(':');
    if (colon < 0) continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (v.length < NET_DEV_COLUMNS.length || v.some((x) => !Number.isFinite(x)))
      throw new Error(`/proc/net/dev: invalid line ${JSON.stringify(line)}`);
    out.push({
      device: line.slice(0, colon).trim(),
      counters: Object.fromEntries(NET_DEV_COLUMNS.map((c, i) => [c, v[i]])),
    });
  }
  return out;
}

export interface DiskStats {
  device: string;
  major: string;
  minor: string;
  /** The numbers after the device name, raw: 11, 15 or 17 of them depending on the kernel. */
  fields: number[];
}

export function parseDiskstats(text: string, exclude: RegExp): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    // procfs skips lines shorter than the 4.x format (old kernels' partition lines), so we do too.
    if (p.length < 14 || exclude.test(p[2])) continue;
    out.push({ device: p[2], major: p[0], minor: p[1], fields: p.slice(3, 20).map(Number) });
  }
  return out;
}

/** /sys/devices/system/clocksource/clocksourceN/{available,current}_clocksource. */
export function parseClocksource(
  available: string,
  current: string,
): { available: string[]; current: string } {
  return { available: available.trim().split(/\s+/).filter(Boolean), current: current.trim() };
}
