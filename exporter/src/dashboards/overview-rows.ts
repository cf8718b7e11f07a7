/**
 * The overview dashboard's lower rows: query performance, resources, recent alerts and the busiest
 * endpoints.
 */
import {
  appLink,
  type dashboard,
  mean,
  quantile,
  rate,
  row,
  sel,
  statPanel,
  tablePanel,
  thresholds,
  timelinePanel,
  timeseriesPanel,
  traffic,
  zeroFill,
} from './common';
import { metricNames } from './metric-names';

/** Firing alerts other than the always-on Watchdog (a dead man's switch, not a problem). */
export const FIRING = 'ALERTS{alertstate="firing", alertname!="Watchdog"}';

type Dashboard = ReturnType<typeof dashboard>;

/** What the overview's rows share: the metric names and the route selectors (all routes, 5xx only). */
export interface OverviewSelectors {
  m: ReturnType<typeof metricNames>;
  http: string;
  s: string;
  five: string;
}

export function queryAndResourceRows(d: Dashboard, { m }: OverviewSelectors): void {
  d.withRow(row('Query performance'))
    .withPanel(
      timeseriesPanel(
        'Query p95 by operation',
        [
          {
            expr: quantile(0.95, m.dbQueryDuration, sel(), ['db_system', 'operation']),
            legend: '{{db_system}} {{operation}}',
          },
        ],
        { unit: 's', w: 8 },
      ),
    )
    .withPanel(
      statPanel(
        'Slow queries',
        { expr: zeroFill(`sum(increase(${m.dbSlowQueries}${sel()}[$__range]))`) },
        {
          w: 4,
          h: 8,
          decimals: 0,
          description: 'Queries over the slow-query threshold in the selected time range.',
          thresholds: traffic(1, 50),
          links: [appLink('slowQueries')],
        },
      ),
    )
    .withPanel(
      statPanel(
        'N+1 detections',
        { expr: zeroFill(`sum(increase(${m.dbNPlusOne}${sel()}[$__range]))`) },
        {
          w: 4,
          h: 8,
          decimals: 0,
          description:
            'Requests or jobs that repeated one query fingerprint over the N+1 limit, in the selected range.',
          thresholds: traffic(1, 10),
          links: [appLink('slowQueries')],
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Slow queries/s and N+1 detections/s',
        [
          { expr: zeroFill(rate(m.dbSlowQueries, sel())), legend: 'slow queries' },
          { expr: zeroFill(rate(m.dbNPlusOne, sel())), legend: 'N+1 detections' },
        ],
        { unit: 'ops', w: 8, links: [appLink('slowQueries')] },
      ),
    );

  d.withRow(row('Resources'))
    .withPanel(
      timeseriesPanel(
        'Host CPU busy',
        [
          {
            expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
            legend: '{{instance}}',
          },
        ],
        { unit: 'percentunit', min: 0, max: 1, w: 6, thresholds: traffic(0.7, 0.85) },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Host memory used',
        [
          {
            expr: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
            legend: '{{instance}}',
          },
        ],
        { unit: 'percentunit', min: 0, max: 1, w: 6, thresholds: traffic(0.7, 0.8) },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Process CPU and memory',
        [
          {
            expr: `rate(process_cpu_seconds_total${sel()}[$__rate_interval])`,
            legend: 'CPU {{job}} {{instance}}',
          },
          { expr: `process_resident_memory_bytes${sel()}`, legend: 'RSS {{job}} {{instance}}' },
        ],
        { w: 6, description: 'CPU in cores (left), resident memory in bytes.' },
      ).overrideByRegexp('RSS.*', [
        { id: 'unit', value: 'bytes' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    )
    .withPanel(
      timeseriesPanel(
        'Event-loop lag p99 and DB pool use',
        [
          { expr: `nodejs_eventloop_lag_p99_seconds${sel()}`, legend: 'event-loop lag p99 {{job}}' },
          {
            expr: `sum by (job, pool) (${m.dbConnections}${sel({ extra: 'state="used"' })}) / sum by (job, pool) (${m.dbConnectionsMax}${sel()})`,
            legend: 'pool {{pool}} used',
          },
        ],
        { w: 6 },
      ).overrideByRegexp('pool.*', [
        { id: 'unit', value: 'percentunit' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    );
}

export function alertsAndTopEndpointsRow(d: Dashboard, { http, s, five }: OverviewSelectors): void {
  const top = `topk(10, ${rate(`${http}_count`, s, ['route'], '$__range')})`;
  d.withRow(row('Alerts and top endpoints'))
    .withPanel(
      timelinePanel(
        'Recent alerts',
        [
          {
            expr: `max by (alertname, severity, route) (${FIRING})`,
            legend: '{{alertname}} {{route}} ({{severity}})',
          },
        ],
        {
          w: 12,
          description: 'When each alert fired in the selected range. Open the Incidents page for details.',
          links: [appLink('incidents')],
          thresholds: thresholds([
            { value: null, color: 'transparent' },
            { value: 1, color: 'red' },
          ]),
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Top endpoints',
        [
          { expr: top },
          { expr: `${quantile(0.95, http, s, ['route'], '$__range')} and on (route) ${top}` },
          { expr: `${mean(http, s, ['route'], '$__range')} and on (route) ${top}` },
          {
            expr: `(${zeroFill(rate(`${http}_count`, five, ['route'], '$__range'), rate(`${http}_count`, s, ['route'], '$__range'))} / ${rate(`${http}_count`, s, ['route'], '$__range')}) and on (route) ${top}`,
          },
        ],
        ['Requests/s', 'p95', 'Mean', 'Error rate'],
        {
          w: 12,
          sortBy: 'Requests/s',
          description: 'The ten busiest routes in the selected range, with p95, mean and 5xx ratio.',
        },
      )
        .overrideByName('p95', [{ id: 'unit', value: 's' }])
        .overrideByName('Mean', [{ id: 'unit', value: 's' }])
        .overrideByName('Requests/s', [{ id: 'unit', value: 'reqps' }])
        .overrideByName('Error rate', [{ id: 'unit', value: 'percentunit' }]),
    );
}
