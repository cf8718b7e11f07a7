import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Stack, Text } from '@grafana/ui';
import { BackLink, Section, Sections, Toolbar } from '../../components/common/Layout';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { formatCount, formatMs } from '../../utils/format';
import { prefixHref } from '../../utils/routing';
import { RequestFingerprints, RequestQueries } from './RequestTables';
import { useRequestSamples } from './useRequestSamples';

const HINT =
  "Its samples may be past the store's retention, or all of its queries were faster than the slow-query threshold.";

/**
 * One request's (or job's) slow queries across fingerprints, in the order they ran: where an N+1
 * loop shows as many queries of one fingerprint, one after the other.
 */
export default function SlowQueryRequestPage() {
  const { requestId, state, samples: r, summary } = useRequestSamples();
  return (
    <PluginPage
      pageNav={{ text: 'Request', url: prefixHref(ROUTES.SlowQueryRequest, { id: requestId }) }}
      subTitle={requestId ? `Slow queries of request ${requestId}` : 'Slow queries of one request'}
    >
      <Toolbar>
        <BackLink href={prefixHref(ROUTES.SlowQueries)}>All slow queries</BackLink>
      </Toolbar>
      <QueryState
        loading={state.loading && !r}
        error={requestId ? state.error : new Error('No request id in the address (?id=…).')}
        empty={!!r && r.items.length === 0}
        emptyMessage={`No stored slow query carries request id ${requestId}`}
        emptyHint={HINT}
        errorTitle="Could not load the request's queries"
        loadingText="Loading the request's queries…"
        onRetry={state.retry}
      >
        {r && summary && (
          <Sections testId={testIds.slowQueries.request}>
            <Stack gap={1} wrap="wrap" alignItems="center">
              <StatTile title="Slow queries" value={formatCount(r.total)} />
              <StatTile title="Time in them" value={formatMs(summary.totalMs)} />
              <StatTile title="Fingerprints" value={formatCount(r.fingerprints.length)} />
              <StatTile title="First to last" value={formatMs(summary.spanMs)} />
              {summary.nPlusOne && <Badge color="orange" icon="exclamation-triangle" text="N+1 pattern" />}
            </Stack>
            {r.total > r.items.length && (
              <Alert
                severity="info"
                title={`Showing the first ${r.items.length} of ${r.total} stored queries`}
              >
                The time, the fingerprints and the tables below cover the queries shown.
              </Alert>
            )}
            <Section title="By fingerprint">
              <RequestFingerprints rows={r.fingerprints} window={summary.window} />
            </Section>
            <Section title="Queries in the order they ran">
              <Text color="secondary" variant="bodySmall" element="p">
                Only queries over the slow-query threshold, and those of an N+1 loop, are stored.
              </Text>
              <RequestQueries rows={r.items} window={summary.window} />
            </Section>
          </Sections>
        )}
      </QueryState>
    </PluginPage>
  );
}
