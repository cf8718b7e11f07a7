import type { Counter } from 'prom-client';

/** The value a label takes once its cap of distinct values is reached. */
export const OVERFLOW_VALUE = '__overflow__';

/**
 * Bounds the distinct values one label of one metric may take. Values seen before the cap pass through;
 * new values after it fold into OVERFLOW_VALUE and are counted, so cardinality is bounded by
 * construction and nothing is folded silently.
 */
export class LabelGuard {
  private readonly seen = new Set<string>();

  constructor(
    private readonly metric: string,
    private readonly label: string,
    private readonly cap: number,
    private readonly folded: Counter<'metric' | 'label'>,
  ) {}

  value(v: string): string {
    if (this.seen.has(v)) return v;
    // A NUL in an exposition label value breaks scrapers; it becomes U+FFFD (and that value is capped).
    if (v.includes('\u0000')) return this.value(v.replaceAll('\u0000', '\ufffd'));
    if (this.seen.size < this.cap) {
      this.seen.add(v);
      return v;
    }
    this.folded.inc({ metric: this.metric, label: this.label });
    return OVERFLOW_VALUE;
  }

  get size(): number {
    return this.seen.size;
  }
}
