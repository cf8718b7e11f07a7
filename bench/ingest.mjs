// Ingestion benchmark: events per second through POST /api/v1/events with realistic batches, against
// the parse-bound limit (a bare JSON.parse of the same bodies, in the service's own process, same run),
// and the service's memory before and after a sustained run.
import { fork, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { batches, withBatchId } from './ingest-events.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS_PER_BATCH = Number(process.env.BENCH_BATCH ?? 200);
const BODIES = Number(process.env.BENCH_BODIES ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SUSTAIN = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const TOKEN = 'bench-ingest-token-0123456789';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
// Two cores: the service on CPU 0, the load generator on CPU 1, so they do not compete.
if (hasTaskset && !process.env.BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const child = fork(path.join(here, 'servers', 'ingest-service.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execPath: hasTaskset ? 'taskset' : process.execPath,
  execArgv: [
    ...(hasTaskset ? ['-c', '0', process.execPath] : []),
    '--expose-gc',
    // BENCH_PROFILE_DIR=<dir> writes a CPU profile of the service, to see where ingestion time goes.
    ...(process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : []),
  ],
  env: { ...process.env, BODIES: String(BODIES), EVENTS_PER_BATCH: String(EVENTS_PER_BATCH), TOKEN },
});
let nextId = 0;
const ask = (msg) =>
  new Promise((resolve) => {
    const id = nextId++;
    const onMessage = (m) => {
      if (m.id !== id) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ ...msg, id });
  });

const bodies = batches(BODIES, EVENTS_PER_BATCH);
const totalEvents = bodies.reduce((n, b) => n + b.events, 0);
const meanBytes = Math.round(bodies.reduce((n, b) => n + b.body.length, 0) / bodies.length);
let batchNo = 0;
let sentEvents = 0;

/** Loads the service for `seconds`; every request carries the next body with fresh request ids. */
async function load(port, seconds) {
  const before = sentEvents;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/events`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    requests: [
      {
        setupRequest: (req) => {
          const b = bodies[batchNo % bodies.length];
          req.body = withBatchId(b.body, batchNo++);
          sentEvents += b.events;
          return req;
        },
      },
    ],
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx responses, ${r.errors} errors`);
  // Requests still in flight when autocannon stops were counted as sent but not as answered.
  const answered = r.requests.total;
  return {
    eventsPerSecond: (answered * (sentEvents - before)) / r.requests.sent / seconds,
    requests: answered,
  };
}

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const k = (n) => `${Math.round(n / 1000)}k`;

try {
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before listening`)));
  });
  console.error(
    `${BODIES} bodies of ${EVENTS_PER_BATCH} events (${totalEvents} events, mean ${meanBytes} bytes)`,
  );
  await load(port, 3); // warm-up: JIT, connections, first label values
  await ask({ cmd: 'parse', ms: 2000 });

  // BENCH_ACK_COMPARE=1: the durable 200-after-commit path against ack-before-commit (before issue 12),
  // alternated in this run (durable, early, early, durable, …) so drift in the machine's load falls on
  // both alike; the cost of durability is the ratio.
  if (process.env.BENCH_ACK_COMPARE) {
    const rate = { durable: [], early: [] };
    // The service's CPU time per event too: on a shared machine throughput follows the load, CPU less so.
    const cpu = { durable: [], early: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const durable of round % 2 === 0 ? [true, false] : [false, true]) {
        await ask({ cmd: 'ack', durable });
        const mode = durable ? 'durable' : 'early';
        const [c0, e0] = [(await ask({ cmd: 'cpu' })).us, sentEvents];
        rate[mode].push((await load(port, SECONDS)).eventsPerSecond);
        cpu[mode].push(((await ask({ cmd: 'cpu' })).us - c0) / (sentEvents - e0));
        console.error(
          `round ${round + 1}/${ROUNDS} ${durable ? 'durable' : 'early'}: ${k(rate[durable ? 'durable' : 'early'].at(-1))} events/s, load ${os.loadavg()[0].toFixed(1)}`,
        );
      }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const pairs = rate.durable.map((d, i) => d / rate.early[i]);
    console.log(
      [
        '| acknowledgement | events/s per round | mean |',
        '| --- | --- | ---: |',
        `| 200 after commit (shipped) | ${rate.durable.map(Math.round).join(' / ')} | ${Math.round(mean(rate.durable))} |`,
        `| 200 before commit (before issue 12) | ${rate.early.map(Math.round).join(' / ')} | ${Math.round(mean(rate.early))} |`,
        `| **durable / early** | ${pairs.map((r) => r.toFixed(3)).join(' / ')} | **${(mean(rate.durable) / mean(rate.early)).toFixed(3)}** |`,
        '',
        '| service CPU per event (µs) | per round | mean |',
        '| --- | --- | ---: |',
        `| 200 after commit (shipped) | ${cpu.durable.map((x) => x.toFixed(1)).join(' / ')} | ${mean(cpu.durable).toFixed(1)} |`,
        `| 200 before commit (before issue 12) | ${cpu.early.map((x) => x.toFixed(1)).join(' / ')} | ${mean(cpu.early).toFixed(1)} |`,
        `| **durable / early** | | **${(mean(cpu.durable) / mean(cpu.early)).toFixed(3)}** |`,
        '',
        `${ROUNDS} rounds of ${SECONDS} s each way, ${CONNECTIONS} connections, batches of ${EVENTS_PER_BATCH} events; node ${process.version}, load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      ].join('\n'),
    );
    child.send({ cmd: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
    process.exit(0);
  }
  const ingest = [];
  const parse = [];
  for (let round = 0; round < ROUNDS; round++) {
    parse.push((await ask({ cmd: 'parse', ms: SECONDS * 500 })).eventsPerSecond);
    ingest.push((await load(port, SECONDS)).eventsPerSecond);
    console.error(
      `round ${round + 1}/${ROUNDS}: ingest ${k(ingest.at(-1))} events/s, JSON.parse ${k(parse.at(-1))} events/s`,
    );
  }

  const cost = await ask({ cmd: 'breakdown' });
  const before = await ask({ cmd: 'memory' });
  const sustained = await load(port, SUSTAIN);
  const after = await ask({ cmd: 'memory' });
  console.error(
    `sustained ${SUSTAIN} s: ${k(sustained.eventsPerSecond)} events/s, RSS ${mib(before.rss)} → ${mib(after.rss)}`,
  );

  // Proof the service recorded every event it acknowledged, and rejected none.
  const metrics = await (
    await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const count = (status) =>
    [
      ...metrics.matchAll(
        new RegExp(`^perfwatch_ingest_events_total\\{[^}]*status="${status}"[^}]*\\} (\\S+)`, 'gm'),
      ),
    ]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  const accepted = count('accepted');
  const rejected = count('rejected');
  if (rejected > 0) throw new Error(`${rejected} events rejected`);
  const slowSeries = /^db_client_slow_queries_total\{[^}]*\} [1-9]/m.test(metrics);
  if (!slowSeries) throw new Error('no slow query was recorded');

  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(ingest) / mean(parse);
  const table = [
    '| measure | events/s (mean of rounds) | min–max |',
    '| --- | ---: | ---: |',
    `| POST /api/v1/events | ${Math.round(mean(ingest))} | ${Math.round(Math.min(...ingest))}–${Math.round(Math.max(...ingest))} |`,
    `| JSON.parse of the same bodies | ${Math.round(mean(parse))} | ${Math.round(Math.min(...parse))}–${Math.round(Math.max(...parse))} |`,
    `| **ratio** | **${ratio.toFixed(3)}** | |`,
  ].join('\n');
  const memory = [
    '| | RSS | heap used |',
    '| --- | ---: | ---: |',
    `| before the sustained run | ${mib(before.rss)} | ${mib(before.heapUsed)} |`,
    `| after ${SUSTAIN} s at ${Math.round(sustained.eventsPerSecond)} events/s | ${mib(after.rss)} | ${mib(after.heapUsed)} |`,
  ].join('\n');
  const perEvent = 1e6 / mean(ingest);
  const us = (x) => x.toFixed(2);
  const costs = [
    '| per event | µs |',
    '| --- | ---: |',
    `| JSON.parse | ${us(cost.parse)} |`,
    `| validation (ajv compiled from the zod schema) | ${us(cost.validate)} |`,
    `| recording (recorder, slow-query sampler, N+1 detector, prom-client) | ${us(cost.ingest - cost.validate)} |`,
    `| HTTP, body reading and the rest (what remains of ${us(perEvent)} µs per event under load) | ${us(Math.max(0, perEvent - cost.parse - cost.ingest))} |`,
  ].join('\n');
  console.log(
    `${table}\n\n${costs}\n\n${memory}\n\naccepted ${accepted} events in all, rejected ${rejected}`,
  );
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const out = path.join(here, 'INGEST.md');
  const prettier = await import('prettier');
  const report = `# Ingestion benchmark

\`npm run bench:ingest\`: the Perfwatch service (dist build, SQLite store, slow-query capture and N+1
detection on, one declared custom metric) in its own process pinned to CPU 0; autocannon in a separate
process pinned to CPU 1 posts ${BODIES} pre-built batches of ${EVENTS_PER_BATCH} events (mean ${meanBytes} bytes) with
${CONNECTIONS} connections, each request with fresh request ids. A batch is what a Laravel app's
middleware produces, buffered: per app request 3–12 queries (2 % of them slow, over the 100 ms
threshold), the request itself, and now and then a job, a file operation or a custom counter
(\`bench/ingest-events.mjs\`). The parse-bound limit is a bare \`JSON.parse\` of the same bodies in the
service's process, measured between the load rounds (${ROUNDS} rounds of ${SECONDS} s load after a 3 s warm-up).
Memory is read after a forced GC before and after a sustained ${SUSTAIN} s run. The run is only
reported if every request got a 2xx, no event was rejected and slow queries were recorded.

Run on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu}, ${os.cpus().length} cores.

${table}

Where an event's time goes (measured in the service's process between the rounds, without HTTP, best
of three passes over all bodies):

${costs}

${memory}

Accepted ${accepted} events in all (warm-up included).

## Reading the numbers

The ratio compares the whole path with \`JSON.parse\` alone. Since issue 19 events are validated by
validators ajv compiles from the zod event schema (zod still decides, and words the reason for, every
event they refuse), and a batch's query counts reach prom-client once per label set. What is left per
event is mostly prom-client's \`observe()\` (it validates and hashes the label set on every call, even
through a cached child: one to three calls per event), garbage collection, the N+1 detector's
per-request state for query events, and outside the process' recording: HTTP and body reading. One core
takes tens of thousands of events per second, far more than the PHP apps this endpoint serves send (a
busy app at 500 requests/s with 10 queries each sends about 5 500 events/s), and memory is flat under
sustained load because every buffer is bounded (label caps, slow-query ring, N+1 request map).
`;
  // Formatted as the repository's prettier config wants, so \`npm run lint\` passes on the result.
  const options = (await prettier.resolveConfig(out)) ?? {};
  writeFileSync(out, await prettier.format(report, { ...options, filepath: out }));
} finally {
  child.send({ cmd: 'stop' });
}
