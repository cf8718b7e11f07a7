#!/usr/bin/env node
/**
 * Runs the demo shop. Settings come from flags or the environment:
 *   --port / PORT (3000), --phase / DEMO_PHASE (normal), DATABASE_URL, REDIS_URL, DEMO_SCHEMA,
 *   DEMO_QUEUE_PREFIX, UPLOAD_DIR, DEMO_ADMIN_TOKEN, PERFWATCH_CONFIG (buckets and slow-query settings),
 *   PERFWATCH_STORE_URL (the Perfwatch service's store, for slow-query samples).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@perfwatch/exporter';
import { startDemo } from './app';
import { PHASES } from './phases';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    phase: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    `usage: perfwatch-demo [--port 3000] [--host 0.0.0.0] [--phase normal]\n\nphases:\n${Object.entries(
      PHASES,
    )
      .map(([k, v]) => `  ${k.padEnd(14)} ${v}`)
      .join(
        '\n',
      )}\n\nSwitch later with: curl -X PUT -H 'content-type: application/json' -d '{"phase":"slow-checkout"}' http://localhost:3000/admin/phase`,
  );
  process.exit(0);
}

async function main() {
  const env = process.env;
  // The same perfwatch.yml as the service, so buckets (and the SLA targets merged into them) agree.
  const config = loadConfig(env.PERFWATCH_CONFIG, {});
  const demo = await startDemo({
    port: Number(values.port ?? env.PORT ?? 3000),
    host: values.host ?? env.HOST,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: env.DEMO_SCHEMA,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: env.DEMO_QUEUE_PREFIX,
    uploadDir: env.UPLOAD_DIR ?? path.join(tmpdir(), 'perfwatch-demo'),
    adminToken: env.DEMO_ADMIN_TOKEN || undefined,
    phase: values.phase ?? env.DEMO_PHASE,
    perfwatch: {
      httpBuckets: config.metrics.httpBuckets,
      // Every SLA latency target (and route threshold) becomes a bucket, as in the service: without
      // them the rules' within-target series is missing (SLASLIMissing caught /api/upload's 2 s).
      sla: config.sla,
      queries: config.queries,
      systemMetrics: false,
      // The service's store, so the demo's slow queries show on the Grafana app's Slow queries page.
      store: env.PERFWATCH_STORE_URL || undefined,
    },
  });
  console.log(JSON.stringify({ msg: 'demo listening', url: demo.url, phase: demo.phase() }));
  const shutdown = (signal: string) => {
    console.log(JSON.stringify({ msg: 'demo stopping', signal }));
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`perfwatch-demo: ${(err as Error).message}`);
  process.exit(1);
});
