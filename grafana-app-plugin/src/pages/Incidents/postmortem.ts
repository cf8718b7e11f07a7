import type { IncidentDetail } from '../../api/types';
import { downloadText } from '../../utils/csv';
import { formatDuration, formatTime } from '../../utils/format';
import { describeKind } from './Timeline';
import { alertSummary } from './incidentText';

/** Markdown table cells hold no pipes or line breaks. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/**
 * A postmortem draft from the incident's record: the facts (times, people, alerts) and the timeline
 * in order, with headings for what the review adds (impact, root cause, actions). Times are in the
 * user's Grafana time zone, as on the page.
 */
export function postmortemMarkdown(i: IncidentDetail): string {
  const events = [...(i.timeline ?? [])].sort(
    (a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id - b.id,
  );
  const labels = Object.entries(i.labels ?? {}).map(([k, v]) => `\`${k}=${v}\``);
  const lines = [
    `# Postmortem: ${i.title}`,
    '',
    `- **Incident:** #${i.id} (${i.source}), severity ${i.severity}, status ${i.status}`,
    `- **Started:** ${formatTime(i.startedAt)}`,
    `- **Resolved:** ${i.resolvedAt ? `${formatTime(i.resolvedAt)}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}` : 'not yet'}`,
    `- **Duration:** ${formatDuration(i.durationSeconds)}`,
    `- **Acknowledged:** ${i.acknowledgedBy ? `${i.acknowledgedBy} at ${formatTime(i.acknowledgedAt)}` : 'no'}`,
    `- **Assignee:** ${i.assignee ?? 'nobody'}`,
    `- **Alerts:** ${alertSummary(i)}`,
    ...(labels.length ? [`- **Labels:** ${labels.join(' ')}`] : []),
    '',
    '## Summary',
    '',
    i.description ?? '_What happened, in two sentences._',
    '',
    '## Resolution',
    '',
    i.resolutionNote ?? '_How it was fixed._',
    '',
    '## Alerts',
    '',
    ...(i.alerts?.length
      ? [
          '| Alert | State | Since | Ended | Summary |',
          '| --- | --- | --- | --- | --- |',
          ...i.alerts.map(
            (a) =>
              `| ${cell(a.labels.alertname ?? a.fingerprint)} | ${a.status} | ${formatTime(a.startsAt)} | ${
                a.status === 'resolved' ? formatTime(a.endsAt) : '–'
              } | ${cell(a.annotations.summary ?? '')} |`,
          ),
        ]
      : ['None: the incident was opened by hand.']),
    '',
    '## Timeline',
    '',
    ...(i.timelineTruncated ? ['_Only the latest events were kept; earlier ones are missing._', ''] : []),
    ...events.map(
      (e) =>
        `- **${formatTime(e.at)}** ${describeKind(e.kind)}${e.author ? ` by ${e.author}` : ''}${
          e.message ? `: ${e.message.replace(/\r?\n/g, ' ')}` : ''
        }`,
    ),
    '',
    '## Impact',
    '',
    '_Who was affected, how many requests or users, for how long._',
    '',
    '## Root cause',
    '',
    '_Why it happened._',
    '',
    '## Action items',
    '',
    '- [ ] ',
    '',
  ];
  return lines.join('\n');
}

export function downloadPostmortem(i: IncidentDetail) {
  downloadText(`incident-${i.id}-postmortem.md`, postmortemMarkdown(i), 'text/markdown;charset=utf-8');
}
