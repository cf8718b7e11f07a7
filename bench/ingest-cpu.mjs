// Service CPU per ingested event: a fixed number of batches posted to the bench service (the same one
// bench:ingest runs), the service's own CPU time (user + system, from process.cpuUsage) divided by the
// events. CPU time, unlike events/s, hardly moves with the machine's load, so it compares code changes
// on a busy machine. BENCH_PROFILE_DIR=<dir> writes a CPU profile of the service.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { batches, withBatchId } from './ingest-events.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS_PER_BATCH = Number(process.env.BENCH_BATCH ?? 200);
const BODIES = Number(process.env.BENCH_BODIES ?? 300);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const TOKEN = 'bench-ingest-token-0123456789';

const child = fork(path.join(here, 'servers', 'ingest-service.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: [
    '--expose-gc',
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
let batchNo = 0;

/** Posts `amount` batches; returns how many events they held. */
async function post(port, amount) {
  let events = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/events`,
    connections: CONNECTIONS,
    amount,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    requests: [
      {
        setupRequest: (req) => {
          const b = bodies[batchNo % bodies.length];
          req.body = withBatchId(b.body, batchNo++);
          events += b.events;
          return req;
        },
      },
    ],
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx responses, ${r.errors} errors`);
  return events;
}

try {
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before listening`)));
  });
  // BENCH_ACK=early: 200 before the commit (before issue 12), to measure what durability costs.
  if (process.env.BENCH_ACK === 'early') await ask({ cmd: 'ack', durable: false });
  await post(port, Math.max(100, REQUESTS / 4)); // warm-up: JIT, connections, first label values
  const perEvent = [];
  for (let round = 0; round < ROUNDS; round++) {
    const c0 = (await ask({ cmd: 'cpu' })).us;
    const events = await post(port, REQUESTS);
    perEvent.push(((await ask({ cmd: 'cpu' })).us - c0) / events);
    console.error(`round ${round + 1}/${ROUNDS}: ${perEvent.at(-1).toFixed(2)} µs of service CPU per event`);
  }
  const sorted = [...perEvent].sort((a, b) => a - b);
  console.log(
    `service CPU per event: median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} µs, ` +
      `min ${sorted[0].toFixed(2)} µs (${ROUNDS} rounds of ${REQUESTS} batches of ${EVENTS_PER_BATCH} events)`,
  );
} finally {
  child.send({ cmd: 'stop' });
}
