// Rule-evaluation cost of the generated SLA rules with many endpoints, as Prometheus 2.42 measures it
// (prometheus_rule_group_last_duration_seconds), with every window full: the recorded 5 m rates the
// long windows and the 30-day SLA window sum over are backfilled for 30 days (promtool tsdb
// create-blocks-from openmetrics), then Prometheus scrapes a live app serving all endpoints and
// evaluates the rules until every group has run a few times. Results: bench/SLA-RULES.md.
//
//   npm run build -w @perfwatch/exporter && node bench/sla-rule-cost.mjs
//   BENCH_ENDPOINTS=100 BENCH_EVAL=15s BENCH_MINUTES=7 node bench/sla-rule-cost.mjs
// The defaults are the shipped intervals: global evaluation 15 s (provisioning/prometheus), long groups
// every sla.longRulesInterval (2m30s).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'exporter', 'package.json'));
const { parseConfig, perfwatch, generateSlaFiles } = require('./dist/index.js');
const express = require('express');
const { stringify } = require('yaml');

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 100);
const EVAL = process.env.BENCH_EVAL ?? '15s';
const EVAL_SECONDS = Number(EVAL.replace(/s$/, '')) * (EVAL.endsWith('m') ? 60 : 1) || 60;
const MINUTES = Number(process.env.BENCH_MINUTES ?? 7);
const DAYS = 30;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-rule-cost-'));
const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

// 1. An SLA config with ENDPOINTS endpoints of mixed priorities and targets.
const priorities = ['critical', 'high', 'medium', 'low'];
const targets = ['p95 < 100ms', 'p95 < 200ms', 'p99 < 300ms', 'p95 < 500ms'];
const endpoints = Array.from({ length: ENDPOINTS }, (_, i) => ({
  route: `/api/r${String(i).padStart(3, '0')}/:id`,
  method: i % 3 === 0 ? 'POST' : 'GET',
  latency: targets[i % targets.length],
  errorRate: '< 1%',
  ...(i % 4 === 0 ? { availability: '99.9%' } : {}),
  priority: priorities[i % priorities.length],
  team: `team-${i % 7}`,
}));
const config = parseConfig({ sla: { job: 'bench', endpoints } });
const { slas, files } = generateSlaFiles(config);
mkdirSync(path.join(dir, 'rules'));
let ruleCount = 0;
let groupCount = 0;
for (const [rel, content] of files)
  if (/^alert-rules\/[^/]+\.yml$/.test(rel)) {
    writeFileSync(path.join(dir, 'rules', path.basename(rel)), content);
    groupCount += (content.match(/^ {2}- name: /gm) ?? []).length;
    ruleCount += (content.match(/^ {6}- (record|alert): /gm) ?? []).length;
  }
console.log(`${slas.length} SLAs → ${groupCount} rule groups, ${ruleCount} rules`);

// 2. Backfill 30 days of the recorded series the long windows read, one sample per evaluation.
// promtool 2.42 re-reads its whole input for every 2-hour block it writes, so each 2-hour window
// gets its own small input file and promtool run.
const now = Math.floor(Date.now() / 1000);
const BLOCK = 7200;
const start = Math.floor((now - DAYS * 86400) / BLOCK) * BLOCK;
const end = Math.floor((now - 3600) / BLOCK) * BLOCK; // the last hour or two are left to the live rules
const labelText = (labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
const families = [
  ['route:http_server_requests:rate5m', () => 2 + Math.random()],
  ['route:http_server_requests_errors:rate5m', () => 0.01 * Math.random()],
  ['route:http_server_requests_within_target:rate5m', () => 1.9 + Math.random() * 0.1],
  ['route:up:ratio', () => 1],
  // Availability SLIs and the exact long-window request counts (hourly increases) the guards read.
  ['route:sla_down_per_scrapes:ratio_rate5m', () => 0],
  ['route:http_server_requests:increase1h', () => 3600 * (2 + Math.random())],
];
const availabilityOnly = new Set(['route:up:ratio', 'route:sla_down_per_scrapes:ratio_rate5m']);
const data = path.join(dir, 'tsdb');
mkdirSync(data);
const om = path.join(dir, 'backfill.om');
let samples = 0;
const t0 = Date.now();
for (let w = start; w < end; w += BLOCK) {
  let text = '';
  for (const [name, value] of families) {
    text += `# TYPE ${name} gauge\n`;
    for (const s of slas) {
      if (availabilityOnly.has(name) && !s.availability) continue;
      const l = labelText(s.labels);
      for (let t = w; t < w + BLOCK; t += EVAL_SECONDS) {
        text += `${name}{${l}} ${value().toFixed(4)} ${t}\n`;
        samples++;
      }
    }
  }
  writeFileSync(om, `${text}# EOF\n`);
  execFileSync('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, data]);
}
rmSync(om);
console.log(
  `backfilled ${(samples / 1e6).toFixed(1)} M samples (${DAYS} d at one per ${EVAL}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);

// 3. A live app serving every endpoint, loaded lightly, so the raw histograms exist too.
const pw = perfwatch({ sla: config.sla, defaultMetrics: false });
const app = express();
app.use(pw.express({ express }));
for (const e of endpoints) app[e.method.toLowerCase()](e.route, (_req, res) => res.json({ ok: true }));
app.get('/metrics', pw.metricsHandler());
const appPort = await freePort();
const server = app.listen(appPort, '127.0.0.1');
let stop = false;
const load = (async () => {
  let i = 0;
  while (!stop) {
    const e = endpoints[i++ % endpoints.length];
    await fetch(`http://127.0.0.1:${appPort}${e.route.replace(':id', String(i))}`, { method: e.method })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 50));
  }
})();

// 4. Prometheus with the generated rules and the backfilled blocks; 40 d retention keeps them.
const promPort = await freePort();
writeFileSync(
  path.join(dir, 'prometheus.yml'),
  stringify({
    global: { scrape_interval: '15s', evaluation_interval: EVAL },
    rule_files: [path.join(dir, 'rules/*.yml')],
    scrape_configs: [{ job_name: 'bench', static_configs: [{ targets: [`127.0.0.1:${appPort}`] }] }],
  }),
);
const prom = spawn(
  '/usr/bin/prometheus',
  [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=40d',
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
children.push(prom);
const promUrl = `http://127.0.0.1:${promPort}`;
for (let i = 0; i < 300; i++) {
  if (
    await fetch(`${promUrl}/-/ready`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 500));
}
console.log(
  `Prometheus up; evaluating for ${MINUTES} min (global evaluation ${EVAL}, long groups every ${config.sla.longRulesInterval})…`,
);
await new Promise((r) => setTimeout(r, MINUTES * 60_000));

const query = async (q) =>
  (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()).data.result;
// Prometheus' own metrics come from its /metrics endpoint: it does not scrape itself here.
const selfMetrics = await (await fetch(`${promUrl}/metrics`)).text();
const perGroup = (family) =>
  [...selfMetrics.matchAll(new RegExp(`^${family}\\{rule_group="[^;"]*;([^"]+)"\\} (\\S+)$`, 'gm'))].map(
    (m) => ({ group: m[1], value: Number(m[2]) }),
  );
const durations = perGroup('prometheus_rule_group_last_duration_seconds').map(({ group, value }) => ({
  group,
  seconds: value,
}));
const neverRan = perGroup('prometheus_rule_group_last_evaluation_timestamp_seconds')
  .filter((g) => !(g.value > 0))
  .map((g) => g.group);
const missedTotal = perGroup('prometheus_rule_group_iterations_missed_total').reduce(
  (a, g) => a + g.value,
  0,
);
if (durations.length !== groupCount) {
  console.error(`expected ${groupCount} rule groups in Prometheus' metrics, found ${durations.length}`);
  process.exit(1);
}
const kinds = {
  short: (g) => /^perfwatch-sla-.*(?<!-long|-alerts)$/.test(g),
  long: (g) => g.endsWith('-long'),
  alerts: (g) => g.endsWith('-alerts'),
  resources: (g) => g === 'perfwatch-resources',
  routes: (g) => g === 'perfwatch-routes',
};
const stats = (list) => {
  const s = list.map((d) => d.seconds).sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    groups: s.length,
    maxMs: +(s.at(-1) * 1000).toFixed(2),
    p50Ms: +(s[Math.floor(s.length / 2)] * 1000).toFixed(2),
    sumMs: +(sum * 1000).toFixed(1),
  };
};
const result = Object.fromEntries(
  Object.entries(kinds).map(([k, f]) => [k, stats(durations.filter((d) => f(d.group)))]),
);
const evaluated = await query('count(route:sla_compliance:ratio)');
const compliance = await query('min(route:sla_compliance:ratio{sli="latency"})');
const slowest = durations.sort((a, b) => b.seconds - a.seconds).slice(0, 3);
console.log(
  JSON.stringify(
    {
      endpoints: ENDPOINTS,
      evaluation: EVAL,
      longRulesInterval: config.sla.longRulesInterval,
      result,
      slowest,
      missedIterations: missedTotal,
      groupsNeverEvaluated: neverRan,
      slaSeriesEvaluated: Number(evaluated[0]?.value[1] ?? 0),
      minLatencyCompliance: Number(compliance[0]?.value[1] ?? NaN),
    },
    null,
    2,
  ),
);
stop = true;
await load;
server.close();
prom.kill('SIGTERM');
await new Promise((r) => prom.once('exit', r));
