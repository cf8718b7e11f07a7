import { dateTimeFormat } from '@grafana/data';

/** Milliseconds as "850 ms", "1.25 s" or "2.4 min". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '–';
  }
  if (ms < 1) {
    return `${ms.toFixed(2)} ms`;
  }
  if (ms < 1000) {
    return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(2)} s`;
  }
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A 0…1 ratio as a percentage with the given decimals. */
export function formatPercent(ratio: number | null | undefined, decimals = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '–';
  }
  return `${(ratio * 100).toFixed(decimals)} %`;
}

/**
 * How much of a period Prometheus' data covers, rounded so that it never reads as none or all when it
 * is neither: a young Prometheus holding 0.1 % of a month said "0 %" in one place and "0.1 %" in another.
 */
export function formatCoverage(ratio: number): string {
  if (ratio > 0 && ratio < 0.001) {
    return '< 0.1 %';
  }
  if (ratio > 0.999 && ratio < 1) {
    return '> 99.9 %';
  }
  return formatPercent(ratio, ratio > 0 && (ratio < 0.01 || (ratio > 0.99 && ratio < 1)) ? 1 : 0);
}

/** Seconds as "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '–';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return m ? `${hours} h ${m} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days} d ${h} h` : `${days} d`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) {
    return '–';
  }
  // Counts from Prometheus' increase() carry extrapolation fractions; a count is shown whole.
  return Math.round(n).toLocaleString('en-US');
}

/** An ISO time in the browser's time zone, "2026-11-22 14:05:09". */
export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') {
    return '–';
  }
  return dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });
}

/** "investigating" → "Investigating": enum values as labels. */
export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
