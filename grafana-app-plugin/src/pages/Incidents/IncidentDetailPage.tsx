import React, { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useAsyncRetry } from 'react-use';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Dropdown,
  Field,
  Input,
  LinkButton,
  Menu,
  RadioButtonGroup,
  Stack,
  TagList,
  Text,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import { api } from '../../api/client';
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentDetail,
  type IncidentSeverity,
  type IncidentStatus,
} from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/common/Badges';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { currentUserLogin, useCanWrite } from '../../hooks/usePermissions';
import { formatDuration, formatTime } from '../../utils/format';
import { DASHBOARDS, dashboardHref, prefixHref } from '../../utils/routing';
import { alertSummary } from './IncidentsPage';
import { AlertsTable } from './AlertsTable';
import { ResolveModal } from './ResolveModal';
import { Timeline } from './Timeline';

const SILENCE_OPTIONS = [
  { label: '30 minutes', value: 30 },
  { label: '1 hour', value: 60 },
  { label: '2 hours', value: 120 },
  { label: '4 hours', value: 240 },
  { label: '8 hours', value: 480 },
  { label: '24 hours', value: 1440 },
];

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The window to look at around an incident: from 15 minutes before it started until it ended. */
export function incidentWindow(i: { startedAt: string; resolvedAt: string | null }, now = Date.now()) {
  const from = new Date(i.startedAt).getTime() - 15 * 60_000;
  const to = i.resolvedAt ? new Date(i.resolvedAt).getTime() + 5 * 60_000 : now;
  return { from: String(from), to: String(Math.min(to, now)) };
}

const isIncident = (v: unknown): v is Incident =>
  typeof v === 'object' && v !== null && 'status' in v && 'severity' in v && 'id' in v;

export default function IncidentDetailPage() {
  const styles = useStyles2(getStyles);
  const { id: idParam = '' } = useParams<{ id: string }>();
  const id = Number(idParam);
  const canWrite = useCanWrite();
  const me = currentUserLogin();
  const loaded = useAsyncRetry(() => api.incident(id), [id]);
  const [incident, setIncident] = useState<IncidentDetail | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const [assignee, setAssignee] = useState('');
  const [note, setNote] = useState('');
  const [resolving, setResolving] = useState(false);

  useEffect(() => {
    if (loaded.value) {
      setIncident(loaded.value);
      setAssignee(loaded.value.assignee ?? '');
    }
  }, [loaded.value]);

  /**
   * Runs an action and shows its result at once. Actions answer with the incident's new state
   * (without alerts and timeline); the full incident is read again for the new timeline entry.
   */
  const act = async (name: string, call: () => Promise<unknown>) => {
    setBusy(name);
    setActionError(undefined);
    try {
      const updated = await call();
      if (isIncident(updated)) {
        setIncident((current) => (current ? { ...current, ...updated } : current));
        setAssignee(updated.assignee ?? '');
      }
    } catch (e) {
      setActionError(`${title(name)} failed: ${e instanceof Error ? e.message : String(e)}`);
      setBusy(undefined);
      return false;
    }
    // The action is done; only the refresh of the timeline can fail now, and saying the action
    // failed would invite a second, duplicate one.
    try {
      const full = await api.incident(id);
      setIncident(full);
      setAssignee(full.assignee ?? '');
    } catch (e) {
      setActionError(
        `${title(name)} done, but the incident could not be read again (${e instanceof Error ? e.message : String(e)}); reload to see the timeline.`,
      );
    } finally {
      setBusy(undefined);
    }
    return true;
  };

  const i = incident;
  const writeTip = canWrite ? undefined : 'Needs the Editor role';
  const disabled = !canWrite || Boolean(busy);
  const resolved = i?.status === 'resolved';
  const silenced = Boolean(i?.silencedUntil && new Date(i.silencedUntil).getTime() > Date.now());

  return (
    <PluginPage
      // Breadcrumbs: Perfwatch › Incidents › #42 (Grafana appends pageNav to the app's page).
      pageNav={{ text: `#${idParam}`, url: prefixHref(`${ROUTES.Incidents}/${idParam}`) }}
      subTitle={i ? `Incident ${i.id} · ${i.source}` : undefined}
    >
      <div className={styles.back}>
        <LinkButton variant="secondary" fill="text" icon="arrow-left" href={prefixHref(ROUTES.Incidents)}>
          All incidents
        </LinkButton>
      </div>
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
          <div data-testid={testIds.incidents.detail} className={styles.sections}>
            <div>
              <Stack gap={1} alignItems="center" wrap="wrap">
                <Text element="h2">{i.title}</Text>
                <StatusBadge status={i.status} />
                <SeverityBadge severity={i.severity} />
              </Stack>
              {Object.keys(i.labels ?? {}).length > 0 && (
                <div className={styles.labels}>
                  <TagList
                    className={styles.tags}
                    tags={Object.entries(i.labels).map(([k, v]) => `${k}=${v}`)}
                  />
                </div>
              )}
            </div>

            {(i.description || i.resolutionNote) && (
              <div>
                {i.description && <Text element="p">{i.description}</Text>}
                {i.resolutionNote && (
                  <Text element="p" color="secondary">
                    Resolution: {i.resolutionNote}
                    {i.resolvedBy ? ` (${i.resolvedBy})` : ''}
                  </Text>
                )}
              </div>
            )}

            <Stack gap={1} wrap="wrap">
              <StatTile title="Started" value={<Text variant="body">{formatTime(i.startedAt)}</Text>} />
              <StatTile title={resolved ? 'Lasted' : 'Open for'} value={formatDuration(i.durationSeconds)} />
              <StatTile
                title="Acknowledged"
                value={<Text variant="body">{i.acknowledgedBy ?? 'not yet'}</Text>}
                description={i.acknowledgedAt ? formatTime(i.acknowledgedAt) : undefined}
              />
              <StatTile title="Assignee" value={<Text variant="body">{i.assignee ?? 'nobody'}</Text>} />
              <StatTile title="Alerts" value={<Text variant="body">{alertSummary(i)}</Text>} />
              {silenced && (
                <StatTile
                  title="Silenced until"
                  value={<Text variant="body">{formatTime(i.silencedUntil)}</Text>}
                />
              )}
            </Stack>

            {actionError && (
              <Alert severity="error" title="Action failed" onRemove={() => setActionError(undefined)}>
                {actionError}
              </Alert>
            )}

            <section className={styles.actions} aria-label="Actions">
              <Stack gap={1} wrap="wrap" alignItems="flex-end">
                {i.acknowledgedBy ? (
                  <Button
                    variant="secondary"
                    icon="times"
                    disabled={disabled || resolved}
                    tooltip={writeTip}
                    onClick={() => act('unacknowledge', () => api.unacknowledge(i.id))}
                  >
                    Unacknowledge
                  </Button>
                ) : (
                  <Button
                    icon="check"
                    disabled={disabled || resolved}
                    tooltip={writeTip}
                    onClick={() => act('acknowledge', () => api.acknowledge(i.id))}
                  >
                    Acknowledge
                  </Button>
                )}
                <Button
                  variant="secondary"
                  icon="check-circle"
                  disabled={disabled || resolved}
                  tooltip={writeTip}
                  onClick={() => setResolving(true)}
                >
                  Resolve…
                </Button>
                <Dropdown
                  overlay={
                    <Menu>
                      {SILENCE_OPTIONS.map((o) => (
                        <Menu.Item
                          key={o.value}
                          label={o.label}
                          onClick={() => act('silence', () => api.silence(i.id, o.value))}
                        />
                      ))}
                    </Menu>
                  }
                >
                  <Button
                    variant="secondary"
                    icon="bell-slash"
                    disabled={disabled || resolved || !i.alertCounts?.firing}
                    tooltip={
                      canWrite ? "Creates an Alertmanager silence for this incident's alerts" : writeTip
                    }
                  >
                    Silence for…
                  </Button>
                </Dropdown>
                {silenced && (
                  <Button
                    variant="secondary"
                    icon="bell"
                    disabled={disabled}
                    tooltip={writeTip}
                    onClick={() => act('unsilence', () => api.unsilence(i.id))}
                  >
                    Unsilence
                  </Button>
                )}
                <Button
                  variant="secondary"
                  icon="vial"
                  disabled={disabled}
                  tooltip={
                    canWrite ? 'Records slow queries, error rate, pools, CPU and memory now' : writeTip
                  }
                  onClick={() => act('diagnostics', () => api.takeDiagnostics(i.id))}
                >
                  Take diagnostics
                </Button>
              </Stack>
              <Stack gap={2} wrap="wrap" alignItems="flex-end">
                <Field label="Status" noMargin>
                  <RadioButtonGroup<IncidentStatus>
                    aria-label="Status"
                    disabled={disabled}
                    options={INCIDENT_STATUSES.filter((s) => s !== 'resolved' || resolved).map((s) => ({
                      label: title(s),
                      value: s,
                    }))}
                    value={i.status}
                    onChange={(s) => s !== i.status && act('status change', () => api.setStatus(i.id, s))}
                  />
                </Field>
                <Field label="Severity" noMargin>
                  <RadioButtonGroup<IncidentSeverity>
                    aria-label="Severity"
                    disabled={disabled}
                    options={INCIDENT_SEVERITIES.map((s) => ({ label: title(s), value: s }))}
                    value={i.severity}
                    onChange={(s) =>
                      s !== i.severity && act('severity change', () => api.setSeverity(i.id, s))
                    }
                  />
                </Field>
                <Field label="Assignee" noMargin>
                  <Stack gap={0.5}>
                    <Input
                      aria-label="Assignee"
                      width={20}
                      value={assignee}
                      disabled={disabled}
                      placeholder="login"
                      onChange={(e) => setAssignee(e.currentTarget.value)}
                    />
                    <Button
                      variant="secondary"
                      disabled={disabled || assignee.trim() === (i.assignee ?? '')}
                      onClick={() => act('assignment', () => api.assign(i.id, assignee.trim() || null))}
                    >
                      Assign
                    </Button>
                    {me && i.assignee !== me && (
                      <Button
                        variant="secondary"
                        fill="text"
                        disabled={disabled}
                        onClick={() => act('assignment', () => api.assign(i.id, me))}
                      >
                        Assign to me
                      </Button>
                    )}
                  </Stack>
                </Field>
              </Stack>
              <Field label="Add a note" noMargin>
                <Stack gap={1} alignItems="flex-start">
                  <TextArea
                    aria-label="Note"
                    rows={2}
                    value={note}
                    disabled={disabled}
                    onChange={(e) => setNote(e.currentTarget.value)}
                    placeholder="What you found or did"
                  />
                  <Button
                    variant="secondary"
                    icon="comment-alt"
                    disabled={disabled || !note.trim()}
                    onClick={async () => {
                      if (await act('note', () => api.addNote(i.id, note.trim()))) {
                        setNote('');
                      }
                    }}
                  >
                    Add note
                  </Button>
                </Stack>
              </Field>
            </section>

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

            <section>
              <Text element="h3">Alerts</Text>
              <AlertsTable alerts={i.alerts ?? []} />
            </section>

            <section data-testid={testIds.incidents.timeline}>
              <Text element="h3">Timeline</Text>
              <Timeline events={i.timeline ?? []} truncated={i.timelineTruncated} />
            </section>
          </div>
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

const getStyles = (theme: GrafanaTheme2) => ({
  back: css({ marginBottom: theme.spacing(2) }),
  sections: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
  labels: css({ marginTop: theme.spacing(1), display: 'flex' }),
  // TagList aligns right by default (it is made for table cells).
  tags: css({ justifyContent: 'flex-start' }),
  actions: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
