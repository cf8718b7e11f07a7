import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { render, renderHook } from '@testing-library/react';
import { Route, Router, Routes, type Navigator } from 'react-router-dom';
import { config, locationService } from '@grafana/runtime';

/** A router that follows Grafana's locationService history, as Grafana's own router does. */
export function LocationRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <Router navigator={history as unknown as Navigator} location={location}>
      {children}
    </Router>
  );
}

/** Renders an element at a URL under the plugin's base, with a route pattern for its params. */
export function renderAt(url: string, element: ReactNode, pattern = '*') {
  locationService.push(url);
  return render(
    <LocationRouter>
      <Routes>
        <Route path={`/a/perfwatch-app/${pattern}`} element={element} />
      </Routes>
    </LocationRouter>,
  );
}

export const currentSearch = () => locationService.getSearch();

/** The signed-in user as Grafana's boot data describes it. */
export function signInAs(orgRole: 'Viewer' | 'Editor' | 'Admin', login = 'alice') {
  const bootData = config.bootData as unknown as { user: Record<string, unknown> };
  bootData.user = { ...(bootData.user ?? {}), orgRole, login, isGrafanaAdmin: false };
}

/** Runs a hook inside the router at a URL, as a page under the plugin's base would. */
export function renderHookAt<T>(url: string, hook: () => T) {
  locationService.push(url);
  return renderHook(hook, { wrapper: ({ children }) => <LocationRouter>{children}</LocationRouter> });
}
