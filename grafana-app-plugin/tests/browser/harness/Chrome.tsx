import React from 'react';
import { useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import { locationUtil, PageLayoutType, type GrafanaTheme2, type NavModelItem } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { Tab, TabsBar, Text, useStyles2 } from '@grafana/ui';
import pluginJson from '../../../src/plugin.json';

const pages = pluginJson.includes
  .filter((i) => i.type === 'page' && i.path.startsWith('/a/'))
  .map((i) => ({ name: i.name, path: i.path.replace('%PLUGIN_ID%', pluginJson.id) }));

/**
 * What Grafana draws around a plugin page: breadcrumbs, the page title and subtitle, and the app's
 * pages as tabs. Breadcrumbs follow public/app/core/components/Breadcrumbs/utils.ts,
 * buildBreadcrumbs: the app's section node (the plugin name), the nav child of the current include
 * page, then the page's `pageNav` with its parentItem chain, so a detail page that sets
 * no pageNav reads only "Perfwatch › Incidents". Grafana's side menu is not reproduced.
 */
export function HarnessPluginPage({ children, subTitle, layout, pageNav }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  if (layout === PageLayoutType.Canvas) {
    return <div>{children}</div>;
  }
  const current = pages.find((p) => pathname.startsWith(p.path));
  const chain: NavModelItem[] = [];
  for (let n: NavModelItem | undefined = pageNav; n; n = n.parentItem) {
    chain.unshift(n);
  }
  const crumbs = [pluginJson.name, ...(current ? [current.name] : []), ...chain.map((n) => n.text)].filter(
    (text, i, all) => i === 0 || text !== all[i - 1],
  );
  return (
    <div>
      <nav aria-label="Breadcrumbs" data-testid="harness-breadcrumbs" className={styles.crumbs}>
        {crumbs.join(' › ')}
      </nav>
      <div className={styles.header}>
        <Text element="h1">{pageNav?.text ?? current?.name ?? 'Perfwatch'}</Text>
        {subTitle && <Text color="secondary">{subTitle}</Text>}
      </div>
      <TabsBar className={styles.tabs}>
        {pages.map((p) => (
          <Tab key={p.path} label={p.name} href={locationUtil.assureBaseUrl(p.path)} active={p === current} />
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
  crumbs: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(1) }),
  body: css({ paddingTop: theme.spacing(1) }),
});
