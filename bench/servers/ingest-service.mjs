// The Perfwatch service as `perfwatch serve` runs it (dist build, SQLite store, slow-query capture,
// N+1 detection, custom metrics), plus the parse-bound baseline, measured in this same process so
// both numbers come from the same CPU and runtime.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { batches, CUSTOM_METRICS, withBatchId } from '../ingest-events.mjs';

const require = createRequire(import.meta.url);
const { parseConfig } = require('../../exporter/dist/config/load.js');
const { startService } = require('../../exporter/dist/server/service.js');
const { createLogger } = require('../../exporter/dist/logger.js');
const { Registry } = require('prom-client');
const { Recorder } = require('../../exporter/library/dist/core/recorder.js');
const { CustomMetrics } = require('../../exporter/library/dist/custom/metrics.js');
const { Ingestor } = require('../../exporter/dist/ingest/ingest.js');
const { ingestConfigSchema } = require('../../exporter/dist/ingest/schema.js');
const { EventValidator } = require('../../exporter/dist/ingest/validator.js');
const { SlowQueryCapture } = require('../../exporter/library/dist/queries/capture.js');
const { DEFAULT_QUERIES_CONFIG } = require('../../exporter/library/dist/queries/config.js');

const { BODIES, EVENTS_PER_BATCH, TOKEN } = process.env;
const dir = mkdtempSync(path.join(tmpdir(), 'perfwatch-bench-ingest-'));
const service = await startService(
  parseConfig({
    server: { port: 0, host: '127.0.0.1', systemMetrics: false },
    store: { url: `sqlite:${path.join(dir, 'perfwatch.db')}` },
    tokens: [{ name: 'bench', token: TOKEN, scopes: ['ingest', 'read'] }],
    log: { level: 'silent' },
    customMetrics: CUSTOM_METRICS,
  }),
  { logger: createLogger('silent') },
);

// The bodies as sent (the load generator only makes each batch's request ids unique).
const bodies = batches(Number(BODIES), Number(EVENTS_PER_BATCH)).map((b) => withBatchId(b.body, 0));

/** JSON.parse of the same bodies (with fresh request ids, as sent) for `ms`: the parse-bound limit. */
function parseRate(ms) {
  const start = performance.now();
  let events = 0;
  let i = 0;
  while (performance.now() - start < ms) {
    events += JSON.parse(bodies[i++ % bodies.length]).events.length;
  }
  return events / ((performance.now() - start) / 1000);
}

/**
 * Where an event's time goes, without HTTP: microseconds per event for JSON.parse, for validation
 * alone (the compiled validator, zod only for refused events), and for validation plus recording (a fresh recorder with slow-query capture and N+1 detection
 * per pass, as in the service). Best of three passes over all bodies.
 */
function breakdown() {
  const limits = ingestConfigSchema.parse({});
  const validator = new EventValidator(limits);
  const best = { parse: Infinity, validate: Infinity, ingest: Infinity };
  for (let pass = 0; pass < 3; pass++) {
    let t = performance.now();
    const parsed = bodies.map((b) => JSON.parse(b).events);
    const n = parsed.reduce((a, e) => a + e.length, 0);
    best.parse = Math.min(best.parse, ((performance.now() - t) * 1000) / n);
    t = performance.now();
    for (const events of parsed) for (const e of events) validator.check(e);
    best.validate = Math.min(best.validate, ((performance.now() - t) * 1000) / n);
    const recorder = new Recorder(new Registry());
    const custom = new CustomMetrics(recorder, limits.maxLabelLength);
    for (const d of CUSTOM_METRICS) custom.declare(d);
    const capture = new SlowQueryCapture(recorder, DEFAULT_QUERIES_CONFIG, undefined);
    const ingestor = new Ingestor(recorder, limits, custom);
    t = performance.now();
    for (const events of parsed) ingestor.ingest(events);
    best.ingest = Math.min(best.ingest, ((performance.now() - t) * 1000) / n);
    void capture.stop();
  }
  return best;
}

function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

// bench:ingest's durability comparison switches between the shipped acknowledgement (200 once the
// batch's slow-query samples are committed: a group commit per wave of requests) and the behaviour
// before issue 12 (200 at once; the 5 s interval flush writes them later), in this same process.
// The capability object the ingestion route asks for on every request (ctx.need), so swapping its
// commit switches the acknowledgement.
const slowQueries = service.ctx.need('slowQueries');
const durableCommit = slowQueries.commit;
const ackBeforeCommit = async () => true;

process.on('message', (m) => {
  if (m.cmd === 'ack') {
    slowQueries.commit = m.durable ? durableCommit : ackBeforeCommit;
    process.send({ id: m.id });
  } else if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    process.send({ id: m.id, us: c.user + c.system });
  } else if (m.cmd === 'parse') process.send({ id: m.id, eventsPerSecond: parseRate(m.ms) });
  else if (m.cmd === 'memory') process.send({ id: m.id, ...memory() });
  else if (m.cmd === 'breakdown') process.send({ id: m.id, ...breakdown() });
  else if (m.cmd === 'stop')
    void service.stop().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
});
process.send({ port: service.port });
