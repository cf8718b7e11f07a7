import React, { type ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';

interface Props {
  title: string;
  value: ReactNode;
  description?: ReactNode;
  testId?: string;
}

/** A small labelled number, the way Grafana's stat panels read. */
export function StatTile({ title, value, description, testId }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.tile} data-testid={testId}>
      <Text variant="bodySmall" color="secondary">
        {title}
      </Text>
      <div className={styles.value}>{value}</div>
      {description && (
        <Text variant="bodySmall" color="secondary">
          {description}
        </Text>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tile: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    minWidth: 150,
    padding: theme.spacing(1.5, 2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  value: css({
    fontSize: theme.typography.h3.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
  }),
});
