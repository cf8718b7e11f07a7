import {
  appLink,
  dashboard,
  mean,
  quantile,
  rate,
  row,
  sel,
  tablePanel,
  timeseriesPanel,
  zeroFill,
} from './common';
import { metricNames } from './metric-names';

export function databaseDashboard() {
  const m = metricNames();
  const s = sel();
  const d = dashboard(
    'perfwatch-database',
    'Perfwatch / Database',
    'Query latency and volume, slow queries, N+1 detections and connection pools. Fingerprints and SQL are on the Slow queries page.',
    { anchor: `${m.dbQueries}` },
  );

  d.withRow(row('Queries'))
    .withPanel(
      timeseriesPanel(
        'Queries/s by operation and outcome',
        [
          {
            expr: rate(m.dbQueries, s, ['db_system', 'operation', 'status']),
            legend: '{{db_system}} {{operation}} {{status}}',
          },
        ],
        { unit: 'ops' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Query latency',
        [
          { expr: quantile(0.5, m.dbQueryDuration, s, ['db_system']), legend: 'p50 {{db_system}}' },
          { expr: quantile(0.95, m.dbQueryDuration, s, ['db_system']), legend: 'p95 {{db_system}}' },
          { expr: quantile(0.99, m.dbQueryDuration, s, ['db_system']), legend: 'p99 {{db_system}}' },
          { expr: mean(m.dbQueryDuration, s, ['db_system']), legend: 'mean {{db_system}}' },
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'p95 by operation',
        [
          {
            expr: quantile(0.95, m.dbQueryDuration, s, ['db_system', 'operation']),
            legend: '{{db_system}} {{operation}}',
          },
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Query errors/s',
        [
          {
            expr: zeroFill(rate(m.dbQueries, sel({ extra: 'status="error"' }), ['db_system', 'operation'])),
            legend: '{{db_system}} {{operation}}',
          },
        ],
        { unit: 'ops' },
      ),
    );

  d.withRow(row('Slow queries and N+1'))
    .withPanel(
      timeseriesPanel(
        'Slow queries/s',
        [
          {
            expr: zeroFill(rate(m.dbSlowQueries, s, ['db_system', 'operation'])),
            legend: '{{db_system}} {{operation}}',
          },
        ],
        {
          unit: 'ops',
          w: 8,
          links: [appLink('slowQueries')],
          description:
            'Queries over the slow-query threshold; the Slow queries page shows their fingerprints.',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'N+1 detections/s by route',
        [{ expr: zeroFill(rate(m.dbNPlusOne, s, ['route'])), legend: '{{route}}' }],
        { unit: 'ops', w: 8, links: [appLink('slowQueries')] },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Queries per request p95 by route',
        [{ expr: quantile(0.95, m.dbQueriesPerRequest, s, ['route']), legend: '{{route}}' }],
        { w: 8, description: 'A route whose count climbs with its data is an N+1 candidate.' },
      ),
    )
    .withPanel(
      tablePanel(
        'Routes by queries per request',
        [
          { expr: mean(m.dbQueriesPerRequest, s, ['route'], '$__range') },
          { expr: quantile(0.95, m.dbQueriesPerRequest, s, ['route'], '$__range') },
          {
            expr: `${zeroFill(`sum by (route) (increase(${m.dbNPlusOne}${s}[$__range]))`, `sum by (route) (increase(${m.dbQueriesPerRequest}_count${s}[$__range]))`)}`,
          },
        ],
        ['Mean queries', 'p95 queries', 'N+1 detections'],
        { w: 24, h: 7, sortBy: 'Mean queries' },
      ),
    );

  d.withRow(row('Connection pools'))
    .withPanel(
      timeseriesPanel(
        'Connections by state',
        [
          { expr: `sum by (db_system, pool, state) (${m.dbConnections}${s})`, legend: '{{pool}} {{state}}' },
          { expr: `sum by (db_system, pool) (${m.dbConnectionsMax}${s})`, legend: '{{pool}} max' },
        ],
        { min: 0 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Pool use and waiting clients',
        [
          {
            expr: `sum by (pool) (${m.dbConnections}${sel({ extra: 'state="used"' })}) / sum by (pool) (${m.dbConnectionsMax}${s})`,
            legend: '{{pool}} used',
          },
          {
            expr: `sum by (pool) (${m.dbConnections}${sel({ extra: 'state="pending"' })})`,
            legend: '{{pool}} waiting',
          },
        ],
        { min: 0 },
      ).overrideByRegexp('.*used', [{ id: 'unit', value: 'percentunit' }]),
    );
  return d;
}
