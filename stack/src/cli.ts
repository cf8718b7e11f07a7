#!/usr/bin/env node
/**
 * npm run stack [-- options]: the whole Perfwatch loop natively (see README, "Full stack").
 *   --rps N               demo load in requests/s (default 10; 0 for none)
 *   --phase NAME          start the demo in a phase (normal, slow-checkout, error-burst, n-plus-one, failing-jobs)
 *   --schedule STEPS      cycle phases, e.g. normal:300,slow-checkout:180 (loops)
 *   --scrape-interval D   Prometheus scrape and rule interval (default 5s)
 *   --ephemeral-ports     pick free ports instead of 9090/9093/9100/9470/8080/8025/1025
 *   --laravel             also serve examples/laravel-app on 8081 (needs PHP: scripts/install-system-deps.sh)
 */
import { parseArgs } from 'node:util';
import { MissingBinariesError } from './binaries';
import { startStack } from './stack';

const { values } = parseArgs({
  options: {
    rps: { type: 'string' },
    phase: { type: 'string' },
    schedule: { type: 'string' },
    'scrape-interval': { type: 'string' },
    'ephemeral-ports': { type: 'boolean' },
    laravel: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

async function main(): Promise<number | undefined> {
  if (values.help) {
    console.log(readUsage());
    return 0;
  }
  const started = Date.now();
  const stack = await startStack({
    rps: values.rps !== undefined ? Number(values.rps) : undefined,
    phase: values.phase,
    schedule: values.schedule,
    scrapeInterval: values['scrape-interval'],
    ports: values['ephemeral-ports'] ? 'ephemeral' : undefined,
    laravel: values.laravel,
    log: (line) => console.log(`  ${line}`),
  });
  const u = stack.urls;
  const rows: Array<[string, string, string]> = [
    ['Demo shop', u.demo, 'switch phases: see below'],
    ...(u.laravel
      ? [['Laravel example', u.laravel, 'routes: examples/laravel-app/README.md'] as [string, string, string]]
      : []),
    ['Perfwatch service', u.exporter, `API token (write scope): ${stack.tokens.write}`],
    ['Prometheus', u.prometheus, `alerts: ${u.prometheus}/alerts`],
    ['Alertmanager', u.alertmanager, ''],
    ['node_exporter', `${u.nodeExporter}/metrics`, ''],
    ['Email + Slack sink', u.sinks, `SMTP ${u.smtp}`],
  ];
  const w = Math.max(...rows.map((r) => r[1].length));
  console.log(`
Perfwatch stack is up (${((Date.now() - started) / 1000).toFixed(1)} s). Logs and data: ${stack.runDir}

${rows.map(([name, url, note]) => `  ${name.padEnd(20)}${url.padEnd(w + 2)}${note}`.trimEnd()).join('\n')}

Switch the demo's phase (normal, slow-checkout, error-burst, n-plus-one, failing-jobs):
  curl -X PUT -H 'content-type: application/json' -H 'authorization: Bearer ${stack.tokens.admin}' \\
    -d '{"phase":"slow-checkout"}' ${u.demo}/admin/phase

Grafana is not part of the native stack (no Grafana binary here): use docker compose up for it,
or point a Grafana at ${u.prometheus} and import dashboards/*.json.

Ctrl-C stops everything.`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${sig}: stopping…`);
      stack.stop().then(resolve, resolve);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    // A component that dies takes the stack down rather than leaving half of it running.
    for (const [name, p] of Object.entries(stack.processes))
      void p.waitForExit().then(() => {
        if (!stopping && name !== 'load') {
          console.error(`${name} exited (${p.exitDescription()}); see ${p.logFile}`);
          onSignal('component exit');
        }
      });
  });
  console.log('stopped');
  return 0;
}

function readUsage(): string {
  return 'usage: npm run stack -- [--rps 10] [--phase normal] [--schedule normal:300,slow-checkout:180] [--scrape-interval 5s] [--ephemeral-ports] [--laravel]';
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof MissingBinariesError) console.error(`npm run stack: ${err.message}`);
    else console.error(`npm run stack: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
