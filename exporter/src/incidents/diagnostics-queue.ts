import type { Recorder } from '@perfwatch/node/internal';
import type { Logger } from '../logger';
import type { DiagnosticsCollector, DiagnosticsSnapshot } from './diagnostics';
import { SYSTEM_AUTHOR } from './model';
import { NotFoundError, type IncidentRepository } from './repository';

/** Outcome of a snapshot: complete when every part was collected or is simply not available here. */
export function snapshotOutcome(s: DiagnosticsSnapshot): 'complete' | 'partial' {
  const parts = [s.slowQueries, s.http, s.dbPools, s.process, s.prometheus];
  return parts.some((p) => p.status === 'error' || p.status === 'timeout') ? 'partial' : 'complete';
}

/**
 * Takes automatic snapshots one at a time after the webhook has answered, so Alertmanager never waits
 * on Prometheus. The queue is bounded: a storm of new incidents drops snapshots (counted) rather than
 * piling up work.
 */
export class DiagnosticsQueue {
  private readonly pending: Array<{ incidentId: number; reason: string }> = [];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly collector: DiagnosticsCollector,
    private readonly repository: IncidentRepository,
    private readonly recorder: Recorder,
    private readonly logger: Logger,
    private readonly capacity: number,
  ) {}

  enqueue(incidentId: number, reason: string): void {
    if (this.stopped || this.pending.length >= this.capacity) {
      this.recorder.metrics.incidentDiagnostics.inc({ outcome: 'dropped' });
      this.recorder.drop('incidents', this.stopped ? 'diagnostics_shutdown' : 'diagnostics_queue_full');
      return;
    }
    this.pending.push({ incidentId, reason });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when every queued snapshot has been taken (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const _ of this.pending.splice(0)) {
      this.recorder.metrics.incidentDiagnostics.inc({ outcome: 'dropped' });
      this.recorder.drop('incidents', 'diagnostics_shutdown');
    }
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let job = this.pending.shift(); job; job = this.pending.shift()) {
      try {
        const snapshot = await takeSnapshot(this.collector, this.repository, job.incidentId, job.reason);
        this.recorder.metrics.incidentDiagnostics.inc({ outcome: snapshotOutcome(snapshot) });
      } catch (err) {
        this.recorder.metrics.incidentDiagnostics.inc({ outcome: 'failed' });
        // An incident purged or deleted meanwhile is not worth a warning.
        if (!(err instanceof NotFoundError))
          this.logger.warn({ err, incidentId: job.incidentId }, 'incident diagnostics snapshot failed');
      }
    }
  }
}

/** Collects a snapshot for an incident and puts it on its timeline; returns the snapshot. */
export async function takeSnapshot(
  collector: DiagnosticsCollector,
  repository: IncidentRepository,
  incidentId: number,
  reason: string,
  author = SYSTEM_AUTHOR,
  tokenName: string | null = null,
): Promise<DiagnosticsSnapshot> {
  const incident = await repository.get(incidentId, Date.now(), 0);
  if (!incident) throw new NotFoundError(`no incident ${incidentId}`);
  const snapshot = await collector.collect({
    labels: incident.labels,
    alertLabels: incident.alerts.map((a) => a.labels),
    reason,
  });
  const outcome = snapshotOutcome(snapshot);
  await repository.addEvent(
    incidentId,
    {
      kind: 'diagnostics',
      message: `Diagnostics snapshot (${reason})${outcome === 'partial' ? '; some parts could not be collected' : ''}`,
      data: snapshot as unknown as Record<string, unknown>,
    },
    author,
    tokenName,
    Date.now(),
  );
  return snapshot;
}
