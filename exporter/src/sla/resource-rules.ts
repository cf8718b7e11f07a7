/**
 * Resource alerts on the families Perfwatch (and node_exporter) expose, plus the always-firing Watchdog.
 * Thresholds come from `sla.resources`; names and labels are node_exporter's and core/metrics.ts's.
 */
import type { SlaConfig } from './config';
import { humanSeconds, parseDuration } from './duration';
import { HTTP_METRIC } from './model';
import { clean, leRegex, quote } from './promql-text';
import type { AlertingRule, Links, RuleFile } from './rule-types';

// Pseudo and read-only file systems are never "full" in a way an operator can act on.
const FS =
  'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.*|iso9660",mountpoint!~"/(run|proc|sys|dev)($|/.*)"';

const pct = (r: number) => `${clean(r * 100)}%`;

export function resourceRuleFile(config: SlaConfig, links: Links): RuleFile {
  const r = config.resources;
  const sys = (alert: string) => ({
    ...links.runbook(alert),
    dashboard_url: links.dashboard(),
  });
  const rules: AlertingRule[] = [
    {
      alert: 'Watchdog',
      expr: 'vector(1)',
      labels: { severity: 'none' },
      annotations: {
        summary: 'The alerting pipeline works (always firing).',
        description:
          'Always firing, so that Prometheus → Alertmanager → receiver is known to work. If a dead ' +
          "man's switch stops receiving this alert, alerting is broken.",
        ...links.runbook('Watchdog'),
      },
    },
  ];
  if (r.enabled)
    rules.push(
      {
        alert: 'TargetDown',
        expr: 'up == 0',
        for: r.targetDownFor,
        labels: { severity: 'critical' },
        annotations: {
          summary: '{{ $labels.job }} target {{ $labels.instance }} is down',
          description:
            'Prometheus has not been able to scrape {{ $labels.instance }} (job {{ $labels.job }}) for ' +
            `${r.targetDownFor}: the app is down or unreachable, and none of its requests are measured.`,
          impact: 'Requests to this instance may be failing; its SLA availability is dropping.',
          ...sys('TargetDown'),
        },
      },
      {
        alert: 'NodeCPUHigh',
        expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${r.window}])) > ${r.cpu}`,
        for: r.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'CPU of {{ $labels.instance }} is {{ $value | humanizePercentage }} busy',
          description: `CPU use on {{ $labels.instance }} has been over ${pct(r.cpu)} for ${r.for} (now {{ $value | humanizePercentage }}).`,
          impact: 'Requests and jobs on this host queue for CPU; latency rises.',
          ...sys('NodeCPUHigh'),
        },
      },
      {
        alert: 'NodeMemoryHigh',
        expr: `1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > ${r.memory}`,
        for: r.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Memory of {{ $labels.instance }} is {{ $value | humanizePercentage }} used',
          description: `Memory use on {{ $labels.instance }} has been over ${pct(r.memory)} for ${r.for} (now {{ $value | humanizePercentage }}).`,
          impact: 'The host may start swapping or the OOM killer may end processes.',
          ...sys('NodeMemoryHigh'),
        },
      },
      {
        alert: 'NodeDiskFreeLow',
        expr:
          `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < ${r.diskFree}\n` +
          `and\nnode_filesystem_readonly{${FS}} == 0`,
        for: r.for,
        labels: { severity: 'critical' },
        annotations: {
          summary:
            '{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free',
          description: `Free space on {{ $labels.mountpoint }} ({{ $labels.device }}) has been under ${pct(r.diskFree)} for ${r.for}.`,
          impact: 'Writes (logs, uploads, databases) fail once the disk is full.',
          ...sys('NodeDiskFreeLow'),
        },
      },
      {
        alert: 'QueueJobsFailing',
        expr: `sum by (queue) (increase(queue_jobs_total{status="failed"}[${r.window}])) > ${r.failedJobs}`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Queue {{ $labels.queue }}: {{ $value | printf "%.0f" }} jobs failed in ' + r.window,
          description: `More than ${r.failedJobs} jobs of queue {{ $labels.queue }} failed within ${r.window}.`,
          impact: 'Work is not being done or is being retried; check the failing job class.',
          ...sys('QueueJobsFailing'),
        },
      },
      {
        alert: 'QueueStalled',
        expr:
          `time() - max by (queue) (queue_last_success_timestamp_seconds) > ${parseDuration(r.queueStalled)}\n` +
          `and on (queue)\n(\n  sum by (queue) (queue_depth{state="waiting"}) > 0\n  or\n` +
          `  sum by (queue) (increase(queue_jobs_total{status="failed"}[${r.queueStalled}])) > 0\n)`,
        labels: { severity: 'critical' },
        annotations: {
          summary: 'Queue {{ $labels.queue }} has had no successful job for {{ $value | humanizeDuration }}',
          description: `Queue {{ $labels.queue }} has jobs waiting or failing but none completed for over ${humanSeconds(
            parseDuration(r.queueStalled) ?? 0,
          )}: workers are stuck, dead or failing every job.`,
          impact: 'Everything behind this queue (emails, exports, webhooks) is delayed.',
          ...sys('QueueStalled'),
        },
      },
      {
        alert: 'SlowQueryBurst',
        expr: `sum by (db_system) (increase(db_client_slow_queries_total[${r.window}])) > ${r.slowQueries}`,
        labels: { severity: 'warning' },
        annotations: {
          summary: '{{ $value | printf "%.0f" }} slow {{ $labels.db_system }} queries in ' + r.window,
          description: `More than ${r.slowQueries} queries over the slow-query threshold within ${r.window}; the Slow queries page lists them by fingerprint.`,
          impact: 'Database time is rising; endpoints that run these queries get slower.',
          ...sys('SlowQueryBurst'),
        },
      },
      {
        alert: 'NPlusOneDetected',
        expr: `sum by (route) (increase(db_client_n_plus_one_total[${r.window}])) > 0`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'N+1 query pattern on {{ $labels.route }}',
          description: `{{ $value | printf "%.0f" }} requests to {{ $labels.route }} repeated one query fingerprint over the N+1 limit within ${r.window}; the Slow queries page shows which.`,
          impact: 'Each request issues many small queries; latency grows with the data.',
          ...links.runbook('NPlusOneDetected'),
          dashboard_url: links.routeDashboardTemplate,
        },
      },
      {
        alert: 'HealthCheckFailing',
        expr: 'perfwatch_health_check_up == 0',
        for: r.targetDownFor,
        labels: { severity: 'critical' },
        annotations: {
          summary: 'Health check {{ $labels.check }} is failing on {{ $labels.instance }}',
          description: `The dependency health check {{ $labels.check }} has failed for ${r.targetDownFor}.`,
          impact: 'Requests that need this dependency fail or hang.',
          ...sys('HealthCheckFailing'),
        },
      },
    );
  const groups = [{ name: 'perfwatch-resources', rules }];
  const routeRules = routeThresholdRules(config, links);
  if (routeRules.length > 0) groups.push({ name: 'perfwatch-routes', rules: routeRules });
  return { groups };
}

/** RE2 literal of a route template: `/api/products/:id` matches only itself. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Routes without an SLA still alert on the plain thresholds of `sla.routeThresholds`: any request
 * slower than 1 s (warning) or 2 s (critical), more than 5 % errors (critical). Routes with an SLA are
 * left out (their SLA alerts say more, and better); so are methods of those routes without one.
 */
function routeThresholdRules(config: SlaConfig, links: Links): AlertingRule[] {
  const t = config.routeThresholds;
  if (!t.enabled) return [];
  const w = config.window;
  const windowSeconds = parseDuration(w) ?? 300;
  const slaRoutes = [...new Set(config.endpoints.map((e) => e.route))].sort();
  const only = slaRoutes.length > 0 ? `route!~${quote(slaRoutes.map(literal).join('|'))}` : 'route!=""';
  const by = 'sum by (job, route, method)';
  const count = (extra = '') => `${by} (rate(${HTTP_METRIC}_count{${only}${extra}}[${w}]))`;
  const out: AlertingRule[] = [];
  const common = (alert: string) => ({
    ...links.runbook(alert),
    dashboard_url: links.routeDashboardTemplate,
  });
  for (const severity of ['warning', 'critical', 'emergency'] as const) {
    const seconds = t.latency[severity];
    if (seconds === undefined) continue;
    out.push({
      alert: 'RouteLatency',
      // Requests over the bound = all requests − those within it (its bucket, matched by value).
      expr:
        `(\n${count()}\n-\n${by} (rate(${HTTP_METRIC}_bucket{${only},le=~${quote(leRegex(seconds))}}[${w}]))\n)` +
        ` * ${windowSeconds} >= 1`,
      for: t.for,
      labels: { severity, trigger: 'route_threshold', threshold: humanSeconds(seconds) },
      annotations: {
        summary: `{{ $labels.method }} {{ $labels.route }}: requests slower than ${humanSeconds(seconds)}`,
        description:
          `About {{ $value | printf "%.0f" }} requests to {{ $labels.method }} {{ $labels.route }} ` +
          `(job {{ $labels.job }}) took longer than ${humanSeconds(seconds)} within ${w}. This route has ` +
          `no SLA; these are the global thresholds of sla.routeThresholds.`,
        impact: 'Some users waited longer than the kit-wide limit on this route.',
        ...common('RouteLatency'),
      },
    });
  }
  for (const severity of ['warning', 'critical', 'emergency'] as const) {
    const ratio = t.errorRate[severity];
    if (ratio === undefined) continue;
    out.push({
      alert: 'RouteErrors',
      expr:
        `${count(',status_code=~"5.."')}\n/\n(${count()} > 0)\n> ${ratio}\n` +
        `and\n${count()} * ${windowSeconds} >= 10\n` +
        `and\n${count(',status_code=~"5.."')} * ${windowSeconds} >= 5`,
      for: t.for,
      labels: { severity, trigger: 'route_threshold', threshold: pct(ratio) },
      annotations: {
        summary: `{{ $labels.method }} {{ $labels.route }}: {{ $value | humanizePercentage }} errors`,
        description:
          `{{ $value | humanizePercentage }} of the requests to {{ $labels.method }} {{ $labels.route }} ` +
          `(job {{ $labels.job }}) failed (5xx) within ${w}, over ${pct(ratio)}. This route has no SLA; ` +
          `these are the global thresholds of sla.routeThresholds (at least 10 requests and 5 errors).`,
        impact: 'Requests to this route are failing.',
        ...common('RouteErrors'),
      },
    });
  }
  return out;
}
