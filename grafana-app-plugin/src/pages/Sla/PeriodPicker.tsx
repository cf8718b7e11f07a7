import React from 'react';
import { RadioButtonGroup, Select, Stack } from '@grafana/ui';
import { periodKind, recentMonths, recentQuarters, type PeriodKind } from '../../utils/period';

const KIND_OPTIONS: Array<{ label: string; value: PeriodKind }> = [
  { label: '7 days', value: 'rolling7' },
  { label: '30 days', value: 'rolling30' },
  { label: 'Calendar month', value: 'month' },
  { label: 'Quarter', value: 'quarter' },
];

/** The period picker: rolling windows, or a calendar month or quarter chosen from a list. */
export function PeriodPicker({ period, onChange }: { period: string; onChange: (p: string) => void }) {
  const kind = periodKind(period);
  const months = recentMonths();
  const quarters = recentQuarters();
  return (
    <Stack gap={1} alignItems="center">
      <RadioButtonGroup<PeriodKind>
        aria-label="Period"
        options={KIND_OPTIONS}
        value={kind}
        onChange={(k) =>
          onChange(
            k === 'rolling7'
              ? '7d'
              : k === 'rolling30'
                ? '30d'
                : k === 'month'
                  ? months[0].value
                  : quarters[0].value,
          )
        }
      />
      {kind === 'month' && (
        <Select
          aria-label="Month"
          width={20}
          options={months}
          value={period}
          onChange={(o) => o.value && onChange(o.value)}
        />
      )}
      {kind === 'quarter' && (
        <Select
          aria-label="Quarter"
          width={14}
          options={quarters}
          value={period}
          onChange={(o) => o.value && onChange(o.value)}
        />
      )}
    </Stack>
  );
}
