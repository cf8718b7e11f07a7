import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, LinkButton, LoadingPlaceholder, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import type { IncidentDetail } from '../../api/types';
import { Chart } from '../../components/common/Chart';
import { CodeBlock } from '../../components/common/CodeBlock';
import { NoDatasource } from '../../components/common/NoDatasource';
import { exploreHref } from '../../utils/explore';
import { formatTime } from '../../utils/format';
import { alertQueries, type AlertQuery } from './alertQuery';
import { incidentWindow } from './incidentText';
import { MAX_SERIES, useAlertQueryGraph } from './useAlertQueryGraph';

export const ALERT_GRAPH_TEST_ID = 'data-testid inc-alert-graph';

function ExpressionGraph({
  query,
  from,
  to,
}: {
  query: Extract<AlertQuery, { kind: 'expr' }>;
  from: number;
  to: number;
}) {
  const styles = useStyles2(getStyles);
  const { uid, range, state } = useAlertQueryGraph(query.expr, from, to);
  return (
    <div className={styles.query}>
      <Stack justifyContent="space-between" alignItems="center">
        <strong>{query.alertname}</strong>
        {uid && (
          <LinkButton
            size="sm"
            variant="secondary"
            fill="text"
            icon="compass"
            href={exploreHref(uid, query.expr, { from: String(from), to: String(to) })}
            aria-label={`Explore the query of ${query.alertname}`}
          >
            Explore
          </LinkButton>
        )}
      </Stack>
      <CodeBlock code={query.expr} />
      {!uid ? (
        <NoDatasource what="the alert's query as a graph" />
      ) : state.error ? (
        <Alert severity="warning" title="Could not query Prometheus">
          {state.error.message}
        </Alert>
      ) : !state.value ? (
        <LoadingPlaceholder text="Querying Prometheus…" />
      ) : state.value.total === 0 ? (
        <Text color="secondary" element="p">
          Prometheus has no data for this expression between {formatTime(from)} and {formatTime(to)}.
        </Text>
      ) : (
        <>
          {state.value.total > MAX_SERIES && (
            <Text color="secondary" variant="bodySmall" element="p">
              Showing {MAX_SERIES} of {state.value.total} series; open it in Explore to see them all.
            </Text>
          )}
          <Chart frames={state.value.frames} timeRange={range} testId="data-testid inc-alert-chart" />
        </>
      )}
    </div>
  );
}

function Unusable({ query }: { query: Exclude<AlertQuery, { kind: 'expr' }> }) {
  if (query.kind === 'none') {
    return (
      <Text color="secondary" element="p">
        {query.alertname}: the alert carries no generator URL, so there is no query to graph.
      </Text>
    );
  }
  return (
    <Text color="secondary" element="p">
      {query.alertname}: the alert&apos;s{' '}
      <TextLink href={query.source} external inline>
        source link
      </TextLink>{' '}
      cannot be graphed: {query.reason}.
    </Text>
  );
}

/**
 * The query behind each of the incident's alerts, over the incident's window (from a little before
 * it started to its end or now), with a link to explore it further. Nothing for an incident opened
 * by hand (it has no alerts).
 */
export function AlertQueryGraphs({ incident }: { incident: IncidentDetail }) {
  // "Now" moves with each new state of the incident (the page reads it again every 30 s), not with
  // every render: a window that changed on each render would query Prometheus without end.
  const { from, to } = useMemo(() => {
    const w = incidentWindow(incident, Date.now());
    return { from: Number(w.from), to: Number(w.to) };
  }, [incident]);
  const queries = useMemo(() => alertQueries(incident.alerts ?? []), [incident.alerts]);
  if (queries.length === 0) {
    return null;
  }
  return (
    <div data-testid={ALERT_GRAPH_TEST_ID}>
      <Text element="h4">Alert query</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        The expression Prometheus evaluated for the alert, from 15 minutes before the incident started to{' '}
        {incident.resolvedAt ? 'just after it was resolved' : 'now'}.
      </Text>
      <Stack direction="column" gap={2}>
        {queries.map((q) =>
          q.kind === 'expr' ? (
            <ExpressionGraph key={`e:${q.expr}`} query={q} from={from} to={to} />
          ) : (
            <Unusable key={`${q.kind}:${q.alertname}`} query={q} />
          ),
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  query: css({
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
