import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';
import type { IncidentStats } from '../../api/types';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { formatDuration } from '../../utils/format';

/** MTTA, MTTR and counts over the range; a failure is said in place, the list still shows. */
export function IncidentStatTiles({ stats: s, error }: { stats?: IncidentStats; error?: Error }) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <div className={styles.tiles}>
        <StatTile
          title="MTTA"
          value={formatDuration(s?.mtta.meanSeconds)}
          description="mean time to acknowledge"
          testId={testIds.incidents.mtta}
        />
        <StatTile
          title="MTTR"
          value={formatDuration(s?.mttr.meanSeconds)}
          description="mean time to resolve"
          testId={testIds.incidents.mttr}
        />
        <StatTile title="Incidents" value={s ? s.total : '–'} description="started in the time range" />
        <StatTile
          title="Open"
          value={s ? s.open : '–'}
          description={s ? `${s.bySeverity?.critical ?? 0} critical` : undefined}
        />
      </div>
      {error && <Text color="error">Could not load MTTA/MTTR: {error.message}</Text>}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tiles: css({ display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap', marginBottom: theme.spacing(2) }),
});
