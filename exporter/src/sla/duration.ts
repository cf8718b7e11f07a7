/**
 * Prometheus duration strings (`5m`, `1h30m`, `200ms`). Rules, Alertmanager timers and SLA windows all use
 * them, so config values are checked and normalised with the same grammar Prometheus 2.42 accepts.
 */
const UNITS: Array<[unit: string, seconds: number]> = [
  ['y', 365 * 86400],
  ['w', 7 * 86400],
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
];

// Same shape as prometheus/common model.ParseDuration: units largest first, each at most once.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Seconds in a Prometheus duration, or undefined when `text` is not one. `0s` is 0. */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let seconds = 0;
  UNITS.forEach(([, s], i) => {
    if (m[i + 1] !== undefined) seconds += Number(m[i + 1]) * s;
  });
  return Math.round(seconds * 1000) / 1000;
}

/** The shortest Prometheus duration for `seconds` (whole milliseconds): 5400 → `1h30m`, 0.2 → `200ms`. */
export function formatDuration(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  let out = '';
  for (const [unit, s] of UNITS) {
    // Years and weeks only when exact, so 30d stays `30d` rather than `4w2d`.
    if ((unit === 'y' || unit === 'w') && ms % (s * 1000) !== 0) continue;
    const unitMs = Math.round(s * 1000);
    const n = Math.floor(ms / unitMs);
    if (n > 0) {
      out += `${n}${unit}`;
      ms -= n * unitMs;
    }
  }
  return out;
}

/** Human wording for annotations and reports: 0.2 → `200ms`, 1.5 → `1.5s`, 7200 → `2h`. */
export function humanSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1e6) / 1e3}ms`;
  if (seconds < 60) return `${Math.round(seconds * 1000) / 1000}s`;
  return formatDuration(seconds);
}
