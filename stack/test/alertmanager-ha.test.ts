/**
 * docs/scaling.md, verified: two Alertmanager 0.25 processes clustered over loopback receive every
 * alert (as Prometheus sends to all of them); one is killed mid-run; each notification still arrives
 * exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinaries } from '../src/binaries';
import { type Daemon, startAlertmanager } from '../src/daemons';
import { freePort } from '../src/processes';
import { Sinks } from '../src/sinks';

jest.setTimeout(120_000);

interface WebhookBody {
  status: string;
  groupKey: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Posts an alert to every Alertmanager still running, the way Prometheus does with an HA pair. */
async function post(ams: Daemon[], name: string, o: { resolved?: boolean } = {}) {
  const now = new Date();
  const alert = {
    labels: { alertname: name, severity: 'critical', route: `/ha/${name}` },
    annotations: { summary: `${name} for the HA test` },
    startsAt: new Date(now.getTime() - 1000).toISOString(),
    ...(o.resolved ? { endsAt: now.toISOString() } : {}),
  };
  await Promise.all(
    ams
      .filter((a) => !a.proc.exited)
      .map((a) =>
        fetch(`${a.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([alert]),
        }),
      ),
  );
}

async function notificationsSent(am: Daemon): Promise<number> {
  const text = await (await fetch(`${am.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('alertmanager_notifications_total{integration="webhook"}'));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('Alertmanager HA pair on loopback', () => {
  let dir: string;
  let sinks: Sinks;
  const ams: Daemon[] = [];

  beforeAll(async () => {
    const bins = findBinaries(['alertmanager']);
    dir = mkdtempSync(path.join(tmpdir(), 'pw-am-ha-'));
    sinks = new Sinks();
    await sinks.start();
    const config = path.join(dir, 'alertmanager.yml');
    writeFileSync(
      config,
      [
        'route:',
        '  receiver: hook',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: ${sinks.url}/webhook`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const [c1, c2, w1, w2] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const common = {
      bin: bins.alertmanager,
      configFile: config,
      dataDir: dir,
      logDir: dir,
      peerTimeout: '2s',
      gossipInterval: '50ms',
    };
    ams.push(
      ...(await Promise.all([
        startAlertmanager({
          ...common,
          name: 'am-1',
          webPort: w1,
          clusterPort: c1,
          peers: [`127.0.0.1:${c2}`],
        }),
        startAlertmanager({
          ...common,
          name: 'am-2',
          webPort: w2,
          clusterPort: c2,
          peers: [`127.0.0.1:${c1}`],
        }),
      ])),
    );
  });

  afterAll(async () => {
    await Promise.all(ams.map((a) => a.proc.stop()));
    await sinks?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const received = (name: string, status: string) =>
    sinks.webhooks.filter((w) => {
      const b = w.body as WebhookBody;
      return b.status === status && b.alerts.some((a) => a.labels.alertname === name);
    }).length;

  test('one notification per alert and status while both run, and after the notifying peer is killed', async () => {
    // Wait for the two to see each other.
    const deadline = Date.now() + 30_000;
    let peers = 0;
    while (Date.now() < deadline) {
      const status = await json<{ cluster: { peers: unknown[]; status: string } }>(
        `${ams[0].url}/api/v2/status`,
      );
      peers = status.cluster.peers.length;
      if (peers === 2 && status.cluster.status === 'ready') break;
      await sleep(200);
    }
    expect(peers).toBe(2);

    // 1. Both receive alert A; exactly one notification, from the peer in position 0.
    await post(ams, 'HaFirst');
    await sinks.waitFor(
      () => (received('HaFirst', 'firing') > 0 ? true : undefined),
      20_000,
      'HaFirst notification',
    );
    // Longer than peer-timeout × positions plus a group interval: a duplicate would have arrived by now.
    await sleep(6000);
    expect(received('HaFirst', 'firing')).toBe(1);
    const sent = await Promise.all(ams.map(notificationsSent));
    expect([...sent].sort()).toEqual([0, 1]);
    const notifier = ams[sent.indexOf(1)];
    const survivor = ams.find((a) => a !== notifier)!;

    // 2. Kill the notifying peer mid-run (no goodbye: SIGKILL).
    notifier.proc.signal('SIGKILL');
    await notifier.proc.waitForExit();

    // 3. A new alert reaches only the survivor: it notifies, once; and it does not repeat HaFirst,
    //    whose notification it learnt about through gossip.
    await post(ams, 'HaSecond');
    await sinks.waitFor(
      () => (received('HaSecond', 'firing') > 0 ? true : undefined),
      20_000,
      'HaSecond notification',
    );
    await post(ams, 'HaFirst', { resolved: true });
    await sinks.waitFor(
      () => (received('HaFirst', 'resolved') > 0 ? true : undefined),
      20_000,
      'HaFirst resolved',
    );
    await sleep(6000);
    expect(received('HaSecond', 'firing')).toBe(1);
    expect(received('HaFirst', 'firing')).toBe(1);
    expect(received('HaFirst', 'resolved')).toBe(1);
    expect(await notificationsSent(survivor)).toBe(2);
  });
});
