import React, { useMemo } from 'react';
import {
  Alert,
  Badge,
  InteractiveTable,
  LinkButton,
  LoadingPlaceholder,
  Stack,
  Text,
  type Column,
} from '@grafana/ui';
import type { CellProps } from 'react-table';
import { exploreHref } from '../../utils/explore';
import { capitalize } from '../../utils/format';
import type { SlaEndpointReport } from '../../api/types';
import type { BurnRateRow } from './burnRates';
import { errorBudgets } from './slaEndpoint';
import { Missed } from './Missed';
import { NoDatasource } from '../../components/common/NoDatasource';
import { useBurnRates } from './useBurnRates';

const burnText = (b: number | null) =>
  b === null ? 'no data yet' : `${b < 10 ? b.toFixed(2) : b.toFixed(1)}×`;

const STATE: Record<BurnRateRow['state'], { color: 'red' | 'orange' | 'green'; text: string }> = {
  firing: { color: 'red', text: 'Firing' },
  pending: { color: 'orange', text: 'Pending' },
  inactive: { color: 'green', text: 'Not firing' },
};

function columns(uid: string): Array<Column<BurnRateRow>> {
  const burnCell = (which: 'short' | 'long') =>
    function BurnCell({ row: { original: r } }: CellProps<BurnRateRow>) {
      const value = which === 'short' ? r.shortBurn : r.longBurn;
      return (
        <Stack gap={0.5} alignItems="center">
          <Missed missed={value !== null && value > r.factor}>{burnText(value)}</Missed>
          <LinkButton
            size="sm"
            variant="secondary"
            fill="text"
            icon="compass"
            aria-label={`Explore the ${which} window of the ${r.factor}× ${r.sli} tier`}
            tooltip={which === 'short' ? r.shortExpr : r.longExpr}
            href={exploreHref(uid, which === 'short' ? r.shortExpr : r.longExpr)}
          />
        </Stack>
      );
    };
  return [
    { id: 'sli', header: 'SLI', cell: ({ value }) => capitalize(value) },
    { id: 'severity', header: 'Severity', cell: ({ value }) => capitalize(value) },
    {
      id: 'windows',
      header: 'Long / short window',
      cell: ({ row: { original: r } }: CellProps<BurnRateRow>) => `${r.longWindow} / ${r.shortWindow}`,
    },
    { id: 'factor', header: 'Threshold', cell: ({ value }) => `${value}×` },
    { id: 'longBurn', header: 'Long-window burn', cell: burnCell('long') },
    { id: 'shortBurn', header: 'Short-window burn', cell: burnCell('short') },
    {
      id: 'state',
      header: 'Alert',
      cell: ({ row: { original: r } }: CellProps<BurnRateRow>) => (
        <Badge color={STATE[r.state].color} text={`${STATE[r.state].text}`} />
      ),
    },
  ];
}

/** Each burn-rate tier of the SLA: both windows' burn rate now against the tier's threshold. */
export function BurnRateTable({ endpoint }: { endpoint: SlaEndpointReport }) {
  const { configured, uid, state } = useBurnRates(endpoint.sla, errorBudgets(endpoint));
  const cols = useMemo(() => columns(uid ?? ''), [uid]);
  let body: React.ReactNode;
  if (!configured) {
    body = <NoDatasource what="the burn-rate tiers" />;
  } else if (state.error) {
    body = (
      <Alert severity="warning" title="Could not query Prometheus">
        {state.error.message}
      </Alert>
    );
  } else if (!state.value) {
    body = <LoadingPlaceholder text="Reading the alerting rules…" />;
  } else if (state.value.length === 0) {
    body = (
      <Text color="secondary" element="p">
        Prometheus has no burn-rate alerting rules for this SLA: load the generated alert-rules/*.yml into it.
      </Text>
    );
  } else {
    body = (
      <InteractiveTable
        columns={cols}
        data={state.value}
        getRowId={(r) => `${r.alertname}-${r.severity}-${r.factor}`}
      />
    );
  }
  return (
    <section data-testid="data-testid sla-burn-rates">
      <Text element="h3">Burn-rate alerts</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        A tier fires when both windows burn the error budget faster than its threshold (and its `for` has
        passed): the long window shows it is real, the short one that it is still happening.
      </Text>
      {body}
    </section>
  );
}
