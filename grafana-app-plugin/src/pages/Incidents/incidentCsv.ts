import type { Incident } from '../../api/types';
import { downloadText, toCsv } from '../../utils/csv';

export const INCIDENT_CSV_HEADER = [
  'id',
  'title',
  'status',
  'severity',
  'started',
  'resolved',
  'duration_seconds',
  'assignee',
  'acknowledged_by',
  'alerts',
  'labels',
];

export function incidentCsvRow(i: Incident): unknown[] {
  return [
    i.id,
    i.title,
    i.status,
    i.severity,
    i.startedAt,
    i.resolvedAt ?? '',
    Math.round(i.durationSeconds),
    i.assignee ?? '',
    i.acknowledgedBy ?? '',
    (i.alertCounts?.firing ?? 0) + (i.alertCounts?.resolved ?? 0),
    Object.entries(i.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ];
}

/** The incidents on screen as a CSV download. */
export function exportIncidentsCsv(items: Incident[]) {
  downloadText('incidents.csv', toCsv(INCIDENT_CSV_HEADER, items.map(incidentCsvRow)));
}
