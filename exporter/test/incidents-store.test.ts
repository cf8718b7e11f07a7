import { parseConfig } from '../src/config/load';
import { mapNotification, webhookPayloadSchema } from '../src/incidents/alertmanager-payload';
import type { NotificationOptions } from '../src/incidents/grouping';
import { migratedStore } from './support/test-store';
import { IncidentRepository } from '../src/incidents/repository';
import { incidentStats } from '../src/incidents/stats';
import type { Store } from '../src/store/store';
import { amPayload, type AlertInput } from './support/alertmanager';

const config = parseConfig({}).incidents;
const OPTIONS: NotificationOptions = {
  reopenWindowMs: 30 * 60_000,
  onAlertsResolved: 'resolve',
  maxAlertsPerIncident: 3,
};
const T0 = Date.parse('2026-02-01T00:00:00Z');
const MIN = 60_000;
const actor = { name: 'alice', tokenName: 'writer' };

const groups = (groupKey: string, alerts: AlertInput[]) =>
  mapNotification(webhookPayloadSchema.parse(amPayload(groupKey, alerts)), config).groups;

describe.each(['sqlite', 'postgres'])('%s incident store', (kind) => {
  let store: Store;
  let repo: IncidentRepository;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await migratedStore(kind, 'pw-incidents-'));
    repo = new IncidentRepository(store);
  });
  afterAll(() => close());

  let seq = 0;
  const key = () => `{}:{alertname="Store${kind}${++seq}"}`;
  const labels = () => ({ alertname: `Store${kind}${seq}`, severity: 'critical' });

  test('a re-fire within the reopen window reopens the incident', async () => {
    const k = key();
    const l = labels();
    const [opened] = await repo.applyNotification(groups(k, [{ labels: l }]), OPTIONS, T0);
    await repo.applyNotification(groups(k, [{ labels: l, status: 'resolved' }]), OPTIONS, T0 + MIN);
    const [again] = await repo.applyNotification(
      groups(k, [{ labels: l, startsAt: '2026-02-01T00:20:00Z' }]),
      OPTIONS,
      T0 + 20 * MIN,
    );
    expect(again).toMatchObject({ incidentId: opened.incidentId, action: 'reopened', diagnose: 'reopened' });
    expect((await repo.summary(opened.incidentId!, T0))!.reopenCount).toBe(1);
  });

  test('a re-fire after the reopen window opens a new incident', async () => {
    const k = key();
    const l = labels();
    const [first] = await repo.applyNotification(groups(k, [{ labels: l }]), OPTIONS, T0);
    await repo.applyNotification(groups(k, [{ labels: l, status: 'resolved' }]), OPTIONS, T0 + MIN);
    const [second] = await repo.applyNotification(
      groups(k, [{ labels: l, startsAt: '2026-02-01T02:00:00Z' }]),
      OPTIONS,
      T0 + 120 * MIN,
    );
    expect(second.action).toBe('opened');
    expect(second.incidentId).not.toBe(first.incidentId);
    expect((await repo.summary(first.incidentId!, T0 + 120 * MIN))!.status).toBe('resolved');
  });

  test('concurrent deliveries of one new group open exactly one incident', async () => {
    const k = key();
    const g = groups(k, [{ labels: labels() }]);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => repo.applyNotification(g, OPTIONS, T0)),
    );
    const ids = new Set(results.map(([r]) => r.incidentId));
    expect(ids.size).toBe(1);
    const detail = await repo.get([...ids][0]!, T0);
    expect(detail!.timeline.map((e) => e.kind)).toEqual(['opened', 'notified', 'alertFired']);
    expect(detail!.notificationCount).toBe(8);
  });

  test('alerts past maxAlertsPerIncident are not stored and are reported', async () => {
    const k = key();
    const alerts = Array.from({ length: 5 }, (_, i) => ({ labels: { ...labels(), instance: `i${i}` } }));
    const [r] = await repo.applyNotification(groups(k, alerts), OPTIONS, T0);
    expect(r.droppedAlerts).toBe(2);
    expect((await repo.get(r.incidentId!, T0))!.alerts).toHaveLength(3);
  });

  test('retention purge removes old resolved incidents with their children and keeps the rest', async () => {
    const old = await repo.create(
      { title: 'old', severity: 'low', labels: { team: 'x' } },
      actor,
      T0 - 100 * 86_400_000,
    );
    await repo.act(old.id, { type: 'resolve' }, actor, T0 - 95 * 86_400_000);
    const openOld = await repo.create({ title: 'still open', severity: 'low' }, actor, T0 - 100 * 86_400_000);
    const recent = await repo.create({ title: 'recent', severity: 'low' }, actor, T0 - 86_400_000);
    await repo.act(recent.id, { type: 'resolve' }, actor, T0 - 3_600_000);
    const deleted = await repo.purge(T0 - 90 * 86_400_000);
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await repo.exists(old.id)).toBe(false);
    expect(await store.db('incident_events').where({ incident_id: old.id }).first()).toBeUndefined();
    expect(await store.db('incident_labels').where({ incident_id: old.id }).first()).toBeUndefined();
    expect(await repo.exists(openOld.id)).toBe(true);
    expect(await repo.exists(recent.id)).toBe(true);
  });

  test('MTTA and MTTR come out of stored timelines', async () => {
    // A period of its own, far from the other tests' incidents.
    const P = Date.parse('2030-05-01T00:00:00Z');
    const a = await repo.create({ title: 'A', severity: 'high' }, actor, P);
    await repo.act(a.id, { type: 'acknowledge' }, actor, P + 3 * MIN);
    await repo.act(a.id, { type: 'resolve' }, actor, P + 45 * MIN);
    const b = await repo.create({ title: 'B', severity: 'critical' }, actor, P + 60 * MIN);
    await repo.act(b.id, { type: 'acknowledge' }, actor, P + 61 * MIN);
    await repo.act(b.id, { type: 'resolve' }, actor, P + 75 * MIN);
    const c = await repo.create({ title: 'C', severity: 'low' }, actor, P + 90 * MIN);
    const { rows } = await repo.statsRows(P, P + 120 * MIN);
    const s = incidentStats(rows);
    expect(s.total).toBe(3);
    expect(s.mtta).toMatchObject({ count: 2, meanSeconds: 120 }); // (3 + 1) / 2 minutes
    expect(s.mttr).toMatchObject({ count: 2, meanSeconds: 1800 }); // (45 + 15) / 2 minutes
    expect(s.unacknowledged).toBe(1);
    expect(c.status).toBe('investigating');
  });
});
