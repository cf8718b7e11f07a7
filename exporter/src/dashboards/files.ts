import { dashboard, quantile, rate, row, sel, tablePanel, timeseriesPanel, zeroFill } from './common';
import { metricNames } from './metric-names';

export function filesDashboard() {
  const m = metricNames();
  const s = sel();
  const d = dashboard(
    'perfwatch-files',
    'Perfwatch / File operations',
    'Uploads, bundles, compression and patches: rate by outcome, duration, sizes and throughput.',
    { anchor: `${m.fileOperationDuration}_count` },
  );

  d.withRow(row('Operations'))
    .withPanel(
      timeseriesPanel(
        'Operations/s by outcome',
        [
          {
            expr: rate(`${m.fileOperationDuration}_count`, s, ['operation', 'status']),
            legend: '{{operation}} {{status}}',
          },
        ],
        { unit: 'ops' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Duration p95 by operation',
        [{ expr: quantile(0.95, m.fileOperationDuration, s, ['operation']), legend: '{{operation}}' }],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Failed operations/s',
        [
          {
            expr: zeroFill(
              rate(`${m.fileOperationDuration}_count`, sel({ extra: 'status!="ok"' }), [
                'operation',
                'status',
              ]),
            ),
            legend: '{{operation}} {{status}}',
          },
        ],
        { unit: 'ops', description: 'Errors, aborted and too-large uploads.' },
      ),
    );

  d.withRow(row('Sizes and throughput'))
    .withPanel(
      timeseriesPanel(
        'Size p50 and p95 by operation',
        [
          { expr: quantile(0.5, m.fileOperationBytes, s, ['operation']), legend: 'p50 {{operation}}' },
          { expr: quantile(0.95, m.fileOperationBytes, s, ['operation']), legend: 'p95 {{operation}}' },
        ],
        { unit: 'bytes' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Throughput by operation',
        [
          {
            expr: `${rate(`${m.fileOperationBytes}_sum`, s, ['operation'])} / ${rate(`${m.fileOperationDuration}_sum`, sel({ extra: 'status="ok"' }), ['operation'])}`,
            legend: '{{operation}}',
          },
        ],
        { unit: 'Bps', description: 'Bytes handled per second of operation time (successful operations).' },
      ),
    )
    .withPanel(
      tablePanel(
        'Operations in the selected range',
        [
          { expr: `sum by (operation) (increase(${m.fileOperationDuration}_count${s}[$__range]))` },
          { expr: quantile(0.95, m.fileOperationDuration, s, ['operation'], '$__range') },
          { expr: `sum by (operation) (increase(${m.fileOperationBytes}_sum${s}[$__range]))` },
        ],
        ['Operations', 'p95 duration', 'Bytes'],
        { w: 24, h: 6, sortBy: 'Operations' },
      )
        .overrideByName('p95 duration', [{ id: 'unit', value: 's' }])
        .overrideByName('Bytes', [{ id: 'unit', value: 'bytes' }]),
    );
  return d;
}
