import React from 'react';
import { useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text } from '@grafana/ui';
import { PriorityBadge, SlaStatusBadge } from '../../components/common/Badges';
import { BackLink, Section, Sections, Toolbar } from '../../components/common/Layout';
import { QueryState } from '../../components/common/QueryState';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { periodTitle } from '../../utils/period';
import { prefixHref } from '../../utils/routing';
import { BurnRateTable } from './BurnRateTable';
import { CoverageNote } from './CoverageNote';
import { PeriodIncidents } from './PeriodIncidents';
import { PeriodPicker } from './PeriodPicker';
import { PeriodProgressNote } from './PeriodProgressNote';
import { PromqlList } from './PromqlList';
import { reportPromql } from './slaPromql';
import { SlaBurndown } from './SlaBurndown';
import { SlaCharts } from './SlaCharts';
import { endpointLabel } from './slaEndpoint';
import { SlaNumbers } from './SlaNumbers';
import { useAbsoluteRange } from './useSlaCharts';
import { usePeriod, useSlaReport } from './useSlaReport';

export default function SlaEndpointPage() {
  const { name = '' } = useParams<{ name: string }>();
  const [period, setPeriod] = usePeriod();
  const state = useSlaReport(period);
  const report = state.value;
  const endpoint = report?.endpoints.find((e) => e.sla === name);
  const range = useAbsoluteRange(
    report ? new Date(report.period.start).getTime() : 0,
    report ? new Date(report.period.end).getTime() : 0,
  );

  return (
    <PluginPage
      pageNav={{
        text: name,
        url: prefixHref(`${ROUTES.Sla}/endpoint/${encodeURIComponent(name)}`, { period }),
      }}
      subTitle={`SLA of ${name} · ${periodTitle(period)}`}
    >
      <Toolbar>
        <BackLink href={prefixHref(ROUTES.Sla, { period })}>All endpoints</BackLink>
        <PeriodPicker period={period} onChange={setPeriod} />
      </Toolbar>
      <QueryState
        loading={state.loading && !report}
        error={state.error}
        empty={Boolean(report && !endpoint)}
        emptyMessage={`No SLA named "${name}" in this report`}
        errorTitle="Could not load the SLA report"
        loadingText="Computing the SLA report…"
        onRetry={state.retry}
      >
        {report && endpoint && (
          <Sections testId={testIds.sla.detail}>
            <Stack gap={1} alignItems="center">
              <Text element="h2">{endpoint.sla}</Text>
              <Text color="secondary">{endpointLabel(endpoint)}</Text>
              <PriorityBadge priority={endpoint.priority} />
              <SlaStatusBadge status={endpoint.status} />
            </Stack>
            <PeriodProgressNote report={report} period={period} />
            <CoverageNote coverage={report.coverage} />
            <SlaNumbers endpoint={endpoint} />
            <section>
              <SlaCharts endpoint={endpoint} range={range} />
            </section>
            <SlaBurndown period={period} sla={endpoint.sla} range={range} />
            <BurnRateTable endpoint={endpoint} />
            <PromqlList
              promql={reportPromql(endpoint)}
              range={{ from: String(range.from.valueOf()), to: String(range.to.valueOf()) }}
            />
            <Section title="Incidents on this route in the period">
              <PeriodIncidents
                from={report.period.start}
                to={report.period.end}
                label={`route=${endpoint.route}`}
              />
            </Section>
          </Sections>
        )}
      </QueryState>
    </PluginPage>
  );
}
