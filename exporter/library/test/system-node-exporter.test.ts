import { existsSync } from 'node:fs';
import { Registry, type RegistryContentType } from 'prom-client';
import { registerSystemMetrics } from '../src/system';
import { portableSnapshotReader } from '../src/system/portable-snapshot';
import { type Sample, parsePromText } from './support/prom-text';
import { freePort, killAll, start, waitForHttp } from './support/processes';

/*
 * Runs Debian's prometheus-node-exporter 1.5 beside our collector on this machine and compares what
 * they export. Debian patches two defaults (it also excludes /run, /mnt, /media and the `lo` device);
 * our collector follows upstream 1.5, so upstream's values are passed explicitly.
 * scripts/install-system-deps.sh (the root `pretest`) installs the package when it is missing.
 */
const BIN = '/usr/bin/prometheus-node-exporter';
const COLLECTORS = [
  'cpu',
  'diskstats',
  'filesystem',
  'loadavg',
  'meminfo',
  'netdev',
  'stat',
  'time',
  'uname',
];
const UPSTREAM_MOUNT_POINTS_EXCLUDE =
  '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';

/** What node_exporter exports with these collectors that we deliberately do not (see src/system). */
const NOT_EXPORTED = new Set([
  'node_disk_info', // its model/serial/path labels come from udev's database
  'node_time_zone_offset_seconds', // Go's zone abbreviations (CET, …) cannot be reproduced from Node
  'node_exporter_build_info',
]);
const exporterOwn = (name: string) => /^(go|process|promhttp)_/.test(name) || NOT_EXPORTED.has(name);

let url: string;
let registry: Registry;

const theirs = async () => (await fetch(url)).text();
const ours = () => registry.metrics();

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: apt-get install -y prometheus-node-exporter`);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/metrics`;
  start(BIN, [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    ...COLLECTORS.map((c) => `--collector.${c}`),
    `--collector.filesystem.mount-points-exclude=${UPSTREAM_MOUNT_POINTS_EXCLUDE}`,
    '--collector.netdev.device-exclude=^$',
  ]);
  registry = new Registry();
  registerSystemMetrics(registry, { cacheMs: 0 });
  await waitForHttp(url);
  await ours(); // the first reading registers this kernel's node_memory_* families
});
afterAll(() => killAll());

interface FamilyMeta {
  type: string;
  help: string;
}
/** The # HELP / # TYPE lines of a text exposition (the sample parser skips comments). */
function metadata(text: string): Map<string, FamilyMeta> {
  const out = new Map<string, FamilyMeta>();
  for (const m of text.matchAll(/^# (HELP|TYPE) (\S+) (.*)$/gm)) {
    const meta = out.get(m[2]) ?? { type: '', help: '' };
    if (m[1] === 'TYPE') meta.type = m[3];
    else meta.help = m[3].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    out.set(m[2], meta);
  }
  return out;
}

const names = (samples: Sample[]) => [...new Set(samples.map((s) => s.name))].sort();
const nodeNames = (samples: Sample[]) => names(samples).filter((n) => !exporterOwn(n));
const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const series = (samples: Sample[], name: string) =>
  samples
    .filter((s) => s.name === name)
    .map((s) => key(s.labels))
    .sort();
const one = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && key(s.labels) === key(labels))?.value;

async function both(): Promise<[Sample[], Sample[]]> {
  const [a, b] = await Promise.all([ours(), theirs()]);
  return [parsePromText(a), parsePromText(b)];
}

/** The families the brief names, plus node_exporter's other families from the same files. */
const LABELLED = [
  'node_cpu_seconds_total',
  'node_cpu_guest_seconds_total',
  'node_filesystem_size_bytes',
  'node_filesystem_free_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_files',
  'node_filesystem_files_free',
  'node_filesystem_readonly',
  'node_filesystem_device_error',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
  'node_network_receive_packets_total',
  'node_network_transmit_packets_total',
  'node_network_receive_errs_total',
  'node_network_transmit_errs_total',
  'node_network_receive_drop_total',
  'node_network_transmit_drop_total',
  'node_disk_read_bytes_total',
  'node_disk_written_bytes_total',
  'node_disk_reads_completed_total',
  'node_disk_writes_completed_total',
  'node_disk_io_time_seconds_total',
  'node_uname_info',
  'node_scrape_collector_success',
  'node_scrape_collector_duration_seconds',
];

describe('system metrics against the real node_exporter 1.5', () => {
  test('exports the same metric names as node_exporter with these collectors', async () => {
    const [a, b] = await both();
    expect(nodeNames(a)).toEqual(nodeNames(b));
    for (const n of [
      'node_load1',
      'node_load5',
      'node_load15',
      'node_boot_time_seconds',
      'node_time_seconds',
    ])
      expect(names(a)).toContain(n);
  });

  test("every family has node_exporter's TYPE and HELP text", async () => {
    const [a, b] = await Promise.all([ours(), theirs()]);
    const mine = metadata(a);
    const theirMeta = [...metadata(b)].filter(([n]) => !exporterOwn(n));
    expect(theirMeta.length).toBeGreaterThan(50);
    for (const [name, meta] of theirMeta) expect([name, mine.get(name)]).toEqual([name, meta]);
  });

  test.each(LABELLED)('%s has the same series (label names and values)', async (name) => {
    const [a, b] = await both();
    expect(series(a, name).length).toBeGreaterThan(0);
    expect(series(a, name)).toEqual(series(b, name));
  });

  test('the filesystem series are the same {device, fstype, mountpoint} set', async () => {
    const [a, b] = await both();
    const fs = (s: Sample[]) => series(s, 'node_filesystem_device_error');
    expect(fs(a)).toEqual(fs(b));
    expect(fs(a)).toContainEqual(expect.stringContaining('["mountpoint","/"]'));
  });

  test('MemTotal is exactly equal', async () => {
    const [a, b] = await both();
    expect(one(a, 'node_memory_MemTotal_bytes')).toBeGreaterThan(0);
    expect(one(a, 'node_memory_MemTotal_bytes')).toBe(one(b, 'node_memory_MemTotal_bytes'));
  });

  test('the size of / is exactly equal', async () => {
    const [a, b] = await both();
    const root = (s: Sample[]) =>
      s.find((x) => x.name === 'node_filesystem_size_bytes' && x.labels.mountpoint === '/')?.value;
    expect(root(a)).toBeGreaterThan(0);
    expect(root(a)).toBe(root(b));
  });

  test('CPU counters are within a few seconds of node_exporter and monotonic across scrapes', async () => {
    const [a1, b] = await both();
    await new Promise((r) => setTimeout(r, 300));
    const a2 = parsePromText(await ours());
    const cpu = b.filter((s) => s.name === 'node_cpu_seconds_total');
    expect(cpu.length).toBeGreaterThanOrEqual(8);
    for (const s of cpu) {
      const mine1 = one(a1, s.name, s.labels);
      const mine2 = one(a2, s.name, s.labels);
      expect(Math.abs(mine1! - s.value)).toBeLessThan(3);
      expect(mine2).toBeGreaterThanOrEqual(mine1!);
    }
  });

  test('boot time agrees within a second', async () => {
    const [a, b] = await both();
    expect(
      Math.abs(one(a, 'node_boot_time_seconds')! - one(b, 'node_boot_time_seconds')!),
    ).toBeLessThanOrEqual(1);
  });

  test('system time agrees within a second', async () => {
    const [a, b] = await both();
    expect(Math.abs(one(a, 'node_time_seconds')! - one(b, 'node_time_seconds')!)).toBeLessThan(1);
  });

  test('uname labels are equal', async () => {
    const [a, b] = await both();
    const uname = (s: Sample[]) => s.find((x) => x.name === 'node_uname_info')?.labels;
    expect(uname(a)).toEqual(uname(b));
    expect(uname(a)).toMatchObject({ sysname: 'Linux', domainname: expect.any(String) });
  });

  test('the network device sets are equal', async () => {
    const [a, b] = await both();
    const devices = (s: Sample[]) =>
      s
        .filter((x) => x.name === 'node_network_receive_bytes_total')
        .map((x) => x.labels.device)
        .sort();
    expect(devices(a)).toContain('lo');
    expect(devices(a)).toEqual(devices(b));
  });

  test('every collector succeeds, under the same collector names', async () => {
    const [a, b] = await both();
    const results = (s: Sample[]) =>
      s
        .filter((x) => x.name === 'node_scrape_collector_success')
        .map((x) => [x.labels.collector, x.value])
        .sort();
    expect(results(a)).toEqual(COLLECTORS.map((c) => [c, 1]));
    expect(results(a)).toEqual(results(b));
  });

  test('OpenMetrics declares each family once, counters without _total, and has the same samples', async () => {
    const text = parsePromText(await ours());
    const view = new Registry<RegistryContentType>();
    view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    for (const m of registry.getMetricsAsArray()) view.registerMetric(m as never);
    const om = await view.metrics();
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    let family: { name: string; type: string } | undefined;
    const declared = new Set<string>();
    for (const line of om.split('\n').filter((l) => l && l !== '# EOF')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        expect(declared.has(type[1])).toBe(false);
        declared.add(type[1]);
        family = { name: type[1], type: type[2] };
        if (family.type === 'counter') expect(family.name).not.toMatch(/_total$/);
      } else if (!line.startsWith('#')) {
        const sample = line.slice(0, line.search(/[{ ]|$/));
        expect(sample).toBe(family!.type === 'counter' ? `${family!.name}_total` : family!.name);
      }
    }
    expect(names(parsePromText(om))).toEqual(names(text));
    // Rendering OpenMetrics must not rename anything for later text-format scrapes.
    expect(names(parsePromText(await ours()))).toEqual(names(text));
  });

  test('the non-Linux fallback agrees with node_exporter on what it provides', async () => {
    const snapshot = await portableSnapshotReader()();
    const [, b] = await both();
    expect(snapshot.collectors.every((c) => c.success)).toBe(true);
    expect(snapshot.memory?.get('node_memory_MemTotal_bytes')).toBe(one(b, 'node_memory_MemTotal_bytes'));
    expect(snapshot.filesystems?.find((f) => f.mountpoint === '/')?.size).toBe(
      b.find((x) => x.name === 'node_filesystem_size_bytes' && x.labels.mountpoint === '/')?.value,
    );
    expect(snapshot.cpus?.map((c) => c.cpu)).toEqual(
      [...new Set(b.filter((x) => x.name === 'node_cpu_seconds_total').map((x) => x.labels.cpu))].sort(),
    );
  });
});
