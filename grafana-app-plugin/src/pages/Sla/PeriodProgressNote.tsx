import React from 'react';
import { Alert } from '@grafana/ui';
import type { SlaReport } from '../../api/types';
import { formatPercent, formatTime } from '../../utils/format';
import { periodTitle } from '../../utils/period';

/** Says that a calendar period is still running and how much of it the numbers cover. */
export function PeriodProgressNote({ report, period }: { report: SlaReport; period: string }) {
  const { complete, elapsedSeconds, durationSeconds, start, end, periodEnd } = report.period;
  if (complete) {
    return null;
  }
  const elapsed = durationSeconds > 0 ? Math.min(1, elapsedSeconds / durationSeconds) : 1;
  return (
    <Alert
      severity="info"
      title={`In progress: ${formatPercent(elapsed, 0)} of ${periodTitle(period)} elapsed`}
      data-testid="data-testid sla-in-progress"
    >
      The numbers cover {formatTime(start)} to {formatTime(end)}; the period ends {formatTime(periodEnd)}. Its
      error budget is counted against the whole period, so what is left now must last until then.
    </Alert>
  );
}
