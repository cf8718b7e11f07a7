import React from 'react';
import { useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import { PageLayoutType, type GrafanaTheme2 } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { Tab, TabsBar, Text, useStyles2 } from '@grafana/ui';
import pluginJson from '../../../src/plugin.json';

const pages = pluginJson.includes
  .filter((i) => i.type === 'page' && i.path.startsWith('/a/'))
  .map((i) => ({ name: i.name, path: i.path.replace('%PLUGIN_ID%', pluginJson.id) }));

/**
 * What Grafana draws around a plugin page: the app's pages as tabs, the page title and subtitle.
 * Grafana's own chrome (side menu, breadcrumbs) is not reproduced.
 */
export function HarnessPluginPage({ children, subTitle, layout, pageNav }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  if (layout === PageLayoutType.Canvas) {
    return <div>{children}</div>;
  }
  const current = pages.find((p) => pathname.startsWith(p.path));
  return (
    <div>
      <div className={styles.header}>
        <Text element="h1">{pageNav?.text ?? current?.name ?? 'Perfwatch'}</Text>
        {subTitle && <Text color="secondary">{subTitle}</Text>}
      </div>
      <TabsBar className={styles.tabs}>
        {pages.map((p) => (
          <Tab key={p.path} label={p.name} href={p.path} active={p === current} />
        ))}
      </TabsBar>
      <div className={styles.body}>{children}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  header: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    marginBottom: theme.spacing(2),
  }),
  tabs: css({ marginBottom: theme.spacing(2) }),
  body: css({ paddingTop: theme.spacing(1) }),
});
