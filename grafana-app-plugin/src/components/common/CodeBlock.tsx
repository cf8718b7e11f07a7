import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  code: string;
  /** A framed, scrolling block (SQL) or a bare one inside a bordered row (PromQL). */
  framed?: boolean;
  testId?: string;
}

/** SQL or PromQL in Grafana's monospace font, wrapped so long expressions stay readable. */
export function CodeBlock({ code, framed, testId }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <pre className={cx(styles.code, framed && styles.framed)} data-testid={testId}>
      {code}
    </pre>
  );
}

/** One line of code cut with an ellipsis, the whole text in its tooltip (table cells). */
export function CodeLine({ code, maxWidth }: { code: string; maxWidth: number }) {
  const styles = useStyles2(getStyles);
  return (
    <span className={styles.line} style={{ maxWidth }} title={code}>
      {code}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    margin: 0,
  }),
  framed: css({
    wordBreak: 'normal',
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5),
    marginTop: theme.spacing(1),
    maxHeight: 360,
    overflow: 'auto',
  }),
  line: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
});
