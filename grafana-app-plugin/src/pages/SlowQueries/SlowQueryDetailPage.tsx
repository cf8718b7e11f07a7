import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Badge, ClipboardButton, LinkButton, Stack, Text } from '@grafana/ui';
import type { SlowQueryDetail } from '../../api/types';
import { Chart } from '../../components/common/Chart';
import { CodeBlock } from '../../components/common/CodeBlock';
import { BackLink, Sections, Toolbar } from '../../components/common/Layout';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatCount, formatMs, formatTime } from '../../utils/format';
import { DASHBOARDS, dashboardHref, prefixHref } from '../../utils/routing';
import { rangeToUrl } from '../../utils/time';
import { ExplainPanel } from './ExplainPanel';
import { PeriodComparison } from './PeriodComparison';
import { Issuers, SampleTabs } from './SampleTables';
import { useSlowQueryDetail } from './useSlowQueryDetail';

function Numbers({ d }: { d: SlowQueryDetail }) {
  return (
    <Stack gap={1} wrap="wrap">
      <StatTile title="Executions" value={formatCount(d.count)} />
      <StatTile title="Total time" value={`${d.totalSeconds.toFixed(2)} s`} />
      <StatTile title="Mean" value={formatMs(d.meanMs)} />
      <StatTile title="p95" value={formatMs(d.p95Ms)} />
      <StatTile title="Max" value={formatMs(d.maxMs)} />
      <StatTile
        title="First / last seen"
        value={<Text variant="body">{formatTime(d.lastSeen)}</Text>}
        description={`first ${formatTime(d.firstSeen)}`}
      />
    </Stack>
  );
}

function Statement({ d, sql }: { d: SlowQueryDetail; sql: string }) {
  return (
    <section>
      <Stack justifyContent="space-between" alignItems="center">
        <Stack gap={1} alignItems="center">
          <Text element="h3">Statement</Text>
          <Text color="secondary">
            {d.dbSystem}
            {d.database ? ` · ${d.database}` : ''} · {d.operation}
          </Text>
          {d.nPlusOne && <Badge color="orange" icon="exclamation-triangle" text="N+1 pattern seen" />}
        </Stack>
        <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => sql}>
          Copy SQL
        </ClipboardButton>
      </Stack>
      <CodeBlock code={sql} framed testId={testIds.slowQueries.sql} />
    </section>
  );
}

export default function SlowQueryDetailPage() {
  const {
    id,
    state,
    detail: d,
    frames,
    previous,
    sql,
    range,
    update,
    backQuery,
    windowQuery,
  } = useSlowQueryDetail();
  return (
    <PluginPage
      pageNav={{ text: id, url: prefixHref(`${ROUTES.SlowQueries}/${id}`) }}
      subTitle={`Fingerprint ${id}`}
    >
      <Toolbar>
        <BackLink href={prefixHref(ROUTES.SlowQueries, backQuery)}>All slow queries</BackLink>
        <TimeRangeControl range={range} onChange={update} />
      </Toolbar>
      <QueryState
        loading={state.loading && !d}
        error={state.error}
        empty={false}
        emptyMessage=""
        errorTitle="Could not load this fingerprint"
        loadingText="Loading the fingerprint…"
        onRetry={state.retry}
      >
        {d && (
          <Sections testId={testIds.slowQueries.detail}>
            <Numbers d={d} />
            <PeriodComparison now={d} previous={previous} />
            <Statement d={d} sql={sql} />
            <ExplainPanel fingerprintId={id} database={d.database} />
            <section>
              <Text element="h3">Latency over time</Text>
              <Text color="secondary" variant="bodySmall" element="p">
                Per {Math.round(d.bucketSeconds / 60) || 1}-minute bucket, from the captured samples.
              </Text>
              <Chart frames={frames} timeRange={range} testId={testIds.slowQueries.chart} />
            </section>
            <SampleTabs detail={d} />
            <Issuers detail={d} />
            <Stack gap={1}>
              <LinkButton variant="secondary" icon="fire" href={prefixHref(ROUTES.Incidents, windowQuery)}>
                Incidents in this window
              </LinkButton>
              {/* The database dashboard has no variable for the database (only job and instance). */}
              <LinkButton
                variant="secondary"
                icon="apps"
                href={dashboardHref(DASHBOARDS.database, rangeToUrl(range))}
                tooltip="The Perfwatch / Database dashboard for the same time window"
              >
                Database dashboard
              </LinkButton>
              <LinkButton variant="secondary" icon="file-alt" href={prefixHref(ROUTES.Sla)}>
                SLA report
              </LinkButton>
            </Stack>
          </Sections>
        )}
      </QueryState>
    </PluginPage>
  );
}
