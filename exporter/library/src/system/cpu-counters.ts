import { CPU_MODES, type CpuTimes } from './proc-parsers';

/** An idle counter this far behind its last value means the CPU was hot-plugged, not a glitch. */
const HOTPLUG_JUMP_SECONDS = 3;

/**
 * Keeps CPU counters monotonic the way node_exporter 1.5 does: the kernel's iowait (and, on some
 * hypervisors, idle) can step backwards, which a counter must never do or rate() reports a reset.
 * A value lower than the last one is replaced by the last one; a large idle jump resets that CPU.
 */
export class MonotonicCpuCounters {
  private last: CpuTimes[] = [];

  update(next: CpuTimes[]): CpuTimes[] {
    if (next.length !== this.last.length) this.last = [];
    this.last = next.map((n, i) => {
      const prev = this.last[i];
      if (!prev || (prev.seconds.idle ?? 0) - (n.seconds.idle ?? 0) >= HOTPLUG_JUMP_SECONDS) return n;
      const seconds: CpuTimes['seconds'] = {};
      for (const m of CPU_MODES) {
        const v = n.seconds[m];
        if (v !== undefined) seconds[m] = Math.max(v, prev.seconds[m] ?? v);
      }
      const guest = n.guest && {
        user: Math.max(n.guest.user, prev.guest?.user ?? 0),
        nice: Math.max(n.guest.nice, prev.guest?.nice ?? 0),
      };
      return { cpu: n.cpu, seconds, ...(guest && { guest }) };
    });
    return this.last;
  }
}
