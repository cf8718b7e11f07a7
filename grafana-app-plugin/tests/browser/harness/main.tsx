/*
 * A minimal Grafana shell for the browser test: Grafana's boot data (inlined by the server before
 * this bundle), the real @grafana/runtime setters, the real @grafana/ui theme, and the plugin's real
 * module.tsx rendered at /a/perfwatch-app/* (the app) and /plugins/perfwatch-app (its config page).
 */
import React, { useEffect, useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Router, Routes, type Navigator } from 'react-router-dom';
import {
  createTheme,
  locationUtil,
  setTimeZoneResolver,
  type AppPluginMeta,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import {
  config,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  type DataSourceSrv,
} from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { plugin } from '../../../src/module';
import type { AppSettings } from '../../../src/constants';
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { backendSrv } from './backendSrv';
import { HarnessPluginPage } from './Chrome';

setBackendSrv(backendSrv);
setPluginPage(HarnessPluginPage);
// public/app/app.ts (GrafanaApp.init): the user's time zone from the boot data feeds getTimeZone(),
// and locationUtil learns the sub-path (assureBaseUrl / stripBaseFromUrl).
setTimeZoneResolver(() => config.bootData.user.timezone);
locationUtil.initialize({
  // Grafana passes the same object; the types of the two packages differ in fields locationUtil never reads.
  config: config as unknown as Parameters<typeof locationUtil.initialize>[0]['config'],
  getTimeRangeForUrl: () => ({ from: 'now-6h', to: 'now' }),
  getVariablesUrlParams: () => ({}),
});

// The datasource list Grafana would have: one Prometheus, reached through /api/datasources/proxy/uid/prom.
const prometheus = {
  uid: 'prom',
  name: 'Prometheus',
  type: 'prometheus',
  access: 'proxy',
  jsonData: {},
  readOnly: false,
  meta: {
    id: 'prometheus',
    name: 'Prometheus',
    type: 'datasource',
    info: { logos: { small: '', large: '' } },
    module: '',
    baseUrl: '',
  },
} as unknown as DataSourceInstanceSettings;
setDataSourceSrv({
  getList: () => [prometheus],
  // As in Grafana, no reference means the default datasource.
  getInstanceSettings: (ref: unknown) =>
    ref === null ||
    ref === undefined ||
    ref === 'prom' ||
    (typeof ref === 'object' && (ref as { uid?: string }).uid === 'prom')
      ? prometheus
      : undefined,
  get: () => Promise.reject(new Error('the harness has no datasource plugins')),
  reload: () => undefined,
  registerRuntimeDataSource: () => undefined,
} as unknown as DataSourceSrv);

/*
 * public/app/core/navigation/patch/interceptLinkClicks.ts, interceptLinkClicks, registered by
 * public/app/app.ts on `document` for every click: any <a> with an href and no target attribute
 * is taken over (preventDefault), whatever else it carries (a `download` attribute included):
 * the href loses the sub-path (locationUtil.stripBaseFromUrl), an absolute URL with "://" (a
 * blob: URL included) or mailto: is opened with window.location.href, "#..." sets the hash, and
 * anything else is pushed onto the history (which adds the sub-path back).
 */
document.addEventListener('click', (e: MouseEvent) => {
  let anchor: HTMLElement | null = e.target instanceof HTMLElement ? e.target : null;
  while (anchor && anchor.tagName && anchor.tagName.toUpperCase() !== 'A') {
    anchor = anchor.parentElement;
  }
  if (e.ctrlKey || e.metaKey || e.defaultPrevented || !anchor) {
    return;
  }
  let href = anchor.getAttribute('href');
  if (!href || anchor.getAttribute('target')) {
    return;
  }
  e.preventDefault();
  href = locationUtil.stripBaseFromUrl(href);
  if (href[0] !== '/') {
    if (href.indexOf('://') > 0 || href.indexOf('mailto:') === 0) {
      window.location.href = href;
      return;
    }
    if (href.indexOf('#') === 0) {
      window.location.hash = href;
      return;
    }
    href = `/${href}`;
  }
  locationService.push(href);
});

function LocationRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <Router navigator={history as unknown as Navigator} location={location}>
      {children}
    </Router>
  );
}

function Shell() {
  const [meta, setMeta] = useState<AppPluginMeta<AppSettings>>();
  useEffect(() => {
    // Grafana loads the app's settings (never its secrets) before rendering it.
    fetch('api/plugins/perfwatch-app/settings')
      .then((r) => r.json())
      .then((m: AppPluginMeta<AppSettings>) => {
        plugin.meta = m;
        setMeta(m);
      });
  }, []);
  if (!meta) {
    return null;
  }
  const Root = plugin.root!;
  const Config = plugin.configPages![0].body;
  return (
    <div style={{ padding: 24 }} data-testid="harness-shell">
      <Routes>
        <Route
          path="/a/perfwatch-app/*"
          element={
            <Root
              meta={meta}
              path="/a/perfwatch-app"
              query={{}}
              basename="/a/perfwatch-app"
              onNavChanged={() => undefined}
            />
          }
        />
        <Route path="/plugins/perfwatch-app" element={<Config plugin={plugin} query={{}} />} />
      </Routes>
    </div>
  );
}

const theme = createTheme({ colors: { mode: config.bootData.user.theme === 'light' ? 'light' : 'dark' } });
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <LocationRouter>
      <Shell />
    </LocationRouter>
  </ThemeContext.Provider>,
);
