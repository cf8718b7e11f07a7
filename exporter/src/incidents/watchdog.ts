/**
 * The receiving end of the dead man's switch. Prometheus' Watchdog alert always fires; Alertmanager
 * routes it to Perfwatch's webhook on a short repeat interval. As long as it keeps arriving, the whole
 * path (rules evaluated, Prometheus → Alertmanager, Alertmanager → receivers) works. When it stops, no
 * alert can report that, so Perfwatch opens an incident itself, and resolves it when Watchdog returns.
 */
import type { Logger } from 'pino';
import { type Actor, OPEN_STATUSES } from './model';
import type { IncidentRepository } from './repository';

export const WATCHDOG_ALERT = 'Watchdog';
/** Label of the incident Perfwatch opens, so a restart finds it again instead of opening another. */
export const MISSING_LABELS = { alertname: 'WatchdogMissing', source: 'perfwatch' };

const ACTOR: Actor = { name: 'perfwatch (dead man’s switch)', tokenName: null };

export class WatchdogMonitor {
  private lastSeenMs: number | undefined;

  constructor(
    private readonly repository: IncidentRepository,
    private readonly timeoutMs: number,
    private readonly gauge: { set(v: number): void },
    private readonly logger: Logger,
  ) {}

  /** A Watchdog notification arrived: the pipeline works; close what its absence opened. */
  async seen(nowMs: number): Promise<void> {
    this.lastSeenMs = nowMs;
    this.gauge.set(nowMs / 1000);
    for (const id of await this.openIncidents(nowMs))
      await this.repository.act(
        id,
        { type: 'resolve', note: 'Watchdog arrives again: the alerting pipeline works.' },
        ACTOR,
        nowMs,
      );
  }

  /**
   * Opens the incident when Watchdog is overdue. Silent until a first Watchdog arrived (since the
   * service started): a Perfwatch without Alertmanager in front of it is not broken.
   */
  async check(nowMs: number): Promise<void> {
    if (this.timeoutMs <= 0 || this.lastSeenMs === undefined) return;
    if (nowMs - this.lastSeenMs <= this.timeoutMs) return;
    if ((await this.openIncidents(nowMs)).length > 0) return;
    const since = new Date(this.lastSeenMs).toISOString();
    this.logger.error({ lastSeen: since }, 'Watchdog overdue: alerting pipeline broken');
    await this.repository.create(
      {
        title: 'Alerting is broken: no Watchdog from Alertmanager',
        description:
          `The always-firing Watchdog alert last reached Perfwatch at ${since}. Prometheus rules, ` +
          'Prometheus → Alertmanager or Alertmanager → receivers is failing, so no other alert is ' +
          'delivered either. Check Prometheus /alerts and /targets, Alertmanager, and their logs.',
        severity: 'critical',
        labels: MISSING_LABELS,
      },
      ACTOR,
      nowMs,
    );
  }

  private async openIncidents(nowMs: number): Promise<number[]> {
    const { items } = await this.repository.list(
      { status: [...OPEN_STATUSES], labels: Object.entries(MISSING_LABELS) },
      'createdAt',
      'desc',
      10,
      0,
      nowMs,
    );
    return items.map((i) => i.id);
  }
}
