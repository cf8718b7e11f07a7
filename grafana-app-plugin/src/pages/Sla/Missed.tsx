import React from 'react';
import { Text } from '@grafana/ui';

/** A number in the error colour when it misses its objective, as it is everywhere on the SLA pages. */
export function Missed({ missed, children }: { missed: boolean; children: string }) {
  return missed ? (
    <span data-missed="true">
      <Text color="error">{children}</Text>
    </span>
  ) : (
    <>{children}</>
  );
}
