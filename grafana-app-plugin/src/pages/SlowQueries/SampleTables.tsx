import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  InteractiveTable,
  Stack,
  Tab,
  TabsBar,
  Text,
  TextLink,
  useStyles2,
  type Column,
} from '@grafana/ui';
import type { CellProps } from 'react-table';
import type { SlowQueryDetail, SlowQuerySample } from '../../api/types';
import { CodeLine } from '../../components/common/CodeBlock';
import { ROUTES } from '../../constants';
import { formatCount, formatMs, formatTime } from '../../utils/format';
import { prefixHref } from '../../utils/routing';

const SAMPLE_COLUMNS: Array<Column<SlowQuerySample>> = [
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
  {
    // The request's other queries, across fingerprints: how an N+1 loop shows.
    id: 'requestId',
    header: 'Request',
    cell: ({ value }) =>
      value ? (
        <TextLink href={prefixHref(ROUTES.SlowQueryRequest, { id: value })} inline={false}>
          {value}
        </TextLink>
      ) : (
        '–'
      ),
  },
  { id: 'callSite', header: 'Call site', cell: ({ value }) => (value ? <code>{value}</code> : '–') },
  {
    id: 'sample',
    header: 'Statement (redacted)',
    cell: ({ value }) => <CodeLine code={value} maxWidth={520} />,
  },
];

function SamplesTable({ samples }: { samples: SlowQuerySample[] }) {
  if (samples.length === 0) {
    return <Text color="secondary">No samples.</Text>;
  }
  return (
    <InteractiveTable<SlowQuerySample>
      columns={SAMPLE_COLUMNS}
      data={samples}
      getRowId={(s: SlowQuerySample) =>
        `${s.capturedAt}-${s.durationMs}-${s.requestId ?? ''}-${s.callSite ?? ''}`
      }
    />
  );
}

/** The slowest and the newest samples, one tab each. */
export function SampleTabs({ detail }: { detail: SlowQueryDetail }) {
  const styles = useStyles2(getStyles);
  const [tab, setTab] = useState<'newest' | 'slowest'>('slowest');
  return (
    <section>
      <TabsBar>
        <Tab
          label={`Slowest (${detail.slowest.length})`}
          active={tab === 'slowest'}
          onChangeTab={() => setTab('slowest')}
        />
        <Tab
          label={`Newest (${detail.newest.length})`}
          active={tab === 'newest'}
          onChangeTab={() => setTab('newest')}
        />
      </TabsBar>
      <div className={styles.tabContent}>
        <SamplesTable samples={tab === 'slowest' ? detail.slowest : detail.newest} />
      </div>
    </section>
  );
}

/** The routes or jobs that issue the statement, and the call sites in the app's code. */
export function Issuers({ detail }: { detail: SlowQueryDetail }) {
  const styles = useStyles2(getStyles);
  const routeColumns = useMemo<Array<Column<SlowQueryDetail['routes'][number]>>>(
    () => [
      { id: 'route', header: 'Route or job' },
      { id: 'count', header: 'Count', cell: ({ value }) => formatCount(value) },
      { id: 'totalSeconds', header: 'Total', cell: ({ value }) => `${Number(value).toFixed(2)} s` },
    ],
    [],
  );
  return (
    <div className={styles.columns}>
      <section>
        <Text element="h3">Issued by</Text>
        <InteractiveTable columns={routeColumns} data={detail.routes} getRowId={(r) => r.route} />
      </section>
      <section>
        <Text element="h3">Call sites</Text>
        {detail.callSites.length === 0 ? (
          <Text color="secondary" element="p">
            None recorded: queries sent through the ingestion API carry no stack.
          </Text>
        ) : (
          <InteractiveTable
            columns={[
              { id: 'callSite', header: 'File:line', cell: ({ value }) => <code>{value}</code> },
              { id: 'count', header: 'Count', cell: ({ value }) => formatCount(value) },
            ]}
            data={detail.callSites}
            getRowId={(r: { callSite: string }) => r.callSite}
          />
        )}
      </section>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tabContent: css({ paddingTop: theme.spacing(1) }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(360px, 1fr))',
    gap: theme.spacing(3),
  }),
});
