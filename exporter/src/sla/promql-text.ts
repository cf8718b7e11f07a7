/**
 * How numbers and strings are written into PromQL and rule files: quoting, bucket bounds as le labels and
 * regexes, decimal-clean thresholds.
 */

/** PromQL/Go string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `le` as prom-client renders a bucket bound (JavaScript number to string). */
export function leLabel(bound: number): string {
  return String(bound);
}

/**
 * A regex (RE2, anchored by Prometheus) for every way a client writes the bucket bound `bound`:
 * prom-client and Prometheus 2 write `2` and `0.3`, Prometheus 3 and the Python/Java clients `2.0`,
 * hand-written expositions `0.30`. Matching by value keeps the latency SLI alive across all of them.
 */
export function leRegex(bound: number): string {
  const text = leLabel(bound);
  if (/e/i.test(text)) return text.replace(/[.+]/g, '\\$&');
  const escaped = text.replace('.', '\\.');
  return Number.isInteger(bound) ? `${escaped}(\\.0*)?` : `${escaped}0*`;
}

/** Decimal-clean number for rule thresholds: 14.4 × 0.05 = 0.72, not 0.7200000000000001. */
export function clean(n: number): number {
  return Number(n.toPrecision(12));
}
