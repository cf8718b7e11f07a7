import React from 'react';
import { useAsyncRetry } from 'react-use';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Button, LinkButton, RadioButtonGroup, Select, Stack, Text, useStyles2 } from '@grafana/ui';
import { api } from '../../api/client';
import type { SlaReport } from '../../api/types';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { downloadText, toCsv } from '../../utils/csv';
import { formatTime } from '../../utils/format';
import {
  isValidPeriod,
  periodKind,
  periodTitle,
  recentMonths,
  recentQuarters,
  type PeriodKind,
} from '../../utils/period';
import { prefixHref } from '../../utils/routing';
import { PeriodIncidents } from './PeriodIncidents';
import { SLA_CSV_HEADER, SlaTable, slaCsvRow, sortEndpoints } from './SlaTable';

const KIND_OPTIONS: Array<{ label: string; value: PeriodKind }> = [
  { label: '7 days', value: 'rolling7' },
  { label: '30 days', value: 'rolling30' },
  { label: 'Calendar month', value: 'month' },
  { label: 'Quarter', value: 'quarter' },
];

export function usePeriod(): [string, (period: string) => void] {
  const [params, update] = useUrlQuery();
  const raw = params.get('period');
  const period = isValidPeriod(raw) ? raw : '30d';
  return [period, (p: string) => update({ period: p === '30d' ? null : p })];
}

export function slaSummary(report: SlaReport) {
  return report.summary;
}

export function exportSlaCsv(report: SlaReport, period: string) {
  downloadText(
    `sla-report-${period}.csv`,
    toCsv(SLA_CSV_HEADER, sortEndpoints(report.endpoints).map(slaCsvRow)),
  );
}

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

export default function SlaPage() {
  const styles = useStyles2(getStyles);
  const [period, setPeriod] = usePeriod();
  const state = useAsyncRetry(() => api.slaReport(period), [period]);
  const report = state.value;
  const summary = report ? slaSummary(report) : undefined;

  return (
    <PluginPage subTitle="Each endpoint's latency, errors and availability against its SLA, with the error budget left">
      <div className={styles.controls}>
        <PeriodPicker period={period} onChange={setPeriod} />
        <Stack gap={1}>
          <Button
            variant="secondary"
            icon="download-alt"
            disabled={!report?.endpoints.length}
            onClick={() => report && exportSlaCsv(report, period)}
          >
            Export CSV
          </Button>
          <LinkButton
            variant="secondary"
            icon="document-info"
            href={prefixHref(`${ROUTES.Sla}/print`, { period })}
          >
            Print view
          </LinkButton>
          <Button variant="secondary" icon="sync" aria-label="Refresh" onClick={state.retry} />
        </Stack>
      </div>

      <QueryState
        loading={state.loading && !report}
        error={state.error}
        empty={Boolean(report && report.endpoints.length === 0)}
        errorTitle="Could not load the SLA report"
        loadingText="Computing the SLA report…"
        emptyMessage="No SLAs configured"
        emptyHint={
          <Text color="secondary" element="p">
            Add endpoints to the sla section of perfwatch.yml; the report then reads their numbers from
            Prometheus.
          </Text>
        }
        onRetry={state.retry}
      >
        {report && summary && (
          <div className={styles.sections}>
            <Stack gap={1} wrap="wrap">
              <StatTile
                title={periodTitle(period)}
                value={
                  <Text variant="body">{`${formatTime(report.period.start)} → ${formatTime(report.period.end)}`}</Text>
                }
              />
              <StatTile title="Meeting" value={<Text color="success">{summary.meeting}</Text>} />
              <StatTile title="At risk" value={<Text color="warning">{summary.atRisk}</Text>} />
              <StatTile title="Breaching" value={<Text color="error">{summary.breaching}</Text>} />
              {summary.noData > 0 && <StatTile title="No data" value={summary.noData} />}
            </Stack>
            <div data-testid={testIds.sla.table}>
              <SlaTable endpoints={report.endpoints} period={period} />
            </div>
            <section>
              <Text element="h3">Incidents in the period</Text>
              <PeriodIncidents from={report.period.start} to={report.period.end} />
            </section>
          </div>
        )}
      </QueryState>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  controls: css({
    display: 'flex',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  sections: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
});
