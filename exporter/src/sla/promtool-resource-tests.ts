/** promtool tests for the alerts outside any SLA: route thresholds, host resources and the Watchdog. */
import type { SlaConfig } from './config';
import { humanSeconds } from './duration';
import { HTTP_METRIC } from './model';
import { clean, leLabel } from './promql-text';
import { EVAL, firesFrom, labelString, minutes, secs, STEP, type TestGroup } from './promtool-traffic';
import type { Links } from './rule-types';

/**
 * Routes without an SLA: one with a request over the warning bound each minute, one over the critical
 * bound, one over both that has an SLA (left out), one with errors over the threshold and one under.
 */
function routeThresholdInputs(
  config: SlaConfig,
  add: (name: string, labels: Record<string, string>, values: string) => void,
  perMinute: (inc: number) => string,
  firing: Array<Record<string, string>>,
): void {
  const t = config.routeThresholds;
  if (!t.enabled) return;
  const bounds = [...new Set(Object.values(t.latency).filter((v): v is number => v !== undefined))].sort(
    (a, b) => a - b,
  );
  const top = bounds[bounds.length - 1];
  const route = (name: string, classes: Array<{ status: string; seconds: number; perMinute: number }>) => {
    for (const status of [...new Set(classes.map((c) => c.status))]) {
      const labels = { job: 'demo', instance: 'app:3000', route: name, method: 'GET', status_code: status };
      const mine = classes.filter((c) => c.status === status);
      for (const le of [...bounds, Infinity])
        add(
          `${HTTP_METRIC}_bucket`,
          { ...labels, le: le === Infinity ? '+Inf' : leLabel(le) },
          perMinute(mine.filter((c) => c.seconds <= le).reduce((a, c) => a + c.perMinute, 0)),
        );
      add(`${HTTP_METRIC}_count`, labels, perMinute(mine.reduce((a, c) => a + c.perMinute, 0)));
    }
  };
  const fast = 0.01;
  // Just over each bound in turn: fires every severity whose bound is below it.
  bounds.forEach((b, i) => {
    const name = `/no-sla/slow-${i}`;
    route(name, [
      { status: '200', seconds: fast, perMinute: 20 },
      { status: '200', seconds: b * 1.25, perMinute: 1 },
    ]);
    for (const [severity, seconds] of Object.entries(t.latency))
      if (seconds !== undefined && seconds <= b)
        firing.push({
          alertname: 'RouteLatency',
          severity,
          trigger: 'route_threshold',
          threshold: humanSeconds(seconds),
          job: 'demo',
          route: name,
          method: 'GET',
        });
  });
  const withSla = config.endpoints[0]?.route;
  if (withSla) route(withSla, [{ status: '200', seconds: top * 2, perMinute: 5 }]);
  for (const [severity, ratio] of Object.entries(t.errorRate)) {
    if (ratio === undefined) continue;
    const name = `/no-sla/errors-${severity}`;
    const errors = Math.ceil(ratio * 100 * 1.5);
    route(name, [
      { status: '200', seconds: fast, perMinute: 100 - errors },
      { status: '500', seconds: fast, perMinute: errors },
    ]);
    for (const [other, r] of Object.entries(t.errorRate))
      if (r !== undefined && r * 100 < errors)
        firing.push({
          alertname: 'RouteErrors',
          severity: other,
          trigger: 'route_threshold',
          threshold: `${clean(r * 100)}%`,
          job: 'demo',
          route: name,
          method: 'GET',
        });
  }
  route('/no-sla/fine', [
    { status: '200', seconds: fast, perMinute: 999 },
    { status: '500', seconds: fast, perMinute: 1 },
  ]);
}

/** Resource alerts: one series over each threshold and one under it; Watchdog always fires. */
export function resourceTests(config: SlaConfig, _links: Links): unknown {
  const r = config.resources;
  const at = firesFrom(secs(r.for)) + EVAL;
  const steps = at / STEP + 1;
  const flat = (v: number) => `${clean(v)}+0x${steps}`;
  const perMinute = (inc: number) => `0+${clean(inc)}x${steps}`;
  const host = (instance: string) => ({ job: 'node', instance });
  const disk = (instance: string, fstype: string, mountpoint: string) => ({
    ...host(instance),
    device: `/dev/${instance}`,
    fstype,
    mountpoint,
  });
  const series: TestGroup['input_series'] = [];
  const add = (name: string, labels: Record<string, string>, values: string) =>
    series.push({ series: labelString(name, labels), values });
  const firing: Array<Record<string, string>> = [{ alertname: 'Watchdog', severity: 'none' }];
  if (r.enabled) {
    // CPU: idle seconds per second = 1 − busy share.
    add(
      'node_cpu_seconds_total',
      { ...host('busy'), cpu: '0', mode: 'idle' },
      perMinute((1 - (r.cpu + 0.05)) * 60),
    );
    add(
      'node_cpu_seconds_total',
      { ...host('calm'), cpu: '0', mode: 'idle' },
      perMinute((1 - (r.cpu - 0.05)) * 60),
    );
    firing.push({ alertname: 'NodeCPUHigh', severity: 'warning', instance: 'busy' });
    for (const [instance, used] of [
      ['busy', r.memory + 0.05],
      ['calm', r.memory - 0.05],
    ] as const) {
      add('node_memory_MemTotal_bytes', host(instance), flat(1e9));
      add('node_memory_MemAvailable_bytes', host(instance), flat((1 - used) * 1e9));
    }
    firing.push({ alertname: 'NodeMemoryHigh', severity: 'warning', ...host('busy') });
    const disks: Array<[Record<string, string>, number, boolean]> = [
      [disk('busy', 'ext4', '/'), r.diskFree / 2, true],
      [disk('calm', 'ext4', '/'), Math.min(1, r.diskFree * 2), false],
      // Pseudo file systems are never reported, however full.
      [disk('busy', 'tmpfs', '/run'), 0, false],
    ];
    for (const [labels, free, fires] of disks) {
      add('node_filesystem_size_bytes', labels, flat(1e11));
      add('node_filesystem_avail_bytes', labels, flat(free * 1e11));
      add('node_filesystem_readonly', labels, flat(0));
      if (fires) firing.push({ alertname: 'NodeDiskFreeLow', severity: 'critical', ...labels });
    }
    const win = secs(r.window) / STEP;
    add(
      'queue_jobs_total',
      { queue: 'emails', job_name: 'send', status: 'failed' },
      perMinute((r.failedJobs + 1) / win),
    );
    add(
      'queue_jobs_total',
      { queue: 'exports', job_name: 'csv', status: 'failed' },
      perMinute((r.failedJobs - 1) / win),
    );
    firing.push({ alertname: 'QueueJobsFailing', severity: 'warning', queue: 'emails' });
    // emails: failing, last success at t=0 → stalled once queueStalled has passed; reports: idle, not stalled;
    // exports: a success every minute.
    add('queue_last_success_timestamp_seconds', { queue: 'emails' }, flat(0));
    add('queue_last_success_timestamp_seconds', { queue: 'reports' }, flat(0));
    add('queue_last_success_timestamp_seconds', { queue: 'exports' }, `0+60x${steps}`);
    add('queue_depth', { queue: 'reports', state: 'waiting' }, flat(0));
    add('queue_depth', { queue: 'exports', state: 'waiting' }, flat(4));
    if (at > secs(r.queueStalled))
      firing.push({ alertname: 'QueueStalled', severity: 'critical', queue: 'emails' });
    add(
      'db_client_slow_queries_total',
      { db_system: 'postgresql', operation: 'SELECT' },
      perMinute((r.slowQueries + 5) / win),
    );
    add(
      'db_client_slow_queries_total',
      { db_system: 'mysql', operation: 'SELECT' },
      perMinute((r.slowQueries - 5) / win),
    );
    firing.push({ alertname: 'SlowQueryBurst', severity: 'warning', db_system: 'postgresql' });
    add('db_client_n_plus_one_total', { route: '/api/orders' }, perMinute(1));
    add('db_client_n_plus_one_total', { route: '/api/users' }, flat(3));
    firing.push({ alertname: 'NPlusOneDetected', severity: 'warning', route: '/api/orders' });
    add('perfwatch_health_check_up', { ...host('busy'), check: 'redis' }, flat(0));
    add('perfwatch_health_check_up', { ...host('busy'), check: 'postgres' }, flat(1));
    firing.push({ alertname: 'HealthCheckFailing', severity: 'critical', ...host('busy'), check: 'redis' });
    routeThresholdInputs(config, add, perMinute, firing);
    add('up', { job: 'demo', instance: 'down:3000' }, flat(0));
    add('up', { job: 'demo', instance: 'fine:3000' }, flat(1));
    firing.push({ alertname: 'TargetDown', severity: 'critical', job: 'demo', instance: 'down:3000' });
  }
  return {
    rule_files: ['../resources.yml'],
    evaluation_interval: minutes(EVAL),
    tests: [
      {
        name: 'each resource alert fires over its threshold and not under it; Watchdog always fires',
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          {
            expr: 'ALERTS{alertstate="firing"}',
            eval_time: minutes(at),
            exp_samples: firing.map((l) => ({
              labels: labelString('ALERTS', { alertstate: 'firing', ...l }),
              value: 1,
            })),
          },
        ],
      },
    ],
  };
}
