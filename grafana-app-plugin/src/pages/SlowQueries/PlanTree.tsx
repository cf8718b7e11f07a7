import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { PlanNode } from '../../api/explain';
import { testIds } from '../../components/testIds';

function Node({ node }: { node: PlanNode }) {
  const styles = useStyles2(getStyles);
  const details = Object.entries(node.details).filter(([, v]) => v !== null && v !== '');
  return (
    <li>
      <span className={styles.label}>{node.label}</span>
      {details.length > 0 && (
        <span className={styles.details}>
          {details.map(([k, v]) => (
            <span key={k}>
              {k}: <code>{String(v)}</code>
            </span>
          ))}
        </span>
      )}
      {node.children.length > 0 && (
        <ul className={styles.list}>
          {node.children.map((child, i) => (
            <Node key={i} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The plan as nested nodes, each with what the database reported about it. */
export function PlanTree({ tree }: { tree: PlanNode }) {
  const styles = useStyles2(getStyles);
  return (
    <ul className={styles.root} data-testid={testIds.slowQueries.planTree}>
      <Node node={tree} />
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ listStyle: 'none', margin: 0, padding: 0 }),
  list: css({
    listStyle: 'none',
    margin: 0,
    paddingLeft: theme.spacing(2.5),
    borderLeft: `1px solid ${theme.colors.border.medium}`,
  }),
  label: css({ fontWeight: theme.typography.fontWeightMedium }),
  details: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0, 2),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginBottom: theme.spacing(0.5),
  }),
});
