import React, { type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { LinkButton, Text, useStyles2 } from '@grafana/ui';

interface ToolbarProps {
  children: ReactNode;
  /** Filter bars of several rows keep their parts at the top; one-line bars centre them. */
  align?: 'center' | 'stretch';
  /** Less space below: a summary line right above its table. */
  dense?: boolean;
}

/** The bar above a page's content: filters or a back link on the left, range and actions on the right. */
export function Toolbar({ children, align = 'center', dense }: ToolbarProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={cx(styles.toolbar, dense && styles.dense)} style={{ alignItems: align }}>
      {children}
    </div>
  );
}

/** The way back from a detail page to its list, keeping the list's URL state in `href`. */
export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <LinkButton variant="secondary" fill="text" icon="arrow-left" href={href}>
      {children}
    </LinkButton>
  );
}

/** A page's content as a column of sections with Grafana's spacing between them. */
export function Sections({ children, testId }: { children: ReactNode; testId?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.sections} data-testid={testId}>
      {children}
    </div>
  );
}

/** A titled part of a page. */
export function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section data-testid={testId}>
      <Text element="h3">{title}</Text>
      {children}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({
    display: 'flex',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  dense: css({ marginBottom: theme.spacing(1) }),
  sections: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
});
