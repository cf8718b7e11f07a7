import {
  dashboard,
  quantile,
  rate,
  row,
  sel,
  tablePanel,
  timeseriesPanel,
  traffic,
  zeroFill,
} from './common';
import { metricNames } from './metric-names';

export function queuesDashboard() {
  const m = metricNames();
  const s = sel();
  const d = dashboard(
    'perfwatch-queues',
    'Perfwatch / Queues',
    'Queue jobs: throughput by outcome, processing and wait times, depth, failures and time since the last success.',
    { anchor: m.jobs },
  );

  d.withRow(row('Throughput'))
    .withPanel(
      timeseriesPanel(
        'Jobs/s by outcome',
        [{ expr: rate(m.jobs, s, ['queue', 'status']), legend: '{{queue}} {{status}}' }],
        { unit: 'ops' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Failed and retried jobs/s',
        [
          {
            expr: zeroFill(
              rate(m.jobs, sel({ extra: 'status=~"failed|retried"' }), ['queue', 'job_name', 'status']),
            ),
            legend: '{{queue}} {{job_name}} {{status}}',
          },
        ],
        { unit: 'ops' },
      ),
    );

  d.withRow(row('Latency'))
    .withPanel(
      timeseriesPanel(
        'Processing time p95 by job',
        [{ expr: quantile(0.95, m.jobDuration, s, ['queue', 'job_name']), legend: '{{queue}} {{job_name}}' }],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Wait time p95 by job (enqueued → started)',
        [{ expr: quantile(0.95, m.jobWait, s, ['queue', 'job_name']), legend: '{{queue}} {{job_name}}' }],
        { unit: 's' },
      ),
    );

  d.withRow(row('Backlog'))
    .withPanel(
      timeseriesPanel(
        'Queue depth by state',
        [{ expr: `sum by (queue, state) (${m.queueDepth}${s})`, legend: '{{queue}} {{state}}' }],
        { min: 0 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Time since last successful job',
        [{ expr: `time() - max by (queue) (${m.queueLastSuccess}${s})`, legend: '{{queue}}' }],
        {
          unit: 's',
          min: 0,
          thresholds: traffic(300, 900),
          description: 'A queue whose line keeps climbing has had no successful job for that long.',
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Jobs in the selected range',
        [
          {
            expr: `sum by (queue, job_name) (increase(${m.jobs}${sel({ extra: 'status="completed"' })}[$__range]))`,
          },
          {
            expr: zeroFill(
              `sum by (queue, job_name) (increase(${m.jobs}${sel({ extra: 'status="failed"' })}[$__range]))`,
              `sum by (queue, job_name) (increase(${m.jobs}${s}[$__range]))`,
            ),
          },
          { expr: quantile(0.95, m.jobDuration, s, ['queue', 'job_name'], '$__range') },
          { expr: quantile(0.95, m.jobWait, s, ['queue', 'job_name'], '$__range') },
        ],
        ['Completed', 'Failed', 'p95 processing', 'p95 wait'],
        { w: 24, h: 7, sortBy: 'Completed' },
      ).overrideByRegexp('p95.*', [{ id: 'unit', value: 's' }]),
    );

  d.withRow(row('Scheduled tasks'))
    .withPanel(
      timeseriesPanel(
        'Time since last successful run by task',
        [{ expr: `time() - max by (task) (${m.scheduleLastSuccess}${s})`, legend: '{{task}}' }],
        {
          unit: 's',
          min: 0,
          description:
            "Scheduled tasks (Laravel's scheduler, cron) as their apps report them. A schedule health check (health.checks type schedule) fails when this passes its maxAgeSeconds.",
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Task runs in the selected range',
        [
          {
            expr: `sum by (task) (increase(${m.scheduleRuns}${sel({ extra: 'status="success"' })}[$__range]))`,
          },
          {
            expr: zeroFill(
              `sum by (task) (increase(${m.scheduleRuns}${sel({ extra: 'status="failed"' })}[$__range]))`,
              `sum by (task) (increase(${m.scheduleRuns}${s}[$__range]))`,
            ),
          },
          { expr: quantile(0.95, m.scheduleDuration, s, ['task'], '$__range') },
        ],
        ['Succeeded', 'Failed', 'p95 duration'],
        { w: 12, sortBy: 'Failed' },
      ).overrideByName('p95 duration', [{ id: 'unit', value: 's' }]),
    );
  return d;
}
