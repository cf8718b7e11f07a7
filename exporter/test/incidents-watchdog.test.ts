/*
 * The dead man's switch: Alertmanager delivers the always-firing Watchdog to Perfwatch's webhook;
 * when it stops arriving, Perfwatch opens a critical incident itself and resolves it when it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { IncidentRepository } from '../src/incidents/repository';
import { MISSING_LABELS, WatchdogMonitor } from '../src/incidents/watchdog';
import { openStore, type Store } from '../src/store/store';

const T0 = Date.parse('2026-12-06T00:00:00Z');
const MIN = 60_000;

let store: Store;
let repo: IncidentRepository;
let dir: string;
let gauge: number | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-watchdog-'));
  store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
  await store.migrate();
  repo = new IncidentRepository(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = async (now: number) =>
  (
    await repo.list(
      { status: ['investigating', 'identified', 'monitoring'], labels: Object.entries(MISSING_LABELS) },
      'createdAt',
      'desc',
      10,
      0,
      now,
    )
  ).items;

test('silent before a first Watchdog; an overdue Watchdog opens one critical incident; its return resolves it', async () => {
  const monitor = new WatchdogMonitor(repo, 15 * MIN, { set: (v) => (gauge = v) }, pino({ level: 'silent' }));
  await monitor.check(T0 + 60 * MIN);
  expect(await open(T0 + 60 * MIN)).toHaveLength(0);

  await monitor.seen(T0);
  expect(gauge).toBe(T0 / 1000);
  await monitor.check(T0 + 15 * MIN);
  expect(await open(T0 + 15 * MIN)).toHaveLength(0);

  await monitor.check(T0 + 16 * MIN);
  await monitor.check(T0 + 17 * MIN);
  const opened = await open(T0 + 17 * MIN);
  expect(opened).toHaveLength(1);
  expect(opened[0]).toMatchObject({ severity: 'critical', title: expect.stringMatching(/Watchdog/) });

  await monitor.seen(T0 + 20 * MIN);
  expect(await open(T0 + 20 * MIN)).toHaveLength(0);
});
