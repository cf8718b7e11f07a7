/*
 * A minimal Grafana shell for the browser test: Grafana's boot data (inlined by the server before
 * this bundle), the real @grafana/runtime setters, the real @grafana/ui theme, and the plugin's real
 * module.tsx rendered at /a/perfwatch-app/* (the app) and /plugins/perfwatch-app (its config page).
 */
import React, { useEffect, useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Router, Routes, type Navigator } from 'react-router-dom';
import { createTheme, type AppPluginMeta, type DataSourceInstanceSettings } from '@grafana/data';
import { locationService, setBackendSrv, setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { plugin } from '../../../src/module';
import type { AppSettings } from '../../../src/constants';
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { backendSrv } from './backendSrv';
import { HarnessPluginPage } from './Chrome';

setBackendSrv(backendSrv);
setPluginPage(HarnessPluginPage);

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

// Grafana turns clicks on in-app links into history pushes; so does the shell.
document.addEventListener('click', (event) => {
  const anchor = (event.target as HTMLElement).closest('a');
  const href = anchor?.getAttribute('href');
  if (!anchor || !href || !href.startsWith('/') || anchor.target || anchor.hasAttribute('download')) {
    return;
  }
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
    return;
  }
  event.preventDefault();
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
    fetch('/api/plugins/perfwatch-app/settings')
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

const theme = createTheme({ colors: { mode: 'dark' } });
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <LocationRouter>
      <Shell />
    </LocationRouter>
  </ThemeContext.Provider>,
);
