/** Markdown and CSV renderings of an SLA report for `perfwatch sla report`. */
import type { Coverage } from './coverage';
import { humanSeconds } from './duration';
import type { EndpointReport, Measurement, SlaReport } from './report';

const STATUS: Record<EndpointReport['status'], string> = {
  meeting: 'meeting',
  atRisk: 'at risk',
  breaching: 'BREACHING',
  noData: 'no data',
};

const pct = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;
const secs = (v: number | null | undefined) => (v === null || v === undefined ? '–' : humanSeconds(v));
const minutes = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${Math.round(v).toLocaleString('en-US')} min`;

function targets(e: EndpointReport): string {
  const t: string[] = [];
  if (e.latency.target)
    t.push(`p${e.latency.target.quantile * 100} < ${humanSeconds(e.latency.target.thresholdSeconds)}`);
  if (e.errors.target)
    t.push(`errors < ${pct(e.errors.target.maxRatio, 2).replace(/(?<![.0])\.?0+%$/, '%')}`);
  if (e.availability?.target) t.push(`up ${pct(e.availability.target, 3).replace(/(?<![.0])\.?0+%$/, '%')}`);
  return t.join(', ');
}

export function reportMarkdown(r: SlaReport & { coverage?: Coverage }): string {
  const lines = [
    `# SLA report ${r.period.label}`,
    '',
    `${r.period.kind === 'calendar' ? 'Calendar' : 'Rolling'} period ${r.period.start} – ${r.period.end}` +
      (r.period.complete ? '' : ` (running; ends ${r.period.periodEnd})`) +
      `. ${r.summary.meeting} meeting, ${r.summary.atRisk} at risk, ${r.summary.breaching} breaching, ` +
      `${r.summary.noData} without data.`,
    '',
    ...(r.coverage && !r.coverage.complete ? [`> **Incomplete data:** ${r.coverage.reason}.`, ''] : []),
    '| Endpoint | Priority | Status | Targets | Requests | p50 | p95 | p99 | Within latency target | Error rate | Availability | Budget left | Budget (outage minutes) |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.endpoints.map((e) =>
      [
        `\`${e.title}\``,
        e.priority,
        STATUS[e.status],
        targets(e),
        e.requests.value === null ? '–' : Math.round(e.requests.value).toLocaleString('en-US'),
        secs(e.latency.p50.value),
        secs(e.latency.p95.value),
        secs(e.latency.p99.value),
        pct(e.latency.compliance?.value),
        pct(e.errors.rate.value, 3),
        pct(e.availability?.value.value, 3),
        pct(e.budgetRemaining.ratio, 1),
        minutes(e.budgetRemaining.minutes),
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
    '',
    '## PromQL',
    '',
  ];
  for (const e of r.endpoints) {
    lines.push(`### ${e.title}`, '');
    for (const [name, m] of measurements(e)) lines.push(`- ${name}: \`${m.promql.replace(/\n/g, ' ')}\``);
    lines.push('');
  }
  return lines.join('\n');
}

function measurements(e: EndpointReport): Array<[string, Measurement]> {
  const out: Array<[string, Measurement]> = [
    ['requests', e.requests],
    ['p50', e.latency.p50],
    ['p95', e.latency.p95],
    ['p99', e.latency.p99],
  ];
  if (e.latency.compliance) out.push(['within latency target', e.latency.compliance]);
  if (e.latency.budgetRemaining) out.push(['latency budget left', e.latency.budgetRemaining.ratio]);
  out.push(['error rate', e.errors.rate]);
  if (e.errors.budgetRemaining) out.push(['error budget left', e.errors.budgetRemaining.ratio]);
  if (e.availability) out.push(['availability', e.availability.value]);
  if (e.availability?.budgetRemaining)
    out.push(['availability budget left', e.availability.budgetRemaining.ratio]);
  return out;
}

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per endpoint; ratios as fractions, latencies in seconds, then the PromQL of each number. */
export function reportCsv(r: SlaReport): string {
  const header = [
    'sla',
    'method',
    'route',
    'priority',
    'status',
    'requests',
    'p50_seconds',
    'p95_seconds',
    'p99_seconds',
    'latency_target_quantile',
    'latency_target_seconds',
    'latency_compliance',
    'latency_budget_remaining',
    'error_rate_target',
    'error_rate',
    'error_budget_remaining',
    'availability_target',
    'availability',
    'availability_budget_remaining',
    'budget_remaining',
    'budget_remaining_minutes',
    'promql_requests',
    'promql_p95',
    'promql_latency_compliance',
    'promql_error_rate',
    'promql_availability',
  ];
  const rows = r.endpoints.map((e) => [
    e.sla,
    e.method,
    e.route,
    e.priority,
    e.status,
    e.requests.value,
    e.latency.p50.value,
    e.latency.p95.value,
    e.latency.p99.value,
    e.latency.target?.quantile,
    e.latency.target?.thresholdSeconds,
    e.latency.compliance?.value,
    e.latency.budgetRemaining?.ratio.value,
    e.errors.target?.maxRatio,
    e.errors.rate.value,
    e.errors.budgetRemaining?.ratio.value,
    e.availability?.target,
    e.availability?.value.value,
    e.availability?.budgetRemaining?.ratio.value,
    e.budgetRemaining.ratio,
    e.budgetRemaining.minutes,
    e.requests.promql,
    e.latency.p95.promql,
    e.latency.compliance?.promql,
    e.errors.rate.promql,
    e.availability?.value.promql,
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
