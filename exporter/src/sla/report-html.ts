/**
 * The SLA report as a self-contained HTML page (no scripts, no external resources), what the PDF is
 * printed from: a table like the markdown one, the coverage warning, and a burndown sparkline per SLI.
 */
import type { Burndown, SliBurndown } from './burndown';
import { humanSeconds } from './duration';
import type { CoveredReport } from './report-coverage';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;
const secs = (v: number | null | undefined) => (v === null || v === undefined ? '–' : humanSeconds(v));

const STATUS = { meeting: 'meeting', atRisk: 'at risk', breaching: 'BREACHING', noData: 'no data' } as const;

/** A small line chart of budget left (1 at the top, 0 dashed, overspent below), scaled to the period. */
function sparkline(sli: SliBurndown, startS: number, endS: number): string {
  const w = 220;
  const h = 50;
  const pts = sli.points.filter((p) => p.remaining !== null) as Array<{ t: number; remaining: number }>;
  const low = Math.min(0, ...pts.map((p) => p.remaining));
  const y = (r: number) => ((1 - r) / (1 - low)) * (h - 4) + 2;
  const x = (t: number) => ((t - startS) / Math.max(1, endS - startS)) * w;
  const line = pts.map((p) => `${x(p.t).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1]?.remaining;
  return (
    `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" class="spark">` +
    `<line x1="0" x2="${w}" y1="${y(0)}" y2="${y(0)}" stroke="#999" stroke-dasharray="3 3"/>` +
    `<polyline fill="none" stroke="${last !== undefined && last < 0 ? '#c4162a' : '#1f60c4'}" stroke-width="1.5" points="${line}"/>` +
    `</svg> ${escape(sli.sli)}: ${pct(last, 1)} left`
  );
}

export function reportHtml(r: CoveredReport, burndown?: Burndown): string {
  const startS = new Date(r.period.start).getTime() / 1000;
  const endS = new Date(r.period.periodEnd).getTime() / 1000;
  const rows = r.endpoints.map((e) => {
    const charts = burndown?.endpoints
      .find((b) => b.sla === e.sla)
      ?.slis.map((s) => `<div>${sparkline(s, startS, endS)}</div>`)
      .join('');
    const below = e.status === 'breaching' ? ' class="breaching"' : '';
    return (
      `<tr${below}><td><code>${escape(e.title)}</code></td><td>${escape(e.priority)}</td>` +
      `<td>${STATUS[e.status]}</td>` +
      `<td class="n">${e.requests.value === null ? '–' : Math.round(e.requests.value).toLocaleString('en-US')}</td>` +
      `<td class="n">${secs(e.latency.p95.value)}</td><td class="n">${pct(e.latency.compliance?.value)}</td>` +
      `<td class="n">${pct(e.errors.rate.value, 3)}</td><td class="n">${pct(e.availability?.value.value, 3)}</td>` +
      `<td class="n">${pct(e.budgetRemaining.ratio, 1)}</td>` +
      `<td class="n">${e.budgetRemaining.minutes === null ? '–' : `${Math.round(e.budgetRemaining.minutes)} min`}</td>` +
      `<td>${charts ?? ''}</td></tr>`
    );
  });
  const coverage = r.coverage.complete
    ? ''
    : `<p class="warn">Incomplete data: ${escape(r.coverage.reason ?? 'Prometheus does not hold the whole period')}.</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>SLA report ${escape(r.period.label)}</title>
<style>
body { font: 10pt sans-serif; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: 3pt 4pt; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
td code { white-space: nowrap; }
tr.breaching td { color: #c4162a; }
.warn { background: #fff4d6; border-left: 3pt solid #e0a100; padding: 4pt; }
.spark { vertical-align: middle; }
</style></head><body>
<h1>SLA report ${escape(r.period.label)}</h1>
<p>${r.period.kind === 'calendar' ? 'Calendar' : 'Rolling'} period ${escape(r.period.start)} – ${escape(r.period.end)}${
    r.period.complete ? '' : ` (running; ends ${escape(r.period.periodEnd)})`
  }. ${r.summary.meeting} meeting, ${r.summary.atRisk} at risk, ${r.summary.breaching} breaching, ${
    r.summary.noData
  } without data. Generated ${escape(r.generatedAt)}.</p>
${coverage}
<table><thead><tr><th>Endpoint</th><th>Priority</th><th>Status</th><th>Requests</th><th>p95</th>
<th>Within latency target</th><th>Error rate</th><th>Availability</th><th>Budget left</th><th>Budget (outage)</th>
<th>Burndown</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body></html>`;
}
