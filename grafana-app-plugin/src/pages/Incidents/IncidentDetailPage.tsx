import React, { useState } from 'react';
import { useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LinkButton, Stack, Text } from '@grafana/ui';
import { api } from '../../api/client';
import type { IncidentDetail } from '../../api/types';
import { BackLink, Section, Sections, Toolbar } from '../../components/common/Layout';
import { QueryState } from '../../components/common/QueryState';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useCanWrite } from '../../hooks/usePermissions';
import { DASHBOARDS, dashboardHref, prefixHref } from '../../utils/routing';
import { AlertPayloads } from './AlertPayloads';
import { AlertQueryGraphs } from './AlertQueryGraph';
import { AlertsTable } from './AlertsTable';
import { downloadPostmortem } from './postmortem';
import { IncidentActionsPanel } from './IncidentActionsPanel';
import { IncidentSummary } from './IncidentSummary';
import { incidentWindow } from './incidentText';
import { ResolveModal } from './ResolveModal';
import { Timeline } from './Timeline';
import { useIncident } from './useIncident';

function RelatedLinks({ i }: { i: IncidentDetail }) {
  return (
    <Stack gap={1}>
      <LinkButton
        variant="secondary"
        icon="database"
        href={prefixHref(ROUTES.SlowQueries, incidentWindow(i))}
      >
        Slow queries in this window
      </LinkButton>
      <LinkButton variant="secondary" icon="file-alt" href={prefixHref(ROUTES.Sla, { period: '7d' })}>
        SLA report
      </LinkButton>
      <LinkButton
        variant="secondary"
        icon="apps"
        href={dashboardHref(DASHBOARDS.http, incidentWindow(i), { route: i.labels?.route })}
      >
        HTTP dashboard
      </LinkButton>
    </Stack>
  );
}

export default function IncidentDetailPage() {
  const { id: idParam = '' } = useParams<{ id: string }>();
  const {
    loaded,
    incident: i,
    busy,
    act,
    actionError,
    refreshError,
    dismissError,
  } = useIncident(Number(idParam));
  const canWrite = useCanWrite();
  const [resolving, setResolving] = useState(false);
  const silenced = Boolean(i?.silencedUntil && new Date(i.silencedUntil).getTime() > Date.now());

  return (
    <PluginPage
      // Breadcrumbs: Perfwatch › Incidents › #42 (Grafana appends pageNav to the app's page).
      pageNav={{ text: `#${idParam}`, url: prefixHref(`${ROUTES.Incidents}/${idParam}`) }}
      subTitle={i ? `Incident ${i.id} · ${i.source}` : undefined}
    >
      <Toolbar>
        <BackLink href={prefixHref(ROUTES.Incidents)}>All incidents</BackLink>
      </Toolbar>
      <QueryState
        loading={loaded.loading && !i}
        error={loaded.error}
        empty={false}
        emptyMessage=""
        errorTitle="Could not load the incident"
        loadingText="Loading the incident…"
        onRetry={loaded.retry}
      >
        {i && (
          <Sections testId={testIds.incidents.detail}>
            <IncidentSummary i={i} silenced={silenced} />
            {refreshError && (
              <Text color="warning" variant="bodySmall">
                Could not refresh the incident: {refreshError.message}
              </Text>
            )}
            {actionError && (
              <Alert severity="error" title="Action failed" onRemove={dismissError}>
                {actionError}
              </Alert>
            )}
            <IncidentActionsPanel
              i={i}
              act={act}
              canWrite={canWrite}
              busy={Boolean(busy)}
              silenced={silenced}
              onResolve={() => setResolving(true)}
            />
            <RelatedLinks i={i} />
            <Section title="Alerts">
              <AlertsTable alerts={i.alerts ?? []} />
              <AlertQueryGraphs incident={i} />
              <AlertPayloads alerts={i.alerts ?? []} />
            </Section>
            <Section title="Timeline" testId={testIds.incidents.timeline}>
              <Button size="sm" variant="secondary" icon="file-alt" onClick={() => downloadPostmortem(i)}>
                Export postmortem (Markdown)
              </Button>
              <Timeline events={i.timeline ?? []} truncated={i.timelineTruncated} />
            </Section>
          </Sections>
        )}
      </QueryState>
      {resolving && i && (
        <ResolveModal
          count={1}
          onDismiss={() => setResolving(false)}
          onResolve={async (text) => {
            setResolving(false);
            await act('resolve', () => api.resolve(i.id, text));
          }}
        />
      )}
    </PluginPage>
  );
}
