import React, { useMemo, useState } from 'react';
import type { Incident } from '../../api/types';
import { locationService, PluginPage } from '@grafana/runtime';
import { Alert, Button, LinkButton, RefreshPicker, Stack, Text } from '@grafana/ui';
import { QueryState } from '../../components/common/QueryState';
import { Toolbar } from '../../components/common/Layout';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { ROUTES } from '../../constants';
import { useCanWrite } from '../../hooks/usePermissions';
import { prefixHref, prefixRoute } from '../../utils/routing';
import { CreateIncidentModal } from './CreateIncidentModal';
import { BulkActionBar } from './BulkActionBar';
import { exportIncidentsCsv } from './incidentCsv';
import { IncidentFilters } from './IncidentFilters';
import { IncidentStatTiles } from './IncidentStatTiles';
import { IncidentsTable } from './IncidentsTable';
import { ResolveModal } from './ResolveModal';
import { useBulkActions } from './useBulkActions';
import { PAGE_SIZE, useIncidentList, useIncidentParams } from './useIncidentList';
import { useSelection } from './useSelection';

const REFRESH_INTERVALS = ['10s', '30s', '1m', '5m'];

export default function IncidentsPage() {
  const params = useIncidentParams();
  const { update, range, page, refresh, filter, key } = params;
  const canWrite = useCanWrite();
  const { list, stats, reload } = useIncidentList(params);
  const items = list.value?.items;
  const ids = useMemo(() => items?.map((i) => i.id), [items]);
  const selection = useSelection(ids, key);
  const bulk = useBulkActions(() => {
    selection.clear();
    reload();
  });
  /** The incidents the resolve dialog is for: the selection, or one row's quick action. */
  const [resolving, setResolving] = useState<number[] | undefined>();
  const [creating, setCreating] = useState(false);
  const rowActions = {
    canWrite,
    busy: bulk.busy,
    onAcknowledge: (i: Incident) => bulk.run([i.id], 'acknowledge'),
    onResolve: (i: Incident) => setResolving([i.id]),
  };
  const total = list.value?.total ?? 0;

  return (
    <PluginPage subTitle="Incidents opened by Alertmanager or by hand: triage, acknowledge, resolve">
      <IncidentStatTiles stats={stats.value} error={stats.error} />
      <Toolbar align="stretch">
        <IncidentFilters {...params} />
        <Stack gap={1} alignItems="flex-start">
          <TimeRangeControl range={range} onChange={update} />
          <RefreshPicker
            intervals={REFRESH_INTERVALS}
            value={refresh}
            isLoading={list.loading}
            onRefresh={reload}
            onIntervalChanged={(interval) => update({ refresh: interval || null }, true)}
            tooltip="Refresh the list"
          />
        </Stack>
      </Toolbar>

      <Toolbar dense>
        <BulkActionBar
          selectedCount={selection.selected.size}
          total={total}
          canWrite={canWrite}
          busy={bulk.busy}
          onAcknowledge={() => bulk.run([...selection.selected], 'acknowledge')}
          onResolve={() => setResolving([...selection.selected])}
        >
          <LinkButton
            size="sm"
            variant="secondary"
            icon="database"
            href={prefixHref(ROUTES.SlowQueries, { from: String(filter.from), to: String(filter.to) })}
          >
            Slow queries in this window
          </LinkButton>
          <Button
            size="sm"
            variant="secondary"
            icon="plus"
            disabled={!canWrite}
            tooltip={
              canWrite ? 'Open an incident that no alert caught' : 'Opening incidents needs the Editor role'
            }
            onClick={() => setCreating(true)}
          >
            New incident
          </Button>
          <Button
            size="sm"
            variant="secondary"
            icon="download-alt"
            disabled={!items?.length}
            onClick={() => items && exportIncidentsCsv(items)}
          >
            Export CSV
          </Button>
        </BulkActionBar>
      </Toolbar>
      {bulk.message && (
        <Alert severity={bulk.message.severity} title="" onRemove={bulk.dismiss}>
          {bulk.message.text}
        </Alert>
      )}

      <QueryState
        loading={list.loading && !list.value}
        error={list.error}
        empty={Boolean(items && items.length === 0)}
        errorTitle="Could not load incidents"
        loadingText="Loading incidents…"
        emptyMessage="No incidents match these filters"
        emptyHint={
          <Text color="secondary" element="p">
            Alertmanager opens incidents through the exporter&apos;s webhook receiver. Resolved incidents are
            hidden unless the Resolved status is selected.
          </Text>
        }
        onRetry={list.retry}
      >
        {items && (
          <IncidentsTable
            items={items}
            selection={selection}
            rowActions={rowActions}
            page={page}
            numberOfPages={Math.max(1, Math.ceil(total / PAGE_SIZE))}
            onPage={(p) => update({ page: p === 1 ? null : String(p) })}
          />
        )}
      </QueryState>

      {resolving && (
        <ResolveModal
          count={resolving.length}
          onDismiss={() => setResolving(undefined)}
          onResolve={async (note) => {
            setResolving(undefined);
            await bulk.run(resolving, 'resolve', note);
          }}
        />
      )}
      {creating && (
        <CreateIncidentModal
          onDismiss={() => setCreating(false)}
          onCreated={(i) => locationService.push(prefixRoute(`${ROUTES.Incidents}/${i.id}`))}
        />
      )}
    </PluginPage>
  );
}
