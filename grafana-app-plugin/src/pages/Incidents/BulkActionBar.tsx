import React, { type ReactNode } from 'react';
import { Button, Stack, Text } from '@grafana/ui';

interface Props {
  selectedCount: number;
  total: number;
  canWrite: boolean;
  busy: boolean;
  onAcknowledge: () => void;
  onResolve: () => void;
  /** Links and exports on the right. */
  children: ReactNode;
}

/** What is selected and what can be done to all of it at once. */
export function BulkActionBar({
  selectedCount,
  total,
  canWrite,
  busy,
  onAcknowledge,
  onResolve,
  children,
}: Props) {
  const disabled = !canWrite || !selectedCount || busy;
  return (
    <>
      <Stack gap={1} alignItems="center">
        <Text color="secondary">
          {selectedCount ? `${selectedCount} selected` : `${total} incident${total === 1 ? '' : 's'}`}
        </Text>
        <Button
          size="sm"
          icon="check"
          disabled={disabled}
          tooltip={canWrite ? undefined : 'Acknowledging needs the Editor role'}
          onClick={onAcknowledge}
        >
          Acknowledge
        </Button>
        <Button
          size="sm"
          variant="secondary"
          icon="check-circle"
          disabled={disabled}
          tooltip={canWrite ? undefined : 'Resolving needs the Editor role'}
          onClick={onResolve}
        >
          Resolve…
        </Button>
      </Stack>
      <Stack gap={1}>{children}</Stack>
    </>
  );
}
