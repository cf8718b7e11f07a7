import type { Metric, Registry, RegistryContentType } from 'prom-client';
import { type Family, FIXED_FAMILIES, memoryFamily } from './families';
import { createSnapshotReader } from './snapshot';
import type { SystemSnapshot } from './system-snapshot';

export interface SystemMetricsOptions {
  /** Where procfs is mounted (a host's /proc bind-mounted into a container, say). Default /proc. */
  procPath?: string;
  /** Where sysfs is mounted. Default /sys. */
  sysPath?: string;
  /** How long one reading of the machine is reused; every family of a scrape shares one. Default 500. */
  cacheMs?: number;
  /** Longest a statfs() may take before its mount is reported with device_error=1. Default 1000. */
  statfsTimeoutMs?: number;
}

/**
 * A prom-client metric backed by the shared snapshot. prom-client renders OpenMetrics by assigning
 * the counter's name without `_total` to `metric.name` just before calling get(), and never puts it
 * back (so its own counters lose `_total` in every later text-format render). Taking that name for
 * the one render that follows gives the right family name in both formats, in any order.
 */
class SnapshotFamilyMetric {
  readonly help: string;
  readonly type: Family['type'];
  // Machine-wide numbers are the same in every cluster worker: summing them would multiply them.
  readonly aggregator = 'first';
  private renderName: string | undefined;

  constructor(
    private readonly family: Family,
    private readonly snapshot: () => Promise<SystemSnapshot>,
  ) {
    this.help = family.help;
    this.type = family.type;
  }

  get name(): string {
    return this.family.name;
  }

  set name(name: string) {
    this.renderName = name;
  }

  async get() {
    const name = this.renderName ?? this.family.name;
    this.renderName = undefined;
    const values = this.family.samples(await this.snapshot(), Date.now());
    return { name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/**
 * Registers node_exporter 1.5-compatible node_* families (same names, labels, units and default
 * filters) in `registry`. Nothing blocks: files are read with fs.promises when a scrape asks.
 *
 * Which node_memory_* families exist depends on the kernel, so they are registered once /proc/meminfo
 * has been read: by a first reading started here (it completes long before a scraper can connect),
 * and by any later scrape that meets a new field (which then appears from the next scrape on).
 */
export function registerSystemMetrics(
  // Either content type: a registry created for OpenMetrics is as good a home as a text-format one.
  registry: Registry<RegistryContentType>,
  options: SystemMetricsOptions = {},
): void {
  const snapshot = createSnapshotReader({
    procPath: options.procPath ?? '/proc',
    sysPath: options.sysPath ?? '/sys',
    statfsTimeoutMs: options.statfsTimeoutMs ?? 1000,
    cacheMs: options.cacheMs ?? 500,
  });
  const registered = new Set<string>();
  const register = (family: Family) => {
    if (registered.has(family.name)) return;
    registered.add(family.name);
    // prom-client's registry reads name/help/type/aggregator/get() from any object; its typings only
    // name its own classes.
    registry.registerMetric(new SnapshotFamilyMetric(family, read) as unknown as Metric);
  };
  const scanned = new WeakSet<SystemSnapshot>();
  const read = async () => {
    const s = await snapshot();
    if (!scanned.has(s)) {
      scanned.add(s);
      for (const name of s.memory?.keys() ?? []) {
        try {
          register(memoryFamily(name));
        } catch {
          // The name is already taken in this registry by someone else's metric: theirs stays, and
          // throwing here would fail the whole scrape (or, at start-up, crash on an unhandled rejection).
        }
      }
    }
    return s;
  };
  for (const family of FIXED_FAMILIES) register(family);
  void read();
}
