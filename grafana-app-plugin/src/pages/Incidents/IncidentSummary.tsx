import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Stack, TagList, Text, useStyles2 } from '@grafana/ui';
import type { IncidentDetail } from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/common/Badges';
import { StatTile } from '../../components/common/StatTile';
import { formatDuration, formatTime } from '../../utils/format';
import { alertSummary } from './incidentText';

/** Title, badges, labels, description and the numbers of one incident. */
export function IncidentSummary({ i, silenced }: { i: IncidentDetail; silenced: boolean }) {
  const styles = useStyles2(getStyles);
  const resolved = i.status === 'resolved';
  return (
    <>
      <div>
        <Stack gap={1} alignItems="center" wrap="wrap">
          <Text element="h2">{i.title}</Text>
          <StatusBadge status={i.status} />
          <SeverityBadge severity={i.severity} />
        </Stack>
        {Object.keys(i.labels ?? {}).length > 0 && (
          <div className={styles.labels}>
            <TagList className={styles.tags} tags={Object.entries(i.labels).map(([k, v]) => `${k}=${v}`)} />
          </div>
        )}
      </div>

      {(i.description || i.resolutionNote) && (
        <div>
          {i.description && <Text element="p">{i.description}</Text>}
          {i.resolutionNote && (
            <Text element="p" color="secondary">
              Resolution: {i.resolutionNote}
              {i.resolvedBy ? ` (${i.resolvedBy})` : ''}
            </Text>
          )}
        </div>
      )}

      <Stack gap={1} wrap="wrap">
        <StatTile title="Started" value={<Text variant="body">{formatTime(i.startedAt)}</Text>} />
        <StatTile title={resolved ? 'Lasted' : 'Open for'} value={formatDuration(i.durationSeconds)} />
        <StatTile
          title="Acknowledged"
          value={<Text variant="body">{i.acknowledgedBy ?? 'not yet'}</Text>}
          description={i.acknowledgedAt ? formatTime(i.acknowledgedAt) : undefined}
        />
        <StatTile title="Assignee" value={<Text variant="body">{i.assignee ?? 'nobody'}</Text>} />
        <StatTile title="Alerts" value={<Text variant="body">{alertSummary(i)}</Text>} />
        {silenced && (
          <StatTile
            title="Silenced until"
            value={<Text variant="body">{formatTime(i.silencedUntil)}</Text>}
          />
        )}
      </Stack>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  labels: css({ marginTop: theme.spacing(1), display: 'flex' }),
  // TagList aligns right by default (it is made for table cells).
  tags: css({ justifyContent: 'flex-start' }),
});
