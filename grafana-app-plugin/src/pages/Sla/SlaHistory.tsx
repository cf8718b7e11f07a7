import React from 'react';
import { Alert, Text } from '@grafana/ui';
import type { SlaHistory as History, SlaHistoryMonth } from '../../api/types';
import { SlaStatusBadge } from '../../components/common/Badges';
import { QueryState } from '../../components/common/QueryState';
import { formatCoverage, formatPercent, formatTime } from '../../utils/format';
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

/** The month `n` months before a "2026-10" label, as a label. */
function monthsBefore(label: string, n: number): string {
  const [year, month] = label.split('-').map(Number);
  const index = year * 12 + (month - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * Which months are left out, with the time in the user's time zone: the exporter's note carries the UTC
 * instant (2026-12-06T14:04:14.187Z). Its months are the ones before the first month it kept (the
 * history's contract), so the note is rebuilt from those; the exporter's is shown when there is none.
 */
function leftOutNote(history: History): string | undefined {
  const first = history.months[0];
  const left = history.monthsRequested - history.months.length;
  if (!history.note || !first?.coverage.from || left <= 0) {
    return history.note;
  }
  const last = periodTitle(monthsBefore(first.period.label, 1));
  const months =
    left === 1 ? `${last} is` : `${periodTitle(monthsBefore(first.period.label, left))} to ${last} are`;
  return `Prometheus holds no data before ${formatTime(first.coverage.from)}: ${months} left out.`;
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
          {leftOutNote(history)}
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
