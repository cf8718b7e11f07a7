import type { Incident } from '../../api/types';

/** Alerts of an incident in words: "2 firing", "1 firing, 3 resolved". */
export function alertSummary(i: Incident): string {
  const { firing, resolved } = i.alertCounts ?? { firing: 0, resolved: 0 };
  if (!firing && !resolved) {
    return '–';
  }
  return [firing ? `${firing} firing` : '', resolved ? `${resolved} resolved` : '']
    .filter(Boolean)
    .join(', ');
}

/** The window to look at around an incident: from 15 minutes before it started until it ended. */
export function incidentWindow(i: { startedAt: string; resolvedAt: string | null }, now = Date.now()) {
  const from = new Date(i.startedAt).getTime() - 15 * 60_000;
  const to = i.resolvedAt ? new Date(i.resolvedAt).getTime() + 5 * 60_000 : now;
  return { from: String(from), to: String(Math.min(to, now)) };
}
