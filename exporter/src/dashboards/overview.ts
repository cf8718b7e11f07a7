import {
  appLink,
  dashboard,
  mean,
  quantile,
  rate,
  row,
  sel,
  statPanel,
  tablePanel,
  textPanel,
  thresholds,
  timeseriesPanel,
  traffic,
  zeroFill,
} from './common';
import { metricNames } from './metric-names';
import { alertsAndTopEndpointsRow, FIRING, queryAndResourceRows } from './overview-rows';
import type { SlaThresholds } from './sla-source';

function slaSelector(s: SlaThresholds) {
  const m = s.method ? `, method="${s.method}"` : '';
  return `{job=~"$job", instance=~"$instance", route="${s.route}"${m}}`;
}

/** One stat per configured SLA: its latency quantile against the SLA's own target and thresholds. */
function slaStats(slas: SlaThresholds[]) {
  const m = metricNames();
  return slas.map((s) =>
    statPanel(
      `${s.method ? `${s.method} ` : ''}${s.route} p${Math.round(s.quantile * 100)}`,
      { expr: quantile(s.quantile, m.httpRequestDuration, slaSelector(s), [], '5m') },
      {
        unit: 's',
        w: 4,
        description:
          `SLA "${s.name}" (${s.priority}): p${Math.round(s.quantile * 100)} target ${s.targetSeconds * 1000} ms; ` +
          `orange from ${s.warningSeconds * 1000} ms (warning)` +
          (s.criticalSeconds !== undefined
            ? `, red from ${s.criticalSeconds * 1000} ms (critical).`
            : `; priority ${s.priority} raises no critical latency alert.`),
        thresholds: thresholds([
          { value: null, color: 'green' },
          { value: s.targetSeconds, color: 'yellow' },
          { value: s.warningSeconds, color: 'orange' },
          ...(s.criticalSeconds !== undefined ? [{ value: s.criticalSeconds, color: 'red' }] : []),
        ]),
        links: [appLink('sla')],
      },
    ),
  );
}

export function overviewDashboard(slas: SlaThresholds[]) {
  const m = metricNames();
  const http = m.httpRequestDuration;
  const s = sel({ route: true });
  const five = sel({ route: true, extra: 'status_code=~"5.."' });
  const d = dashboard(
    'perfwatch-overview',
    'Perfwatch / Overview',
    'SLA status, response times, alerts, query performance, resources and top endpoints of the selected jobs.',
    { anchor: `${http}_count`, route: true },
  );

  d.withRow(row('Service level'));
  if (slas.length === 0)
    d.withPanel(
      textPanel(
        'SLA status',
        'No SLA is configured: add an `sla` section to `perfwatch.yml` and run `npm run dashboards` to get one panel per SLA here.',
        { h: 3 },
      ),
    );
  for (const p of slaStats(slas)) d.withPanel(p);

  d.withPanel(
    statPanel(
      'p95 response time',
      { expr: quantile(0.95, http, s, [], '5m') },
      {
        unit: 's',
        description: 'p95 over the last 5 minutes, all selected routes together.',
      },
    ),
  )
    .withPanel(
      statPanel(
        'Mean response time',
        { expr: mean(http, s, [], '5m') },
        {
          unit: 's',
          description: 'Mean over the last 5 minutes, all selected routes together.',
        },
      ),
    )
    .withPanel(
      statPanel('Requests/s', { expr: rate(`${http}_count`, s, [], '5m') }, { unit: 'reqps', decimals: 1 }),
    )
    .withPanel(
      statPanel(
        'Error rate (5xx)',
        {
          expr: `${zeroFill(rate(`${http}_count`, five, [], '5m'))} / ${rate(`${http}_count`, s, [], '5m')}`,
        },
        { unit: 'percentunit', decimals: 2, thresholds: traffic(0.01, 0.05) },
      ),
    )
    .withPanel(
      statPanel(
        'Active alerts',
        { expr: zeroFill(`count(${FIRING})`) },
        {
          description:
            'Alerts firing now in Prometheus (the Watchdog excluded). Details on the Incidents page.',
          thresholds: thresholds([
            { value: null, color: 'green' },
            { value: 1, color: 'red' },
          ]),
          links: [appLink('incidents')],
        },
      ),
    );

  d.withRow(row('Health'))
    .withPanel(
      tablePanel(
        'Health checks',
        [
          { expr: `max by (job, check) (${m.healthCheckUp})` },
          { expr: `max by (job, check) (${m.healthCheckLastFailure}) * 1000` },
          { expr: `max by (job, check) (${m.healthCheckDuration})` },
        ],
        ['Status', 'Last failure', 'Last run took'],
        {
          w: 12,
          h: 7,
          description:
            'Every configured health check (health.checks: databases, Redis, queues, schedule, disk, HTTP) with its last result and when it last failed; all jobs, whatever the Job variable says. Details on GET /api/v1/health/checks.',
        },
      )
        .overrideByName('Status', [
          {
            id: 'mappings',
            value: [
              {
                type: 'value',
                options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } },
              },
            ],
          },
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
        ])
        .overrideByName('Last failure', [
          { id: 'unit', value: 'dateTimeAsIso' },
          { id: 'noValue', value: 'never' },
        ])
        .overrideByName('Last run took', [{ id: 'unit', value: 's' }]),
    )
    .withPanel(
      tablePanel(
        'Apps sending events',
        [
          { expr: `time() - max by (app) (${m.ingestLastSeen})` },
          {
            expr: zeroFill(
              `sum by (app) (increase(${m.ingestUnsent}[$__range]))`,
              `max by (app) (${m.ingestLastSeen})`,
            ),
          },
        ],
        ['Since last batch', 'Unsent in range'],
        {
          w: 12,
          h: 7,
          description:
            'Apps that push to POST /api/v1/events (the Laravel client, …): time since their last batch (their heartbeat; they send one at least every minute) and events their client reported it could not deliver.',
          thresholds: traffic(120, 300),
        },
      ).overrideByName('Since last batch', [
        { id: 'unit', value: 's' },
        { id: 'custom.cellOptions', value: { type: 'color-text' } },
      ]),
    );

  d.withRow(row('Response time trends'))
    .withPanel(
      timeseriesPanel(
        'p95 response time by route',
        [{ expr: quantile(0.95, http, s, ['route']), legend: '{{route}}' }],
        { unit: 's', description: 'Filter routes with the Route variable above.' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Mean response time by route',
        [{ expr: mean(http, s, ['route']), legend: '{{route}}' }],
        {
          unit: 's',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Requests/s by route',
        [{ expr: rate(`${http}_count`, s, ['route']), legend: '{{route}}' }],
        { unit: 'reqps' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Error rate (5xx) by route',
        [
          {
            expr: `${zeroFill(rate(`${http}_count`, five, ['route']), rate(`${http}_count`, s, ['route']))} / ${rate(`${http}_count`, s, ['route'])}`,
            legend: '{{route}}',
          },
        ],
        { unit: 'percentunit', min: 0 },
      ),
    );

  const selectors = { m, http, s, five };
  queryAndResourceRows(d, selectors);
  alertsAndTopEndpointsRow(d, selectors);
  return d;
}
