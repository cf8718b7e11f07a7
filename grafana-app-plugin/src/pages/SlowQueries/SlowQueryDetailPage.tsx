import React, { useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useAsyncRetry } from 'react-use';
import { css } from '@emotion/css';
import { createDataFrame, FieldColorModeId, FieldType, type GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Badge,
  ClipboardButton,
  InteractiveTable,
  LinkButton,
  Stack,
  Tab,
  TabsBar,
  Text,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps } from 'react-table';
import { api } from '../../api/client';
import type { SlowQueryDetail, SlowQuerySample } from '../../api/types';
import { Chart } from '../../components/common/Chart';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { TimeRangeControl } from '../../components/common/TimeRangeControl';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { useUrlQuery } from '../../hooks/useUrlQuery';
import { formatCount, formatMs, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { formatSql } from '../../utils/sql';
import { parseRange } from '../../utils/time';

/** Latency per time bucket as frames for the chart (milliseconds). */
export function timelineFrames(detail: SlowQueryDetail) {
  const times = detail.timeline.map((b) => new Date(b.start).getTime());
  // Fixed colours: outside a panel nothing assigns palette colours per series.
  const ms = (name: string, values: number[], color: string) => ({
    name,
    type: FieldType.number,
    values,
    config: {
      unit: 'ms',
      color: { mode: FieldColorModeId.Fixed, fixedColor: color },
      custom: { pointSize: 4, showPoints: 'always', spanNulls: false },
    },
  });
  return [
    createDataFrame({
      name: 'latency',
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        ms(
          'p95',
          detail.timeline.map((b) => b.p95Ms),
          'orange',
        ),
        ms(
          'mean',
          detail.timeline.map((b) => b.meanMs),
          'blue',
        ),
        ms(
          'max',
          detail.timeline.map((b) => b.maxMs),
          'red',
        ),
      ],
    }),
  ];
}

function SamplesTable({ samples }: { samples: SlowQuerySample[] }) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<SlowQuerySample>>>(
    () => [
      { id: 'capturedAt', header: 'Captured', cell: ({ value }) => formatTime(value) },
      { id: 'durationMs', header: 'Duration', cell: ({ value }) => formatMs(value) },
      {
        id: 'route',
        header: 'Route or job',
        cell: ({ row: { original: s } }: CellProps<SlowQuerySample>) => (
          <Stack gap={0.5} alignItems="center">
            <span>{s.route}</span>
            {s.nPlusOne && <Badge color="orange" text="N+1" />}
            {s.error && <Badge color="red" text="error" />}
          </Stack>
        ),
      },
      { id: 'callSite', header: 'Call site', cell: ({ value }) => (value ? <code>{value}</code> : '–') },
      {
        id: 'sample',
        header: 'Statement (redacted)',
        cell: ({ value }) => (
          <span className={styles.sampleSql} title={value}>
            {value}
          </span>
        ),
      },
    ],
    [styles],
  );
  if (samples.length === 0) {
    return <Text color="secondary">No samples.</Text>;
  }
  return (
    <InteractiveTable<SlowQuerySample>
      columns={columns}
      data={samples}
      getRowId={(s: SlowQuerySample) =>
        `${s.capturedAt}-${s.durationMs}-${s.requestId ?? ''}-${s.callSite ?? ''}`
      }
    />
  );
}

export default function SlowQueryDetailPage() {
  const styles = useStyles2(getStyles);
  const { id = '' } = useParams<{ id: string }>();
  const [params, update] = useUrlQuery();
  const { range, from, to } = parseRange(params.get('from'), params.get('to'));
  const [tab, setTab] = useState<'newest' | 'slowest'>('slowest');
  const filter = {
    from,
    to,
    database: params.get('database') || undefined,
    route: params.get('route') || undefined,
    operation: params.get('operation') || undefined,
  };
  const state = useAsyncRetry(() => api.slowQuery(id, filter), [id, params.toString()]);
  const d = state.value;
  const frames = useMemo(() => (d ? timelineFrames(d) : []), [d]);
  const sql = useMemo(() => (d ? formatSql(d.fingerprint, d.dbSystem) : ''), [d]);
  const backQuery = Object.fromEntries(params.entries());
  const windowQuery = { from: String(from), to: String(to) };

  return (
    <PluginPage
      pageNav={{ text: id, url: prefixHref(`${ROUTES.SlowQueries}/${id}`) }}
      subTitle={`Fingerprint ${id}`}
    >
      <div className={styles.controls}>
        <LinkButton
          variant="secondary"
          fill="text"
          icon="arrow-left"
          href={prefixHref(ROUTES.SlowQueries, backQuery)}
        >
          All slow queries
        </LinkButton>
        <TimeRangeControl range={range} onChange={update} />
      </div>
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
          <div data-testid={testIds.slowQueries.detail} className={styles.sections}>
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
              <pre className={styles.sql} data-testid={testIds.slowQueries.sql}>
                {sql}
              </pre>
            </section>

            <section>
              <Text element="h3">Latency over time</Text>
              <Text color="secondary" variant="bodySmall" element="p">
                Per {Math.round(d.bucketSeconds / 60) || 1}-minute bucket, from the captured samples.
              </Text>
              <Chart frames={frames} timeRange={range} testId={testIds.slowQueries.chart} />
            </section>

            <section>
              <TabsBar>
                <Tab
                  label={`Slowest (${d.slowest.length})`}
                  active={tab === 'slowest'}
                  onChangeTab={() => setTab('slowest')}
                />
                <Tab
                  label={`Newest (${d.newest.length})`}
                  active={tab === 'newest'}
                  onChangeTab={() => setTab('newest')}
                />
              </TabsBar>
              <div className={styles.tabContent}>
                <SamplesTable samples={tab === 'slowest' ? d.slowest : d.newest} />
              </div>
            </section>

            <div className={styles.columns}>
              <section>
                <Text element="h3">Issued by</Text>
                <InteractiveTable
                  columns={[
                    { id: 'route', header: 'Route or job' },
                    { id: 'count', header: 'Count', cell: ({ value }) => formatCount(value) },
                    {
                      id: 'totalSeconds',
                      header: 'Total',
                      cell: ({ value }) => `${Number(value).toFixed(2)} s`,
                    },
                  ]}
                  data={d.routes}
                  getRowId={(r: { route: string }) => r.route}
                />
              </section>
              <section>
                <Text element="h3">Call sites</Text>
                {d.callSites.length === 0 ? (
                  <Text color="secondary" element="p">
                    None recorded: queries sent through the ingestion API carry no stack.
                  </Text>
                ) : (
                  <InteractiveTable
                    columns={[
                      { id: 'callSite', header: 'File:line', cell: ({ value }) => <code>{value}</code> },
                      { id: 'count', header: 'Count', cell: ({ value }) => formatCount(value) },
                    ]}
                    data={d.callSites}
                    getRowId={(r: { callSite: string }) => r.callSite}
                  />
                )}
              </section>
            </div>

            <Stack gap={1}>
              <LinkButton variant="secondary" icon="fire" href={prefixHref(ROUTES.Incidents, windowQuery)}>
                Incidents in this window
              </LinkButton>
              <LinkButton variant="secondary" icon="file-alt" href={prefixHref(ROUTES.Sla)}>
                SLA report
              </LinkButton>
            </Stack>
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
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  }),
  sections: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
  sql: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5),
    marginTop: theme.spacing(1),
    whiteSpace: 'pre-wrap',
    maxHeight: 360,
    overflow: 'auto',
  }),
  sampleSql: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'block',
    maxWidth: 520,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  tabContent: css({ paddingTop: theme.spacing(1) }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(360px, 1fr))',
    gap: theme.spacing(3),
  }),
});
