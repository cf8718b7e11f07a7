/**
 * Prometheus' template functions the generated annotations use, emulated to predict the text an alert
 * carries.
 */

/** Go's `%.4g`, which Prometheus' humanize functions use. */
export function goG4(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const [mantissa, e] = v.toExponential(3).split('e');
  const x = Number(e);
  const trim = (t: string) => (t.includes('.') ? t.replace(/(?<!0)0+$/, '').replace(/\.$/, '') : t);
  if (x < -4 || x >= 4)
    return `${trim(mantissa)}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return trim(v.toFixed(Math.max(0, 3 - x)));
}

/** Prometheus' humanizeDuration (seconds). */
export function humanizeDuration(v: number): string {
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const a = Math.abs(v);
    const whole = Math.trunc(a);
    const [d, h, m, sec] = [
      Math.trunc(whole / 86400),
      Math.trunc(whole / 3600) % 24,
      Math.trunc(whole / 60) % 60,
      whole % 60,
    ];
    if (d) return `${sign}${d}d ${h}h ${m}m ${sec}s`;
    if (h) return `${sign}${h}h ${m}m ${sec}s`;
    if (m) return `${sign}${m}m ${sec}s`;
    return `${sign}${goG4(a)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}s`;
}

const FORMATS: Record<string, (v: number) => string> = {
  humanizeDuration,
  humanizePercentage: (v) => `${goG4(v * 100)}%`,
  'printf "%.2f"': (v) => v.toFixed(2),
};

/**
 * Renders the few template constructs the generated annotations use ($value and `with query`), with
 * query results supplied by the caller. Anything else throws, so a new construct cannot slip through
 * untested.
 */
export function renderAnnotation(
  text: string,
  value: number,
  query: (expr: string) => number | undefined,
): string {
  const out = text
    .replace(
      /\{\{ with query `([^`]+)` \}\}\{\{ \. \| first \| value \| ([^}]+?) \}\}\{\{ else \}\}([^{]*)\{\{ end \}\}/g,
      (_all, expr: string, fmt: string, fallback: string) => {
        const v = query(expr);
        return v === undefined ? fallback : FORMATS[fmt](v);
      },
    )
    .replace(/\{\{ \$value \| ([^}]+?) \}\}/g, (_all, fmt: string) => FORMATS[fmt](value));
  if (out.includes('{{'))
    throw new Error(`annotation has a template construct the test generator cannot render: ${out}`);
  return out;
}
