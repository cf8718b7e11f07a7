import React from 'react';
import { FilterPill, Stack, Text } from '@grafana/ui';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../api/types';
import { CommitInput } from '../../components/common/CommitInput';
import { currentUserLogin } from '../../hooks/usePermissions';
import { capitalize } from '../../utils/format';
import type { IncidentParams } from './useIncidentList';

const toggle = (values: string[], value: string) =>
  values.includes(value) ? values.filter((v) => v !== value) : [...values, value];

interface PillGroupProps {
  label: string;
  values: readonly string[];
  selected: string[];
  onChange: (selected: string[]) => void;
}

/** A labelled row of filter pills, any number of them on. */
function PillGroup({ label, values, selected, onChange }: PillGroupProps) {
  return (
    <>
      <Text variant="bodySmall" color="secondary">
        {label}
      </Text>
      {values.map((v) => (
        <FilterPill
          key={v}
          label={capitalize(v)}
          selected={selected.includes(v)}
          onClick={() => onChange(toggle(selected, v))}
        />
      ))}
    </>
  );
}

/** Status and severity pills, "assigned to me", a label matcher and a title search, all in the URL. */
export function IncidentFilters({ statuses, severities, filter, update }: IncidentParams) {
  const me = currentUserLogin();
  const assignee = filter.assignee;
  return (
    <Stack direction="column" gap={1}>
      <Stack gap={0.5} wrap="wrap" alignItems="center">
        <PillGroup
          label="Status"
          values={INCIDENT_STATUSES}
          selected={statuses}
          onChange={(status) => update({ status, page: null })}
        />
        <PillGroup
          label="Severity"
          values={INCIDENT_SEVERITIES}
          selected={severities}
          onChange={(severity) => update({ severity, page: null })}
        />
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
  );
}
