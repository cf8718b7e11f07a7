import {
  workContext,
  normaliseMethod,
  normaliseQueryRoute,
  normaliseRoute,
  type Recorder,
  UNMATCHED_ROUTE,
  type CustomMetrics,
} from '@perfwatch/node/internal';
import { EVENT_KINDS, type IngestConfig, type IngestEvent } from './schema';
import { EventValidator } from './validator';

const KINDS = new Set<string>(EVENT_KINDS);

/** Oldest event `time` accepted; older ones are refused with a reason rather than dated 1970. */
export const MAX_EVENT_AGE_MS = 7 * 86_400_000;

/**
 * The first string field (or custom label) of a valid event that holds a NUL character. Such an event
 * is refused: PostgreSQL cannot store NUL, and Prometheus' text format should not carry it.
 */
function nulField(e: IngestEvent): string | undefined {
  // for…in over the event's own keys (JSON-parsed, no prototype keys): Object.entries allocated an
  // array of pairs per event, a measurable share of ingestion's garbage.
  const fields = e as unknown as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `${k}: must not contain NUL (\\u0000) characters`;
    } else if (typeof v === 'object' && v !== null) {
      const labels = v as Record<string, unknown>;
      for (const lk in labels) {
        const lv = labels[lk];
        if (lk.includes('\u0000') || (typeof lv === 'string' && lv.includes('\u0000')))
          return `${k}: must not contain NUL (\\u0000) characters`;
      }
    }
  }
  return undefined;
}

export interface Rejection {
  index: number;
  kind: string;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

/**
 * Records batches of events from apps in any language through the same recorder in-process adapters
 * use, so they become the same metrics, slow-query samples and N+1 flags.
 */
export class Ingestor {
  private readonly validator: EventValidator;

  constructor(
    private readonly recorder: Recorder,
    limits: IngestConfig,
    private readonly custom: CustomMetrics | undefined,
  ) {
    this.validator = new EventValidator(limits);
  }

  /**
   * Validates a batch event by event: good events are recorded, bad ones reported with their reason.
   * `app`, the batch's sender, becomes the service of its slow-query samples.
   */
  ingest(events: unknown[], app?: string): IngestResult {
    // The events belong to the sending app's requests, not to the HTTP request that carried them
    // here: outside the service's own work context, queries are attributed by their route and
    // requestId only.
    return workContext.exit(() => this.recorder.recordBatch(() => this.ingestBatch(events, app)));
  }

  private ingestBatch(events: unknown[], app: string | undefined): IngestResult {
    const rejected: Rejection[] = [];
    let accepted = 0;
    const now = Date.now();
    // Counted per kind once per batch rather than per event: a hashed label set per event adds up.
    const counts = new Map<string, { accepted: number; rejected: number }>();
    events.forEach((raw, index) => {
      const kindValue =
        typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
      const kind = typeof kindValue === 'string' && KINDS.has(kindValue) ? kindValue : 'unknown';
      let count = counts.get(kind);
      if (!count) counts.set(kind, (count = { accepted: 0, rejected: 0 }));
      const checked = this.validator.check(raw);
      const reason = checked.ok
        ? (nulField(checked.event) ??
          this.timeProblem(checked.event, now) ??
          this.record(checked.event, now, app))
        : checked.reason;
      if (reason !== undefined) {
        rejected.push({ index, kind, reason });
        count.rejected++;
        return;
      }
      count.accepted++;
      accepted++;
    });
    for (const [kind, c] of counts) {
      if (c.accepted > 0) this.recorder.metrics.ingestEvents.inc({ kind, status: 'accepted' }, c.accepted);
      if (c.rejected > 0) this.recorder.metrics.ingestEvents.inc({ kind, status: 'rejected' }, c.rejected);
    }
    return { accepted, rejected };
  }

  /** Why an event's `time` cannot be believed: too old to be a real recent event (often seconds, not ms). */
  private timeProblem(e: IngestEvent, now: number): string | undefined {
    if (!('time' in e) || e.time === undefined || e.time >= now - MAX_EVENT_AGE_MS) return undefined;
    return `time: ${e.time} is more than 7 days ago; send epoch milliseconds (or omit it for "now")`;
  }

  /** Records one valid event; returns why it cannot be recorded when that depends on the config. */
  private record(e: IngestEvent, now: number, app: string | undefined): string | undefined {
    const r = this.recorder;
    switch (e.kind) {
      case 'request': {
        const route = normaliseRoute(e.route);
        r.recordRequest({
          method: normaliseMethod(e.method),
          route,
          statusCode: e.status,
          durationSeconds: e.durationMs / 1000,
          requestBytes: e.requestBytes,
          responseBytes: e.responseBytes,
          memoryPeakBytes: e.memoryPeakBytes,
        });
        if (e.queryCount !== undefined && e.queryCount > 0) r.recordQueriesPerUnit(route, e.queryCount);
        return undefined;
      }
      case 'query':
        r.recordQuery({
          dbSystem: e.dbSystem,
          sql: e.sql,
          durationSeconds: e.durationMs / 1000,
          database: e.database,
          route: e.route === undefined ? UNMATCHED_ROUTE : normaliseQueryRoute(e.route),
          requestId: e.requestId,
          error: e.error,
          callSite: e.callSite,
          service: app,
          // A clock ahead of ours must not date samples in the future.
          time: e.time === undefined ? now : Math.min(e.time, now),
        });
        return undefined;
      case 'job':
        r.recordJob({
          queue: e.queue,
          jobName: e.jobName,
          status: e.status,
          durationSeconds: e.durationMs / 1000,
          waitSeconds: e.waitMs === undefined ? undefined : e.waitMs / 1000,
          // In the future, "last success" would hide a stalled queue from its alert.
          finishedAt: Math.min(e.time ?? now, now) / 1000,
        });
        if (e.queryCount !== undefined && e.queryCount > 0)
          r.recordQueriesPerUnit(`${e.queue}:${e.jobName}`, e.queryCount);
        return undefined;
      case 'file_operation':
        r.recordFileOperation({
          operation: e.operation,
          status: e.status,
          durationSeconds: e.durationMs / 1000,
          bytes: e.bytes,
        });
        return undefined;
      case 'exception':
        r.recordError(
          e.route === undefined ? UNMATCHED_ROUTE : normaliseRoute(e.route),
          e.errorClass,
          e.count ?? 1,
        );
        return undefined;
      case 'schedule':
        r.recordScheduledTask({
          task: e.task,
          status: e.status,
          durationSeconds: e.durationMs / 1000,
          // A clock ahead of ours must not keep a stalled task looking fresh.
          finishedAt: Math.min(e.time ?? now, now) / 1000,
        });
        return undefined;
      case 'queue_depth':
        r.setQueueDepth(e.queue, e.state, e.depth);
        return undefined;
      case 'metric': {
        if (!this.custom) return 'name: no custom metrics are declared; declare them under customMetrics:';
        const def = this.custom.definition(e.name);
        if (def && def.type !== 'counter' && e.value === undefined)
          return `value: required for a ${def.type}`;
        if (def && def.type !== 'gauge' && e.op !== undefined)
          return `op: only gauges take an op; ${def.name} is a ${def.type}`;
        return this.custom.record(e.name, e.labels ?? {}, e.value ?? 1, e.op ?? 'set');
      }
    }
  }
}
