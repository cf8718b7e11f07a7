import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack } from '@grafana/ui';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { Sections } from '../../components/common/Layout';
import { HealthChecksTable } from './HealthChecksTable';
import { useHealthChecks } from './useHealthChecks';

export default function HealthPage() {
  const state = useHealthChecks();
  const list = state.value;
  const pending = list ? list.checks.length - list.up - list.down : 0;
  return (
    <PluginPage subTitle="The exporter's dependency checks: each one's status, latency and last failure.">
      <QueryState
        loading={state.loading && !list}
        error={state.error}
        empty={list?.checks.length === 0}
        emptyMessage="No health checks are configured"
        emptyHint="Add them under health.checks in the exporter's perfwatch.yml (see docs/health.md)."
        errorTitle="Could not load the health checks"
        loadingText="Loading the health checks…"
        onRetry={state.retry}
      >
        {list && (
          <Sections>
            <Stack gap={1} wrap="wrap">
              <StatTile title="Up" value={String(list.up)} />
              <StatTile title="Down" value={String(list.down)} />
              {pending > 0 && <StatTile title="Pending" value={String(pending)} />}
            </Stack>
            <HealthChecksTable checks={list.checks} />
          </Sections>
        )}
      </QueryState>
    </PluginPage>
  );
}
