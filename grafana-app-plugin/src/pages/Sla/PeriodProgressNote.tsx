import React from 'react';
import { Alert } from '@grafana/ui';
import type { SlaReport } from '../../api/types';
import { formatPercent, formatTime } from '../../utils/format';
import { periodTitle } from '../../utils/period';
import { periodProgress } from './periodProgress';

/** Says that a calendar period is still running and how much of it the numbers cover. */
export function PeriodProgressNote({ report }: { report: SlaReport }) {
  const progress = periodProgress(report);
  if (progress.complete) {
    return null;
  }
  return (
    <Alert
      severity="info"
      title={`In progress: ${formatPercent(progress.elapsed, 0)} of ${periodTitle(report.period.id)} elapsed`}
      data-testid="data-testid sla-in-progress"
    >
      The numbers cover {formatTime(report.period.from)} to {formatTime(report.period.to)}; the period ends{' '}
      {formatTime(progress.periodEnd)}. Its error budget is counted against the whole period, so what is left
      now must last until then.
    </Alert>
  );
}
