import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ControlledCollapse, Icon, Text, useStyles2, type IconName } from '@grafana/ui';
import type { TimelineEvent } from '../../api/types';
import { formatTime } from '../../utils/format';
import { DiagnosticsView } from './DiagnosticsView';

// Keyed by the contract's event kinds: a kind the exporter adds fails this package's build until it has an icon.
const ICONS: Record<TimelineEvent['kind'], IconName> = {
  opened: 'plus-circle',
  reopened: 'history',
  alertFired: 'fire',
  alertResolved: 'check-circle',
  alertsResolved: 'check-circle',
  statusChanged: 'exchange-alt',
  severityChanged: 'arrow-up',
  acknowledged: 'check',
  unacknowledged: 'times',
  assigned: 'user',
  note: 'comment-alt',
  resolved: 'check-circle',
  silenced: 'bell-slash',
  unsilenced: 'bell',
  diagnostics: 'vial',
  notified: 'envelope',
};

/**
 * How often Alertmanager re-sent an unchanged notification (the exporter folds repeats into the event,
 * exporter/src/incidents/notification-history.ts), so the history shows the escalation, not the noise.
 */
function repeatsOf(e: TimelineEvent): string | undefined {
  if (e.kind !== 'notified' || !e.data) {
    return undefined;
  }
  const { repeats, lastAt } = e.data;
  if (typeof repeats !== 'number' || repeats < 1) {
    return undefined;
  }
  return `repeated ${repeats}×${typeof lastAt === 'string' ? `, last at ${formatTime(lastAt)}` : ''}`;
}

function Repeats({ event }: { event: TimelineEvent }) {
  const text = repeatsOf(event);
  return text ? (
    <Text variant="bodySmall" color="secondary" element="p">
      {text}
    </Text>
  ) : null;
}

/** "alertFired" → "alert fired". */
export const describeKind = (kind: string) => kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** Events oldest first, with who did what; diagnostics snapshots fold open. */
export function Timeline({ events, truncated }: { events: TimelineEvent[]; truncated?: boolean }) {
  const styles = useStyles2(getStyles);
  if (events.length === 0) {
    return <Text color="secondary">No events yet.</Text>;
  }
  const sorted = [...events].sort(
    (a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id - b.id,
  );
  return (
    <>
      {truncated && (
        <Text color="secondary" variant="bodySmall" element="p">
          Only the latest events are shown.
        </Text>
      )}
      <ol className={styles.list}>
        {sorted.map((e) => (
          <li key={e.id} className={styles.item}>
            <Icon name={ICONS[e.kind] ?? 'circle'} className={styles.icon} />
            <div className={styles.body}>
              <div>
                <Text variant="bodySmall" color="secondary">
                  {formatTime(e.at)}
                </Text>{' '}
                <strong>{describeKind(e.kind)}</strong>
                {e.author && <Text color="secondary"> by {e.author}</Text>}
              </div>
              {e.message && <div className={styles.message}>{e.message}</div>}
              <Repeats event={e} />
              {e.kind === 'diagnostics' && e.data ? (
                <ControlledCollapse label="Diagnostics snapshot" isOpen>
                  <DiagnosticsView snapshot={e.data} />
                </ControlledCollapse>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    borderLeft: `2px solid ${theme.colors.border.medium}`,
  }),
  item: css({ display: 'flex', gap: theme.spacing(1), padding: theme.spacing(1, 0, 1, 1.5) }),
  icon: css({ color: theme.colors.text.secondary, marginTop: 2 }),
  body: css({ flex: 1, minWidth: 0 }),
  message: css({ whiteSpace: 'pre-wrap', marginTop: theme.spacing(0.5) }),
});
