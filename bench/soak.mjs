// Soak: a real `perfwatch serve` under a fixed mixed load — ingestion (requests, queries over the
// sampling budget, jobs), API reads (slow queries, incidents, stats) and Alertmanager webhooks —
// for BENCH_SOAK_MINUTES (default 10) on SQLite and PostgreSQL (BENCH_SOAK_STORES=sqlite,postgres).
// Every second it scrapes the service's own /metrics: heap used, RSS, event-loop lag (p99 and max
// since the last scrape) and perfwatch_dropped_total. Reports the heap slope (least squares over the
// second half, MB/min), event-loop p99, drops, and any non-2xx answer. Results: bench/SOAK.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const STORES = (process.env.BENCH_SOAK_STORES ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.PERFWATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Per second: ingest batches (of 50 events), API reads, webhooks. */
const RATE = { ingest: 20, reads: 5, webhooks: 1 };
const TOKEN = 'soak-token-0123456789abcdef';
const GC_EVERY_S = Number(process.env.BENCH_SOAK_GC_SECONDS ?? 60);

/** Least-squares slope of heapMb over t (MB per second). */
function slopeOf(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, s) => a + s.t, 0) / n;
  const mh = points.reduce((a, s) => a + s.heapMb, 0) / n;
  return (
    points.reduce((a, s) => a + (s.t - mt) * (s.heapMb - mh), 0) /
    points.reduce((a, s) => a + (s.t - mt) ** 2, 0)
  );
}

async function serve(storeUrl) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      path.join(here, 'servers', 'gc-on-signal.cjs'),
      path.join(here, '..', 'exporter', 'dist', 'cli.js'),
      'serve',
    ],
    {
      env: {
        ...process.env,
        PERFWATCH_PORT: '0',
        PERFWATCH_HOST: '127.0.0.1',
        PERFWATCH_STORE_URL: storeUrl,
        PERFWATCH_SYSTEM_METRICS: 'false',
        PERFWATCH_TOKEN_READ: TOKEN,
        PERFWATCH_TOKEN_INGEST: TOKEN,
        PERFWATCH_TOKEN_ALERTMANAGER: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const e = JSON.parse(line);
        if (e.msg === 'perfwatch listening') resolve(e.url);
      } catch {
        // not JSON
      }
    });
    child.once('exit', () => reject(new Error('perfwatch exited before listening')));
  });
  return { child, url };
}

function batch(tick) {
  const events = [];
  for (let i = 0; i < 50; i++) {
    const n = tick * 50 + i;
    if (i % 5 === 0)
      events.push({
        kind: 'request',
        method: 'GET',
        route: `/r${n % 20}`,
        status: 200,
        durationMs: n % 300,
        queryCount: 3,
      });
    else if (i % 5 === 4)
      events.push({ kind: 'job', queue: 'q', jobName: `j${n % 5}`, status: 'completed', durationMs: 40 });
    else
      events.push({
        kind: 'query',
        dbSystem: 'postgresql',
        sql: `select * from t${n % 200} where id = ${n}`,
        durationMs: 80 + (n % 200),
        route: `/r${n % 20}`,
        requestId: `req-${Math.floor(n / 6)}`,
      });
  }
  return JSON.stringify({ events });
}

const webhook = (tick) =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="Soak${tick % 30}"}`,
    status: tick % 4 === 3 ? 'resolved' : 'firing',
    receiver: 'perfwatch',
    groupLabels: { alertname: `Soak${tick % 30}` },
    commonLabels: { alertname: `Soak${tick % 30}`, severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    truncatedAlerts: 0,
    alerts: [
      {
        status: tick % 4 === 3 ? 'resolved' : 'firing',
        labels: { alertname: `Soak${tick % 30}`, severity: 'warning', instance: `i${tick % 3}` },
        annotations: { summary: 'soak' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: tick % 4 === 3 ? new Date().toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
      },
    ],
  });

const READS = [
  '/api/v1/slow-queries',
  '/api/v1/incidents',
  '/api/v1/incidents/stats',
  '/api/v1/slow-queries?sort=count',
];

function metric(text, name, labels = '') {
  const re = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm');
  return Number(re.exec(text)?.[1] ?? NaN);
}

async function soak(kind) {
  let storeUrl;
  let cleanup;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-soak-'));
    storeUrl = `sqlite:${path.join(dir, 'perfwatch.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `pw_soak_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    storeUrl = `${PG_URL}?options=-c%20search_path%3D${schema}`;
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    };
  }
  const { child, url } = await serve(storeUrl);
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const statuses = new Map();
  const count = (k) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const send = async (p, init) => {
    try {
      const res = await fetch(`${url}${p}`, init);
      await res.arrayBuffer();
      count(`${init?.method ?? 'GET'} ${p.split('?')[0]} ${res.status}`);
    } catch (err) {
      count(`${p.split('?')[0]} failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
  };
  const samples = [];
  const started = Date.now();
  let tick = 0;
  const inflight = new Set();
  const track = (p) => {
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  };
  const load = setInterval(() => {
    if (paused) return;
    tick++;
    for (let i = 0; i < RATE.ingest / 10; i++)
      track(send('/api/v1/events', { method: 'POST', headers, body: batch(tick * 10 + i) }));
    if (tick % 2 === 0) track(send(READS[tick % READS.length], { headers }));
    if (tick % 10 === 0)
      track(send('/api/v1/alertmanager/webhook', { method: 'POST', headers, body: webhook(tick) }));
  }, 100);
  const scrape = setInterval(async () => {
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      const dropped = [...text.matchAll(/^perfwatch_dropped_total\{([^}]*)\} (\S+)$/gm)]
        .filter((m) => Number(m[2]) > 0)
        .map((m) => `${m[1]} ${m[2]}`);
      samples.push({
        t: (Date.now() - started) / 1000,
        heapMb: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        rssMb: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
        p99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
        maxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
        pending: metric(text, 'perfwatch_slow_query_samples_pending'),
        dropped,
      });
    } catch {
      // the exit check reports it
    }
  }, 1000);
  // Every GC_EVERY_S a full GC in the service (SIGUSR2, bench/servers/gc-on-signal.cjs), then the live
  // heap and the bounded structures: a leak grows the live heap, GC timing only the sampled one.
  // The load pauses first and every request in flight is answered: what is live then is the service's
  // own state, not the bodies of a backlog (on a loaded machine the backlog alone is tens of MB).
  const afterGc = [];
  const liveHeap = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    try {
      liveHeap.push(JSON.parse(line).liveHeapBytes / 2 ** 20);
    } catch {
      // not ours
    }
  });
  let paused = false;
  const gcTimer = setInterval(async () => {
    paused = true;
    try {
      await Promise.all(inflight);
      await new Promise((r) => setTimeout(r, 1000));
      const before = liveHeap.length;
      child.kill('SIGUSR2');
      for (let i = 0; i < 100 && liveHeap.length === before; i++)
        await new Promise((r) => setTimeout(r, 100));
      paused = false;
      const text = await (await fetch(`${url}/metrics`)).text();
      const bounded = Object.fromEntries(
        [...text.matchAll(/^perfwatch_bounded_memory_bytes\{component="([^"]*)"\} (\S+)$/gm)].map((m) => [
          m[1],
          Number(m[2]) / 2 ** 20,
        ]),
      );
      if (liveHeap.length > before)
        afterGc.push({ t: (Date.now() - started) / 1000, heapMb: liveHeap[liveHeap.length - 1], bounded });
    } catch {
      // the exit check reports it
    }
    paused = false;
  }, GC_EVERY_S * 1000);
  await new Promise((r) => setTimeout(r, MINUTES * 60_000));
  clearInterval(load);
  clearInterval(scrape);
  clearInterval(gcTimer);
  await Promise.all(inflight);
  const alive = child.exitCode === null && child.signalCode === null;
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  await cleanup();

  const slope = slopeOf(samples.slice(Math.floor(samples.length / 2)));
  // After the first two minutes (JIT, pools, caches warming), the live heap should be flat.
  const live = afterGc.filter((s) => s.t >= 120);
  const liveSlope = slopeOf(live);
  const firstLive = live[0];
  const lastLive = live[live.length - 1];
  const components = Object.keys(lastLive?.bounded ?? {})
    .filter((c) => (lastLive.bounded[c] ?? 0) > 0.05 || (firstLive?.bounded[c] ?? 0) > 0.05)
    .map((c) => `${c} ${(firstLive?.bounded[c] ?? 0).toFixed(1)} → ${lastLive.bounded[c].toFixed(1)}`);
  const p99s = samples
    .map((s) => s.p99Ms)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const median = p99s[Math.floor(p99s.length / 2)];
  const worstP99 = p99s[p99s.length - 1];
  const worstMax = Math.max(...samples.map((s) => s.maxMs).filter(Number.isFinite));
  const last = samples[samples.length - 1];
  const non2xx = [...statuses].filter(([k]) => !/ 2\d\d$/.test(k));
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  return [
    `### ${kind} (${MINUTES} min)`,
    '',
    `- requests: ${total} (${(total / (MINUTES * 60)).toFixed(0)}/s: ${RATE.ingest} ingest batches of 50 events, ${RATE.reads} reads, ${RATE.webhooks} webhook per second); non-2xx: ${non2xx.length === 0 ? 'none' : non2xx.map(([k, v]) => `${k} × ${v}`).join(', ')}`,
    `- process: ${alive ? 'alive throughout' : 'EXITED'}`,
    `- heap used: ${samples[0]?.heapMb.toFixed(1)} MB at start, ${last?.heapMb.toFixed(1)} MB at the end; slope over the second half ${(slope * 60).toFixed(2)} MB/min; RSS at the end ${last?.rssMb.toFixed(0)} MB`,
    `- live heap after a forced GC (every ${GC_EVERY_S} s with the load paused and drained, from minute 2): ${firstLive?.heapMb.toFixed(1)} → ${lastLive?.heapMb.toFixed(1)} MB, slope ${(liveSlope * 60).toFixed(2)} MB/min over ${live.length} points; bounded structures (MiB, perfwatch_bounded_memory_bytes): ${components.join(', ') || 'none'}`,
    `- live heap series (MB): ${live.map((s) => s.heapMb.toFixed(1)).join(' ')}`,
    `- event-loop lag p99 (per 1 s scrape): median ${median?.toFixed(1)} ms, worst ${worstP99?.toFixed(1)} ms; worst max ${worstMax.toFixed(0)} ms`,
    `- slow-query samples pending at the end: ${last?.pending}`,
    `- perfwatch_dropped_total at the end: ${last?.dropped.length ? last.dropped.join('; ') : 'nothing'}`,
    '',
  ].join('\n');
}

const results = await Promise.all(STORES.map((s) => soak(s)));
console.log(results.join('\n'));
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
