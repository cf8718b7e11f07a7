#!/usr/bin/env node
/**
 * Load for the demo shop:
 *   perfwatch-load [--target http://127.0.0.1:3000] [--rps 20] [--duration 60]
 *                  [--phase slow-checkout] [--schedule normal:300,slow-checkout:180,...] [--loop]
 *                  [--heartbeat /tmp/load-heartbeat]   (touched every report: a liveness file for healthchecks)
 * Environment: DEMO_TARGET, LOAD_RPS, LOAD_SCHEDULE, LOAD_LOOP=1, DEMO_ADMIN_TOKEN.
 * Combine faults in a schedule step with "+": slow-checkout+failing-jobs:60.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSchedule, runLoad, setPhase } from './load';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    rps: { type: 'string' },
    duration: { type: 'string' },
    phase: { type: 'string' },
    schedule: { type: 'string' },
    loop: { type: 'boolean' },
    heartbeat: { type: 'string' },
  },
});

async function main() {
  const env = process.env;
  const target = values.target ?? env.DEMO_TARGET ?? 'http://127.0.0.1:3000';
  const rps = Number(values.rps ?? env.LOAD_RPS ?? 20);
  if (!(rps > 0 && rps <= 2000)) throw new Error('--rps must be between 0 and 2000');
  const scheduleText = values.schedule ?? env.LOAD_SCHEDULE;
  const schedule = scheduleText ? parseSchedule(scheduleText) : undefined;
  const adminToken = env.DEMO_ADMIN_TOKEN || undefined;
  // Wait for the shop to answer (compose starts both at once).
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${target}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i >= 120) throw new Error(`${target}/healthz did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (values.phase) await setPhase(target, values.phase, adminToken);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  console.log(JSON.stringify({ msg: 'load started', target, rps, schedule: scheduleText ?? null }));
  const total = await runLoad({
    target,
    rps,
    durationSeconds: values.duration ? Number(values.duration) : undefined,
    schedule,
    loop: values.loop ?? env.LOAD_LOOP === '1',
    adminToken,
    signal: controller.signal,
    reportEveryMs: 5000,
    onReport: (r) => {
      console.log(JSON.stringify({ msg: 'load', ...r }));
      if (values.heartbeat) writeFileSync(values.heartbeat, new Date().toISOString());
    },
  });
  console.log(JSON.stringify({ msg: 'load finished', ...total }));
}

main().catch((err: unknown) => {
  console.error(`perfwatch-load: ${(err as Error).message}`);
  process.exit(1);
});
