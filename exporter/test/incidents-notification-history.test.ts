/**
 * Issue 18: the incident timeline shows each Alertmanager notification (receiver, state, severity,
 * counts) and each escalation, and stays bounded when Alertmanager re-sends an unchanged group every
 * repeat_interval.
 */
import { parseConfig } from '../src/config/load';
import { mapNotification, webhookPayloadSchema } from '../src/incidents/alertmanager-payload';
import type { NotificationOptions } from '../src/incidents/grouping';
import { migratedStore } from './support/test-store';
import { IncidentRepository } from '../src/incidents/repository';
import type { TimelineEvent } from '../src/incidents/model';
import type { Store } from '../src/store/store';
import { amPayload, type AlertInput } from './support/alertmanager';

const config = parseConfig({}).incidents;
const OPTIONS: NotificationOptions = {
  reopenWindowMs: 30 * 60_000,
  onAlertsResolved: 'resolve',
  maxAlertsPerIncident: 50,
};
const T0 = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;

const groups = (groupKey: string, alerts: AlertInput[], receiver = 'team') =>
  mapNotification(webhookPayloadSchema.parse(amPayload(groupKey, alerts, { receiver })), config).groups;

describe.each(['sqlite', 'postgres'])('%s notification history', (kind) => {
  let store: Store;
  let repo: IncidentRepository;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await migratedStore(kind, 'pw-fix12-notified-'));
    repo = new IncidentRepository(store);
  });
  afterAll(() => close());

  let seq = 0;
  const key = () => `{}:{alertname="Notified${kind}${++seq}"}`;
  const alert = (name: string, severity: string, status: 'firing' | 'resolved' = 'firing') => ({
    labels: { alertname: `Notified${kind}${seq}${name}`, severity },
    status,
  });

  async function notified(incidentId: number): Promise<TimelineEvent[]> {
    const detail = await repo.get(incidentId, T0);
    return detail!.timeline.filter((e) => e.kind === 'notified');
  }

  test('a notification is recorded with its receiver, state, severity and counts', async () => {
    const [r] = await repo.applyNotification(groups(key(), [alert('a', 'warning')], 'team'), OPTIONS, T0);
    const [event] = await notified(r.incidentId!);
    expect(event).toMatchObject({
      author: 'alertmanager',
      message: 'Alertmanager notified to team: firing (medium), 1 firing',
      data: { receiver: 'team', status: 'firing', severity: 'medium', firing: 1, resolved: 0, repeats: 0 },
    });
  });

  test('repeats of an unchanged notification add no event but count in repeats and lastAt', async () => {
    const g = groups(key(), [alert('a', 'warning')]);
    const [r] = await repo.applyNotification(g, OPTIONS, T0);
    for (let i = 1; i <= 50; i++) await repo.applyNotification(g, OPTIONS, T0 + i * 4 * 60 * MIN);
    const events = await notified(r.incidentId!);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      repeats: 50,
      lastAt: new Date(T0 + 200 * 60 * MIN).toISOString(),
    });
  });

  test('each change of state is a new event: another alert firing, then all resolving', async () => {
    const k = key();
    const [r] = await repo.applyNotification(groups(k, [alert('a', 'warning')]), OPTIONS, T0);
    await repo.applyNotification(
      groups(k, [alert('a', 'warning'), alert('b', 'warning')]),
      OPTIONS,
      T0 + MIN,
    );
    await repo.applyNotification(
      groups(k, [alert('a', 'warning', 'resolved'), alert('b', 'warning', 'resolved')]),
      OPTIONS,
      T0 + 2 * MIN,
    );
    expect((await notified(r.incidentId!)).map((e) => e.message)).toEqual([
      'Alertmanager notified to team: firing (medium), 1 firing',
      'Alertmanager notified to team: firing (medium), 2 firing',
      'Alertmanager notified to team: resolved (medium), 2 resolved',
    ]);
  });

  test('an escalation is on the timeline with the notification that carried it', async () => {
    const k = key();
    const [r] = await repo.applyNotification(groups(k, [alert('a', 'warning')]), OPTIONS, T0);
    await repo.applyNotification(
      groups(k, [alert('a', 'warning'), alert('b', 'critical')], 'pager'),
      OPTIONS,
      T0 + MIN,
    );
    const detail = await repo.get(r.incidentId!, T0);
    const tail = detail!.timeline.slice(-3).map((e) => [e.kind, e.data?.receiver ?? e.data?.to]);
    expect(tail).toEqual([
      ['notified', 'pager'],
      ['alertFired', undefined],
      ['severityChanged', 'high'],
    ]);
    expect((await notified(r.incidentId!)).at(-1)!.data).toMatchObject({ severity: 'high', firing: 2 });
  });

  test('two receivers re-sending the same group in turn are each deduplicated', async () => {
    const k = key();
    const alerts = [alert('a', 'critical')];
    const [r] = await repo.applyNotification(groups(k, alerts, 'team'), OPTIONS, T0);
    for (let i = 1; i <= 10; i++)
      await repo.applyNotification(groups(k, alerts, i % 2 ? 'pager' : 'team'), OPTIONS, T0 + i * MIN);
    const events = await notified(r.incidentId!);
    expect(events.map((e) => [e.data?.receiver, e.data?.repeats])).toEqual([
      ['team', 5],
      ['pager', 4],
    ]);
  });
});
