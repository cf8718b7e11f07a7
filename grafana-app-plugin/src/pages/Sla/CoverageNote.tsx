import React from 'react';
import { Alert } from '@grafana/ui';
import type { SlaCoverage } from '../../api/types';
import { formatCoverage, formatTime } from '../../utils/format';

/**
 * Says when Prometheus's data does not cover the whole period (retention shorter than the period,
 * or scraping that started late): the numbers then describe only the part it holds.
 */
export function CoverageNote({ coverage }: { coverage: SlaCoverage }) {
  if (coverage.complete) {
    return null;
  }
  const held =
    coverage.from && coverage.to
      ? `Prometheus holds ${formatTime(coverage.from)} to ${formatTime(coverage.to)}`
      : 'Prometheus holds no data of this period';
  return (
    <Alert
      severity="warning"
      title={`Data covers ${formatCoverage(coverage.ratio)} of the period`}
      data-testid="data-testid sla-coverage"
    >
      {held}; the numbers describe that part only.{coverage.reason ? ` ${coverage.reason}.` : ''}
    </Alert>
  );
}
