import React, { useEffect, useMemo, useState } from 'react';
import { useAsyncRetry, useInterval } from 'react-use';
import { css } from '@emotion/css';
import { rangeUtil, type GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Checkbox,
  FilterPill,
  InteractiveTable,
  LinkButton,
  Pagination,
  RefreshPicker,
  Stack,
  Text,
  TextLink,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps } from 'react-table';
import { api } from '../../api/client';
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentFilter,
  type IncidentSeverity,
  type IncidentStatus,
} from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/common/Badges';
import { CommitInput } from '../../components/common/CommitInput';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { currentUserLogin, useCanWrite } from '../../hooks/usePermissions';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { downloadText, toCsv } from '../../utils/csv';
import { ExporterError } from '../../api/errors';
import { formatDuration, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { parseRange } from '../../utils/time';
import { ResolveModal } from './ResolveModal';

const PAGE_SIZE = 50;
const OPEN: IncidentStatus[] = ['investigating', 'identified', 'monitoring'];
const REFRESH_INTERVALS = ['10s', '30s', '1m', '5m'];

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Alerts of an incident in words: "2 firing", "1 firing, 3 resolved". */
export function alertSummary(i: Incident): string {
  const { firing, resolved } = i.alertCounts ?? { firing: 0, resolved: 0 };
  if (!firing && !resolved) {
    return '–';
  }
  return [firing ? `${firing} firing` : '', resolved ? `${resolved} resolved` : '']
    .filter(Boolean)
    .join(', ');
}

export default function IncidentsPage() {
  const styles = useStyles2(getStyles);
  const [params, update] = useUrlQuery();
  const canWrite = useCanWrite();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'), { from: 'now-7d', to: 'now' });
  // No status in the URL means the open ones: what someone on call looks at first.
  const statuses = (params.getAll('status').length ? params.getAll('status') : OPEN) as IncidentStatus[];
  const severities = params.getAll('severity') as IncidentSeverity[];
  const page = Math.max(1, Number(params.get('page')) || 1);
  const refresh = params.get('refresh') ?? '';
  const filter: IncidentFilter = {
    status: statuses.length === INCIDENT_STATUSES.length ? undefined : statuses,
    severity: severities.length ? severities : undefined,
    label: params.getAll('label').filter(Boolean),
    assignee: params.get('assignee') || undefined,
    q: params.get('q') || undefined,
    from,
    to,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const assignee = filter.assignee;

  const key = params.toString();
  const list = useAsyncRetry(() => api.incidents(filter), [key]);
  const stats = useAsyncRetry(() => api.incidentStats({ from, to }), [params.get('from'), params.get('to')]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [bulkBusy, setBulkBusy] = useState(false);
  const [bulkMessage, setBulkMessage] = useState<{
    severity: 'success' | 'error' | 'warning';
    text: string;
  }>();
  const [resolving, setResolving] = useState(false);

  const reload = () => {
    list.retry();
    stats.retry();
  };
  // A selection is of rows on screen: another page, filter or range clears it, and a refresh keeps
  // only the rows still listed, so a bulk action never reaches incidents nobody can see.
  useEffect(() => setSelected(new Set()), [key]);
  useEffect(() => {
    const visible = new Set((list.value?.items ?? []).map((i) => i.id));
    setSelected((s) =>
      [...s].every((id) => visible.has(id)) ? s : new Set([...s].filter((id) => visible.has(id))),
    );
  }, [list.value]);
  // A refused token or role will be refused again: auto-refresh pauses instead of hammering the
  // proxy (each 401 also makes Grafana's backendSrv renew the session and repeat the call once).
  const authFailed = [list.error, stats.error].some((e) => e instanceof ExporterError && e.isAuthFailure);
  const refreshMs = refresh && !authFailed ? rangeUtil.intervalToMs(refresh) : null;
  useInterval(reload, refreshMs);

  const toggle = (values: string[], value: string) =>
    values.includes(value) ? values.filter((v) => v !== value) : [...values, value];

  const items = list.value?.items;
  const columns = useMemo<Array<Column<Incident>>>(
    () => [
      {
        id: 'select',
        header: () =>
          items && items.length > 0 ? (
            <Checkbox
              aria-label="Select all on this page"
              value={items.every((i) => selected.has(i.id))}
              onChange={(e) =>
                setSelected(e.currentTarget.checked ? new Set(items.map((i) => i.id)) : new Set())
              }
            />
          ) : null,
        disableGrow: true,
        cell: ({ row: { original: i } }: CellProps<Incident>) => (
          <Checkbox
            aria-label={`Select incident ${i.title}`}
            value={selected.has(i.id)}
            onChange={() =>
              setSelected((s) => {
                const next = new Set(s);
                if (!next.delete(i.id)) {
                  next.add(i.id);
                }
                return next;
              })
            }
          />
        ),
      },
      { id: 'status', header: 'Status', cell: ({ value }) => <StatusBadge status={value} /> },
      { id: 'severity', header: 'Severity', cell: ({ value }) => <SeverityBadge severity={value} /> },
      {
        id: 'title',
        header: 'Title',
        cell: ({ row: { original: i } }: CellProps<Incident>) => (
          <div className={styles.titleCell}>
            <TextLink href={prefixHref(`${ROUTES.Incidents}/${i.id}`)} inline={false} color="primary">
              {i.title}
            </TextLink>
            {i.acknowledgedBy ? (
              <Text variant="bodySmall" color="secondary">
                Acknowledged by {i.acknowledgedBy}
              </Text>
            ) : i.status !== 'resolved' ? (
              <Text variant="bodySmall" color="warning">
                Not acknowledged
              </Text>
            ) : null}
          </div>
        ),
      },
      { id: 'startedAt', header: 'Started', cell: ({ value }) => formatTime(value) },
      {
        id: 'duration',
        header: 'Duration',
        cell: ({ row: { original: i } }: CellProps<Incident>) => formatDuration(i.durationSeconds),
      },
      { id: 'assignee', header: 'Assignee', cell: ({ value }) => value || <Text color="secondary">–</Text> },
      {
        id: 'alerts',
        header: 'Alerts',
        cell: ({ row: { original: i } }: CellProps<Incident>) => alertSummary(i),
      },
    ],
    [items, selected, styles],
  );

  const runBulk = async (action: 'acknowledge' | 'resolve', note?: string) => {
    setBulkBusy(true);
    setBulkMessage(undefined);
    try {
      const ids = [...selected];
      const result = await api.bulk(ids, action, note);
      const verb = action === 'resolve' ? 'resolved' : 'acknowledged';
      const failures = result.results.filter((r) => !r.ok);
      setBulkMessage(
        failures.length
          ? {
              severity: 'warning',
              text: `${result.succeeded} ${verb}; ${failures.length} not: ${failures
                .map((f) => `#${f.id} ${f.error?.message ?? 'failed'}`)
                .join('; ')}`,
            }
          : {
              severity: 'success',
              text: `${result.succeeded} incident${result.succeeded === 1 ? '' : 's'} ${verb}.`,
            },
      );
      setSelected(new Set());
      reload();
    } catch (e) {
      setBulkMessage({ severity: 'error', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBulkBusy(false);
    }
  };

  const exportCsv = () => {
    if (!items) {
      return;
    }
    const rows = items.map((i) => [
      i.id,
      i.title,
      i.status,
      i.severity,
      i.startedAt,
      i.resolvedAt ?? '',
      Math.round(i.durationSeconds),
      i.assignee ?? '',
      i.acknowledgedBy ?? '',
      (i.alertCounts?.firing ?? 0) + (i.alertCounts?.resolved ?? 0),
      Object.entries(i.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]);
    downloadText(
      'incidents.csv',
      toCsv(
        [
          'id',
          'title',
          'status',
          'severity',
          'started',
          'resolved',
          'duration_seconds',
          'assignee',
          'acknowledged_by',
          'alerts',
          'labels',
        ],
        rows,
      ),
    );
  };

  const s = stats.value;
  const total = list.value?.total ?? 0;
  const me = currentUserLogin();

  return (
    <PluginPage subTitle="Incidents opened by Alertmanager or by hand: triage, acknowledge, resolve">
      <div className={styles.tiles}>
        <StatTile
          title="MTTA"
          value={formatDuration(s?.mtta.meanSeconds)}
          description="mean time to acknowledge"
          testId={testIds.incidents.mtta}
        />
        <StatTile
          title="MTTR"
          value={formatDuration(s?.mttr.meanSeconds)}
          description="mean time to resolve"
          testId={testIds.incidents.mttr}
        />
        <StatTile title="Incidents" value={s ? s.total : '–'} description="started in the time range" />
        <StatTile
          title="Open"
          value={s ? s.open : '–'}
          description={s ? `${s.bySeverity?.critical ?? 0} critical` : undefined}
        />
      </div>
      {stats.error && <Text color="error">Could not load MTTA/MTTR: {stats.error.message}</Text>}

      <div className={styles.controls}>
        <Stack direction="column" gap={1}>
          <Stack gap={0.5} wrap="wrap" alignItems="center">
            <Text variant="bodySmall" color="secondary">
              Status
            </Text>
            {INCIDENT_STATUSES.map((st) => (
              <FilterPill
                key={st}
                label={title(st)}
                selected={statuses.includes(st)}
                onClick={() => update({ status: toggle(statuses, st), page: null })}
              />
            ))}
            <Text variant="bodySmall" color="secondary">
              Severity
            </Text>
            {INCIDENT_SEVERITIES.map((sev) => (
              <FilterPill
                key={sev}
                label={title(sev)}
                selected={severities.includes(sev)}
                onClick={() => update({ severity: toggle(severities, sev), page: null })}
              />
            ))}
            {me && (
              <FilterPill
                label="Assigned to me"
                icon="user"
                selected={assignee === me}
                onClick={() => update({ assignee: assignee === me ? null : me, page: null })}
              />
            )}
          </Stack>
          <Stack gap={1} wrap="wrap">
            <CommitInput
              aria-label="Label filter"
              placeholder="label=value"
              width={24}
              value={filter.label?.[0] ?? ''}
              onCommit={(label) => update({ label, page: null })}
            />
            <CommitInput
              aria-label="Search titles"
              placeholder="Search titles"
              prefixIcon="search"
              width={28}
              value={filter.q ?? ''}
              onCommit={(q) => update({ q, page: null })}
            />
          </Stack>
        </Stack>
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
      </div>

      <div className={styles.bulkBar}>
        <Stack gap={1} alignItems="center">
          <Text color="secondary">
            {selected.size ? `${selected.size} selected` : `${total} incident${total === 1 ? '' : 's'}`}
          </Text>
          <Button
            size="sm"
            icon="check"
            disabled={!canWrite || !selected.size || bulkBusy}
            tooltip={canWrite ? undefined : 'Acknowledging needs the Editor role'}
            onClick={() => runBulk('acknowledge')}
          >
            Acknowledge
          </Button>
          <Button
            size="sm"
            variant="secondary"
            icon="check-circle"
            disabled={!canWrite || !selected.size || bulkBusy}
            tooltip={canWrite ? undefined : 'Resolving needs the Editor role'}
            onClick={() => setResolving(true)}
          >
            Resolve…
          </Button>
        </Stack>
        <Stack gap={1}>
          <LinkButton
            size="sm"
            variant="secondary"
            icon="database"
            href={prefixHref(ROUTES.SlowQueries, { from: String(from), to: String(to) })}
          >
            Slow queries in this window
          </LinkButton>
          <Button
            size="sm"
            variant="secondary"
            icon="download-alt"
            disabled={!items?.length}
            onClick={exportCsv}
          >
            Export CSV
          </Button>
        </Stack>
      </div>
      {bulkMessage && (
        <Alert severity={bulkMessage.severity} title="" onRemove={() => setBulkMessage(undefined)}>
          {bulkMessage.text}
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
          <div data-testid={testIds.incidents.table}>
            <InteractiveTable<Incident>
              columns={columns}
              data={items}
              getRowId={(i: Incident) => String(i.id)}
            />
            <Pagination
              className={styles.pager}
              currentPage={page}
              numberOfPages={Math.max(1, Math.ceil(total / PAGE_SIZE))}
              onNavigate={(p) => update({ page: p === 1 ? null : String(p) })}
              hideWhenSinglePage
            />
          </div>
        )}
      </QueryState>

      {resolving && (
        <ResolveModal
          count={selected.size}
          onDismiss={() => setResolving(false)}
          onResolve={async (note) => {
            setResolving(false);
            await runBulk('resolve', note);
          }}
        />
      )}
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tiles: css({ display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap', marginBottom: theme.spacing(2) }),
  controls: css({
    display: 'flex',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  bulkBar: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(1),
  }),
  titleCell: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.25) }),
  pager: css({ marginTop: theme.spacing(1) }),
});
