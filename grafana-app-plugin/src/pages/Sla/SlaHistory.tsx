import React from 'react';
import { Alert, Text } from '@grafana/ui';
import type { SlaHistoryMonth } from '../../api/types';
import { SlaStatusBadge } from '../../components/common/Badges';
import { QueryState } from '../../components/common/QueryState';
import { formatCoverage, formatPercent } from '../../utils/format';
import { periodTitle } from '../../utils/period';
import { useSlaHistory } from './useSlaViews';

function MonthRow({ month, slas }: { month: SlaHistoryMonth; slas: string[] }) {
  const { coverage } = month;
  return (
    <tr>
      <th scope="row">{periodTitle(month.period.label)}</th>
      <td>
        {coverage.complete ? (
          formatPercent(coverage.ratio, 0)
        ) : (
          <Text color="warning" title={coverage.reason}>
            {`${formatCoverage(coverage.ratio)} covered`}
          </Text>
        )}
      </td>
      {slas.map((sla) => {
        const e = month.endpoints.find((x) => x.sla === sla);
        const left = e?.budgetRemaining.ratio ?? null;
        return (
          <td key={sla}>
            {e ? <SlaStatusBadge status={e.status} /> : '–'}{' '}
            {left !== null && <Text color={left < 0 ? 'error' : undefined}>{formatPercent(left)} left</Text>}
          </td>
        );
      })}
    </tr>
  );
}

/** Each SLA month by month, saying where Prometheus's data does not cover a month. */
export function SlaHistory({ months = 12 }: { months?: number }) {
  const state = useSlaHistory(months);
  const history = state.value;
  const slas = [...new Set(history?.months.flatMap((m) => m.endpoints.map((e) => e.sla)) ?? [])];
  return (
    <div data-testid="data-testid sla-history">
      {history?.note && (
        <Alert severity="info" title="Not every month has data">
          {history.note}
        </Alert>
      )}
      <QueryState
        loading={state.loading && !history}
        error={state.error}
        empty={Boolean(history && history.months.length === 0)}
        errorTitle="Could not load the month-by-month history"
        loadingText="Computing each month…"
        emptyMessage="No month with data yet"
        onRetry={state.retry}
      >
        {history && (
          <table className="filter-table">
            <thead>
              <tr>
                <th>Month</th>
                <th>Data coverage</th>
                {slas.map((sla) => (
                  <th key={sla}>{sla}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...history.months].reverse().map((m) => (
                <MonthRow key={m.period.start} month={m} slas={slas} />
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </div>
  );
}
