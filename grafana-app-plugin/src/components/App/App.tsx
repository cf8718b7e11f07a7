import React, { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { ROUTES, type AppSettings } from '../../constants';
import { SettingsContext } from '../../utils/settings';
import { prefixRoute } from '../../utils/routing';

const SlowQueriesPage = lazy(() => import('../../pages/SlowQueries/SlowQueriesPage'));
const SlowQueryDetailPage = lazy(() => import('../../pages/SlowQueries/SlowQueryDetailPage'));
const SlowQueryRequestPage = lazy(() => import('../../pages/SlowQueries/SlowQueryRequestPage'));
const IncidentsPage = lazy(() => import('../../pages/Incidents/IncidentsPage'));
const IncidentDetailPage = lazy(() => import('../../pages/Incidents/IncidentDetailPage'));
const SlaPage = lazy(() => import('../../pages/Sla/SlaPage'));
const SlaEndpointPage = lazy(() => import('../../pages/Sla/SlaEndpointPage'));
const SlaPrintPage = lazy(() => import('../../pages/Sla/SlaPrintPage'));
const HealthPage = lazy(() => import('../../pages/Health/HealthPage'));

function App(props: AppRootProps<AppSettings>) {
  return (
    <SettingsContext.Provider value={props.meta.jsonData ?? {}}>
      <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
        <Routes>
          <Route path={ROUTES.SlowQueries} element={<SlowQueriesPage />} />
          <Route path={ROUTES.SlowQueryRequest} element={<SlowQueryRequestPage />} />
          <Route path={`${ROUTES.SlowQueries}/:id`} element={<SlowQueryDetailPage />} />
          <Route path={ROUTES.Incidents} element={<IncidentsPage />} />
          <Route path={`${ROUTES.Incidents}/:id`} element={<IncidentDetailPage />} />
          <Route path={ROUTES.Sla} element={<SlaPage />} />
          <Route path={`${ROUTES.Sla}/print`} element={<SlaPrintPage />} />
          <Route path={`${ROUTES.Sla}/endpoint/:name`} element={<SlaEndpointPage />} />
          <Route path={ROUTES.Health} element={<HealthPage />} />
          <Route path="*" element={<Navigate replace to={prefixRoute(ROUTES.SlowQueries)} />} />
        </Routes>
      </Suspense>
    </SettingsContext.Provider>
  );
}

export default App;
