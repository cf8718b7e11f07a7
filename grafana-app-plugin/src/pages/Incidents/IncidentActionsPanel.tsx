import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Dropdown, Field, Menu, RadioButtonGroup, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { api } from '../../api/client';
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  type IncidentDetail,
  type IncidentSeverity,
  type IncidentStatus,
} from '../../api/types';
import { currentUserLogin } from '../../hooks/usePermissions';
import { capitalize } from '../../utils/format';
import { AssigneePicker } from './AssigneePicker';

const SILENCE_OPTIONS = [
  { label: '30 minutes', value: 30 },
  { label: '1 hour', value: 60 },
  { label: '2 hours', value: 120 },
  { label: '4 hours', value: 240 },
  { label: '8 hours', value: 480 },
  { label: '24 hours', value: 1440 },
];

type Act = (name: string, call: () => Promise<unknown>) => Promise<boolean>;

interface Props {
  i: IncidentDetail;
  act: Act;
  canWrite: boolean;
  busy: boolean;
  silenced: boolean;
  onResolve: () => void;
}

function ActionButtons({ i, act, canWrite, busy, silenced, onResolve }: Props) {
  const writeTip = canWrite ? undefined : 'Needs the Editor role';
  const disabled = !canWrite || busy;
  const resolved = i.status === 'resolved';
  return (
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
        onClick={onResolve}
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
          tooltip={canWrite ? "Creates an Alertmanager silence for this incident's alerts" : writeTip}
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
        tooltip={canWrite ? 'Records slow queries, error rate, pools, CPU and memory now' : writeTip}
        onClick={() => act('diagnostics', () => api.takeDiagnostics(i.id))}
      >
        Take diagnostics
      </Button>
    </Stack>
  );
}

function Fields({ i, act, disabled }: { i: IncidentDetail; act: Act; disabled: boolean }) {
  const me = currentUserLogin();
  const resolved = i.status === 'resolved';
  return (
    <Stack gap={2} wrap="wrap" alignItems="flex-end">
      <Field label="Status" noMargin>
        <RadioButtonGroup<IncidentStatus>
          aria-label="Status"
          disabled={disabled}
          options={INCIDENT_STATUSES.filter((s) => s !== 'resolved' || resolved).map((s) => ({
            label: capitalize(s),
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
          options={INCIDENT_SEVERITIES.map((s) => ({ label: capitalize(s), value: s }))}
          value={i.severity}
          onChange={(s) => s !== i.severity && act('severity change', () => api.setSeverity(i.id, s))}
        />
      </Field>
      <Stack gap={0.5} alignItems="flex-end">
        <Field label="Assignee" noMargin>
          <AssigneePicker
            value={i.assignee}
            disabled={disabled}
            onChange={(login) => act('assignment', () => api.assign(i.id, login))}
          />
        </Field>
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
    </Stack>
  );
}

function NoteForm({ i, act, disabled }: { i: IncidentDetail; act: Act; disabled: boolean }) {
  const [note, setNote] = useState('');
  return (
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
  );
}

/** Everything a responder can do to an incident, disabled for those who may not. */
export function IncidentActionsPanel(props: Props) {
  const styles = useStyles2(getStyles);
  const disabled = !props.canWrite || props.busy;
  return (
    <section className={styles.actions} aria-label="Actions">
      <ActionButtons {...props} />
      <Fields i={props.i} act={props.act} disabled={disabled} />
      <NoteForm i={props.i} act={props.act} disabled={disabled} />
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
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
