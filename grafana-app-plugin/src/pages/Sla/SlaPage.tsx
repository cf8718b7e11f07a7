import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Button, LinkButton, Stack, Text } from '@grafana/ui';
import { Section, Sections, Toolbar } from '../../components/common/Layout';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatTime } from '../../utils/format';
import { periodTitle } from '../../utils/period';
import { prefixHref } from '../../utils/routing';
import { CoverageNote } from './CoverageNote';
import { PdfDownload } from './PdfDownload';
import { PeriodIncidents } from './PeriodIncidents';
import { PeriodPicker } from './PeriodPicker';
import { PeriodProgressNote } from './PeriodProgressNote';
import { exportSlaCsv } from './slaCsv';
import { SlaHistory } from './SlaHistory';
import { SlaTable } from './SlaTable';
import { usePeriod, useSlaReport } from './useSlaReport';

export default function SlaPage() {
  const [period, setPeriod] = usePeriod();
  const state = useSlaReport(period);
  const report = state.value;
  const summary = report ? report.summary : undefined;

  return (
    <PluginPage subTitle="Each endpoint's latency, errors and availability against its SLA, with the error budget left">
      <Toolbar align="stretch">
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
          <PdfDownload period={period} />
          <LinkButton
            variant="secondary"
            icon="document-info"
            href={prefixHref(`${ROUTES.Sla}/print`, { period })}
          >
            Print view
          </LinkButton>
          <Button variant="secondary" icon="sync" aria-label="Refresh" onClick={state.retry} />
        </Stack>
      </Toolbar>

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
          <Sections>
            <PeriodProgressNote report={report} period={period} />
            <CoverageNote coverage={report.coverage} />
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
            <Section title="Incidents in the period">
              <PeriodIncidents from={report.period.start} to={report.period.end} />
            </Section>
            <Section title="Month by month">
              <SlaHistory />
            </Section>
          </Sections>
        )}
      </QueryState>
    </PluginPage>
  );
}
