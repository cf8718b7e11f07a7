import React, { useMemo } from 'react';
import { useParams } from 'react-router-dom';
import { useAsyncRetry } from 'react-use';
import { css } from '@emotion/css';
import {
  createDataFrame,
  dateTime,
  FieldColorModeId,
  FieldType,
  type DataFrame,
  type GrafanaTheme2,
  type TimeRange,
} from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  ClipboardButton,
  LinkButton,
  LoadingPlaceholder,
  Stack,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';
import { api } from '../../api/client';
import { matrixToFrames, queryRange, stepFor } from '../../api/prometheus';
import type { SlaEndpointReport, SlaMeasurement } from '../../api/types';
import { PriorityBadge, SlaStatusBadge } from '../../components/common/Badges';
import { Chart } from '../../components/common/Chart';
import { QueryState } from '../../components/common/QueryState';
import { StatTile } from '../../components/common/StatTile';
import { testIds } from '../../components/testIds';
import { PLUGIN_ID, ROUTES } from '../../constants';
import { formatDuration, formatMs, formatPercent } from '../../utils/format';
import { periodTitle } from '../../utils/period';
import { grafanaHref, prefixHref } from '../../utils/routing';
import { useSettings } from '../../utils/settings';
import { PeriodIncidents } from './PeriodIncidents';
import { PeriodPicker, usePeriod } from './SlaPage';
import { endpointLabel, latencyTarget, thresholdMs, toMs } from './SlaTable';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The label matcher that selects one SLA endpoint's requests. */
export function endpointSelector(e: SlaEndpointReport, extra = ''): string {
  const parts = [`route="${escapeLabel(e.route)}"`];
  if (e.method) {
    parts.push(`method="${escapeLabel(e.method)}"`);
  }
  if (extra) {
    parts.push(extra);
  }
  return `{${parts.join(',')}}`;
}

/**
 * PromQL for the charts, over the raw request histogram so they work with or without recording rules;
 * only for the objectives the SLA sets.
 */
export function chartQueries(e: SlaEndpointReport) {
  const metric = 'http_server_request_duration_seconds';
  const all = endpointSelector(e);
  const errors = endpointSelector(e, 'status_code=~"5.."');
  const q = e.latency.target?.quantile ?? null;
  const threshold = e.latency.target?.thresholdSeconds ?? null;
  const errorRate = e.errors.target?.maxRatio ?? null;
  const queries: { latency?: string; errorBurn?: string; latencyBurn?: string } = {};
  if (q !== null) {
    queries.latency = `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket${all}[5m])))`;
  }
  if (errorRate !== null) {
    queries.errorBurn = `(sum(rate(${metric}_count${errors}[1h])) or vector(0)) / sum(rate(${metric}_count${all}[1h])) / ${errorRate}`;
  }
  if (q !== null && threshold !== null) {
    const le = endpointSelector(e, `le="${threshold}"`);
    queries.latencyBurn = `(1 - sum(rate(${metric}_bucket${le}[1h])) / sum(rate(${metric}_count${all}[1h]))) / ${Math.max(1e-9, 1 - q)}`;
  }
  return queries;
}

function constantFrame(name: string, value: number, range: TimeRange, unit?: string): DataFrame {
  return createDataFrame({
    name,
    fields: [
      { name: 'Time', type: FieldType.time, values: [range.from.valueOf(), range.to.valueOf()] },
      {
        name,
        type: FieldType.number,
        values: [value, value],
        config: {
          unit,
          color: { mode: FieldColorModeId.Fixed, fixedColor: 'text' },
          custom: { lineStyle: { fill: 'dash', dash: [10, 10] } },
        },
      },
    ],
  });
}

function Charts({ endpoint, from, to }: { endpoint: SlaEndpointReport; from: number; to: number }) {
  const { prometheusDatasourceUid } = useSettings();
  const range = useMemo<TimeRange>(() => {
    const f = dateTime(from);
    const t = dateTime(to);
    return { from: f, to: t, raw: { from: f, to: t } };
  }, [from, to]);
  const queries = chartQueries(endpoint);
  const state = useAsyncRetry(async () => {
    if (!prometheusDatasourceUid) {
      return undefined;
    }
    const step = stepFor(from, to);
    const run = (expr: string | undefined) =>
      expr ? queryRange(prometheusDatasourceUid, expr, from, to, step) : Promise.resolve(undefined);
    const [latency, errorBurn, latencyBurn] = await Promise.all([
      run(queries.latency),
      run(queries.errorBurn),
      run(queries.latencyBurn),
    ]);
    const q = Math.round((endpoint.latency.target?.quantile ?? 0) * 100);
    const threshold = thresholdMs(endpoint);
    return {
      latency: [
        ...(latency ? matrixToFrames(latency, () => `p${q}`, 'ms', 1000, 'orange') : []),
        ...(threshold !== null ? [constantFrame('target', threshold, range, 'ms')] : []),
      ],
      burn: [
        ...(errorBurn ? matrixToFrames(errorBurn, () => 'error budget burn (1h)', 'x', 1, 'red') : []),
        ...(latencyBurn
          ? matrixToFrames(latencyBurn, () => 'latency budget burn (1h)', 'x', 1, 'orange')
          : []),
        constantFrame('1× = budget used exactly by period end', 1, range, 'x'),
      ],
    };
  }, [prometheusDatasourceUid, endpoint.sla, from, to]);

  if (!prometheusDatasourceUid) {
    return (
      <Alert severity="info" title="No Prometheus datasource selected">
        Pick the Prometheus datasource on the{' '}
        <TextLink href={grafanaHref(`/plugins/${PLUGIN_ID}`)} inline>
          app configuration page
        </TextLink>{' '}
        to see latency and burn-rate charts here.
      </Alert>
    );
  }
  if (state.error) {
    return (
      <Alert severity="warning" title="Could not query Prometheus">
        {state.error.message}
      </Alert>
    );
  }
  if (!state.value) {
    return <LoadingPlaceholder text="Querying Prometheus…" />;
  }
  return (
    <div>
      <Text element="h4">
        {endpoint.latency.target !== null
          ? `p${Math.round(endpoint.latency.target.quantile * 100)} latency against the target`
          : 'p95 latency (the SLA sets no latency target)'}
      </Text>
      <Chart frames={state.value.latency} timeRange={range} testId="data-testid sla-latency-chart" />
      <Text element="h4">Burn rate</Text>
      <Text color="secondary" variant="bodySmall" element="p">
        How fast the error budget is being spent: above 1× it runs out before the period ends; 14.4× over an
        hour is the fastest paging tier.
      </Text>
      <Chart frames={state.value.burn} timeRange={range} testId="data-testid sla-burn-chart" />
    </div>
  );
}

/** Every number of the endpoint's report that carries PromQL, named for a person. */
export function promqlOf(e: SlaEndpointReport): Array<[string, string]> {
  const numbers: Array<[string, SlaMeasurement | null | undefined]> = [
    ['Requests', e.requests],
    ['p50 latency', e.latency.p50],
    ['p95 latency', e.latency.p95],
    ['p99 latency', e.latency.p99],
    ['Error rate', e.errors.rate],
    ['Latency compliance', e.latency.compliance],
    ['Latency budget remaining', e.latency.budgetRemaining?.ratio],
    ['Error budget remaining', e.errors.budgetRemaining?.ratio],
    ['Availability', e.availability?.value],
    ['Availability budget remaining', e.availability?.budgetRemaining?.ratio],
  ];
  return numbers.flatMap(([label, m]) => (m ? [[label, m.promql] as [string, string]] : []));
}

export default function SlaEndpointPage() {
  const styles = useStyles2(getStyles);
  const { name = '' } = useParams<{ name: string }>();
  const [period, setPeriod] = usePeriod();
  const state = useAsyncRetry(() => api.slaReport(period), [period]);
  const endpoint = state.value?.endpoints.find((e) => e.sla === name);
  const from = state.value ? new Date(state.value.period.start).getTime() : 0;
  const to = state.value ? new Date(state.value.period.end).getTime() : 0;

  return (
    <PluginPage
      pageNav={{
        text: name,
        url: prefixHref(`${ROUTES.Sla}/endpoint/${encodeURIComponent(name)}`, { period }),
      }}
      subTitle={`SLA of ${name} · ${periodTitle(period)}`}
    >
      <div className={styles.controls}>
        <LinkButton
          variant="secondary"
          fill="text"
          icon="arrow-left"
          href={prefixHref(ROUTES.Sla, { period })}
        >
          All endpoints
        </LinkButton>
        <PeriodPicker period={period} onChange={setPeriod} />
      </div>
      <QueryState
        loading={state.loading && !state.value}
        error={state.error}
        empty={Boolean(state.value && !endpoint)}
        emptyMessage={`No SLA named "${name}" in this report`}
        errorTitle="Could not load the SLA report"
        loadingText="Computing the SLA report…"
        onRetry={state.retry}
      >
        {endpoint && (
          <div className={styles.sections} data-testid={testIds.sla.detail}>
            <Stack gap={1} alignItems="center">
              <Text element="h2">{endpoint.sla}</Text>
              <Text color="secondary">{endpointLabel(endpoint)}</Text>
              <PriorityBadge priority={endpoint.priority} />
              <SlaStatusBadge status={endpoint.status} />
            </Stack>
            <Stack gap={1} wrap="wrap">
              <StatTile title="Latency target" value={latencyTarget(endpoint)} />
              <StatTile
                title="Actual p95"
                value={formatMs(toMs(endpoint.latency.p95.value))}
                description={`p50 ${formatMs(toMs(endpoint.latency.p50.value))} · p99 ${formatMs(toMs(endpoint.latency.p99.value))}`}
              />
              <StatTile
                title="Latency compliance"
                value={formatPercent(endpoint.latency.compliance?.value, 2)}
                description={`target ${formatPercent(endpoint.latency.target?.quantile)}`}
              />
              <StatTile
                title="Error rate"
                value={formatPercent(endpoint.errors.rate.value, 2)}
                description={`target < ${formatPercent(endpoint.errors.target?.maxRatio, 2)}`}
              />
              <StatTile
                title="Availability"
                value={formatPercent(endpoint.availability?.value.value, 3)}
                description={`target ${formatPercent(endpoint.availability?.target, 2)}`}
              />
              <StatTile
                title="Budget left"
                value={formatPercent(endpoint.budgetRemaining.ratio)}
                description={
                  endpoint.budgetRemaining.minutes === null
                    ? undefined
                    : `${formatDuration(Math.max(0, endpoint.budgetRemaining.minutes) * 60)} of full outage`
                }
              />
            </Stack>

            <section>
              <Charts endpoint={endpoint} from={from} to={to} />
            </section>

            <section>
              <Text element="h3">How each number is computed</Text>
              <Text color="secondary" variant="bodySmall" element="p">
                The exporter evaluates these PromQL expressions over the period; paste one into Explore to
                check a number.
              </Text>
              <div className={styles.promql}>
                {promqlOf(endpoint).map(([label, expr]) => (
                  <div key={label} className={styles.promqlRow}>
                    <Stack justifyContent="space-between" alignItems="center">
                      <strong>{label}</strong>
                      <ClipboardButton
                        size="sm"
                        variant="secondary"
                        fill="text"
                        icon="copy"
                        getText={() => expr}
                      >
                        Copy
                      </ClipboardButton>
                    </Stack>
                    <pre className={styles.code}>{expr}</pre>
                  </div>
                ))}
              </div>
            </section>

            <section>
              <Text element="h3">Incidents on this route in the period</Text>
              <PeriodIncidents
                from={state.value!.period.start}
                to={state.value!.period.end}
                label={`route=${endpoint.route}`}
              />
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
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  sections: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3) }),
  promql: css({ display: 'grid', gap: theme.spacing(1) }),
  promqlRow: css({
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    margin: 0,
  }),
});
