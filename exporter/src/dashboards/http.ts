import { dashboard, mean, quantile, rate, row, sel, tablePanel, timeseriesPanel, zeroFill } from './common';
import { metricNames } from './metric-names';

export function httpDashboard() {
  const m = metricNames();
  const http = m.httpRequestDuration;
  const s = sel({ route: true });
  const d = dashboard(
    'perfwatch-http',
    'Perfwatch / HTTP routes',
    'Latency percentiles, traffic, status codes, errors and body sizes per route template.',
    { anchor: `${http}_count`, route: true },
  );

  d.withRow(row('Latency'))
    .withPanel(
      timeseriesPanel(
        'Latency percentiles (selected routes)',
        [
          { expr: quantile(0.5, http, s), legend: 'p50' },
          { expr: quantile(0.95, http, s), legend: 'p95' },
          { expr: quantile(0.99, http, s), legend: 'p99' },
          { expr: mean(http, s), legend: 'mean' },
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel('p99 by route', [{ expr: quantile(0.99, http, s, ['route']), legend: '{{route}}' }], {
        unit: 's',
      }),
    )
    .withPanel(
      tablePanel(
        'Routes',
        [
          { expr: rate(`${http}_count`, s, ['method', 'route'], '$__range') },
          { expr: quantile(0.5, http, s, ['method', 'route'], '$__range') },
          { expr: quantile(0.95, http, s, ['method', 'route'], '$__range') },
          { expr: quantile(0.99, http, s, ['method', 'route'], '$__range') },
          {
            expr: `${zeroFill(
              rate(
                `${http}_count`,
                sel({ route: true, extra: 'status_code=~"5.."' }),
                ['method', 'route'],
                '$__range',
              ),
              rate(`${http}_count`, s, ['method', 'route'], '$__range'),
            )} / ${rate(`${http}_count`, s, ['method', 'route'], '$__range')}`,
          },
        ],
        ['Requests/s', 'p50', 'p95', 'p99', 'Error rate'],
        { w: 24, h: 9, sortBy: 'p95', description: 'Every route over the selected time range.' },
      )
        .overrideByName('Requests/s', [{ id: 'unit', value: 'reqps' }])
        .overrideByRegexp('p\\d+', [{ id: 'unit', value: 's' }])
        .overrideByName('Error rate', [{ id: 'unit', value: 'percentunit' }]),
    );

  d.withRow(row('Traffic and errors'))
    .withPanel(
      timeseriesPanel(
        'Requests/s by status code',
        [{ expr: rate(`${http}_count`, s, ['status_code']), legend: '{{status_code}}' }],
        { unit: 'reqps', w: 8 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Unhandled errors/s by class',
        [
          {
            expr: zeroFill(rate(m.httpErrors, s, ['route', 'error_class'])),
            legend: '{{route}} {{error_class}}',
          },
        ],
        {
          unit: 'ops',
          w: 8,
          description: 'Errors that reached the error handler (http_server_errors_total).',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Requests in flight',
        [{ expr: `sum by (method) (${m.httpActiveRequests}${sel()})`, legend: '{{method}}' }],
        { w: 8, min: 0 },
      ),
    );

  d.withRow(row('Payloads'))
    .withPanel(
      timeseriesPanel(
        'Request body p95 by route',
        [{ expr: quantile(0.95, m.httpRequestBodySize, s, ['route']), legend: '{{route}}' }],
        { unit: 'bytes' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Response body p95 by route',
        [{ expr: quantile(0.95, m.httpResponseBodySize, s, ['route']), legend: '{{route}}' }],
        { unit: 'bytes' },
      ),
    );
  return d;
}
