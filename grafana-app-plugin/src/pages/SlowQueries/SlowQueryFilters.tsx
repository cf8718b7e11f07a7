import React from 'react';
import { RadioButtonGroup, Stack } from '@grafana/ui';
import type { SlowQueryFilter } from '../../api/types';
import { CommitInput } from '../../components/common/CommitInput';

const OPERATIONS = ['', 'SELECT', 'INSERT', 'UPDATE', 'DELETE'];

const TEXT_FILTERS: Array<{
  key: 'q' | 'database' | 'route';
  'aria-label': string;
  placeholder: string;
  width: number;
  prefixIcon?: 'search';
}> = [
  { key: 'q', 'aria-label': 'Search SQL', placeholder: 'Search SQL text', width: 30, prefixIcon: 'search' },
  { key: 'database', 'aria-label': 'Database', placeholder: 'Database or system', width: 20 },
  { key: 'route', 'aria-label': 'Route or job', placeholder: 'Route or queue:job', width: 24 },
];

interface Props {
  filter: SlowQueryFilter;
  onChange: (patch: Record<string, string | undefined>) => void;
}

/**
 * SQL text, database, route and operation filters; each commit is one URL change. The service is
 * set from its facet or a group's row (a few names, where a text box would widen the toolbar).
 */
export function SlowQueryFilters({ filter, onChange }: Props) {
  return (
    <Stack gap={1} wrap="wrap" alignItems="center">
      {TEXT_FILTERS.map(({ key, ...input }) => (
        <CommitInput
          key={key}
          {...input}
          value={filter[key] ?? ''}
          onCommit={(v) => onChange({ [key]: v })}
        />
      ))}
      <RadioButtonGroup
        aria-label="Operation"
        options={OPERATIONS.map((o) => ({ label: o || 'All', value: o }))}
        value={filter.operation ?? ''}
        onChange={(operation) => onChange({ operation })}
      />
    </Stack>
  );
}
