import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { formatPercent } from '../../utils/format';

/** A share of a whole (0…1) as a number and a bar, like the load column of query analytics tools. */
export function ShareBar({ share }: { share: number }) {
  const styles = useStyles2(getStyles);
  const pct = Math.max(0, Math.min(1, share)) * 100;
  return (
    <div className={styles.wrap} title={`${formatPercent(share, 2)} of the total time`}>
      <span className={styles.text}>{formatPercent(share)}</span>
      <span className={styles.track}>
        <span className={styles.fill} style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), minWidth: 120 }),
  text: css({ minWidth: 52, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  track: css({
    flex: 1,
    height: 6,
    background: theme.colors.background.canvas,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
  }),
  fill: css({ display: 'block', height: '100%', background: theme.colors.primary.main }),
});
