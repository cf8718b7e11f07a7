import type { Job, Queue } from 'bullmq';
import type { Recorder } from '../core/recorder';
import { instrumentJob } from './jobs';

/** Thrown by a processor to move its job (delay it, wait for children, rate-limit), not to fail it. */
const DEFERRALS = new Set(['DelayedError', 'WaitingChildrenError', 'WaitingError', 'RateLimitError']);

/** Job names a processor keeps a wrapper for; names past it are still recorded (labels are capped). */
const MAX_WRAPPERS = 1000;

/**
 * Wraps a BullMQ processor: pass the result to `new Worker(queue, wrapped)`. Each job runs in its own
 * work context and is recorded with its wait (runnable → started, first attempt only), duration and
 * outcome; a failure with attempts left is `retried`, the last one `failed`.
 */
export function bullmqProcessor<R>(
  recorder: Recorder,
  queueName: string,
  processor: (job: Job, token?: string) => Promise<R>,
) {
  // One wrapper per job name, made once, so each job is recorded under its own name.
  const wrappers = new Map<string, (job: Job, token?: string) => Promise<R>>();
  return (job: Job, token?: string): Promise<R> => {
    let wrapped = wrappers.get(job.name);
    if (!wrapped) {
      wrapped = instrumentJob(recorder, queueName, job.name, processor, (j: Job) => ({
        id: j.id,
        // attemptsMade counts finished attempts, attemptsStarted includes this one (and stalled
        // restarts): a retry's "wait" would include the earlier attempt and its backoff.
        enqueuedAt:
          j.attemptsMade === 0 && (j.attemptsStarted ?? 1) <= 1
            ? j.timestamp + (j.opts.delay ?? 0)
            : undefined,
        willRetry: (err) =>
          !(err instanceof Error && err.name === 'UnrecoverableError') &&
          j.attemptsMade + 1 < (j.opts.attempts ?? 1),
        isDeferral: (err) => err instanceof Error && DEFERRALS.has(err.name),
      }));
      if (wrappers.size < MAX_WRAPPERS) wrappers.set(job.name, wrapped);
    }
    return wrapped(job, token);
  };
}

export interface QueueDepthOptions {
  /** Redis is asked at most this often; scrapes in between read the cached counts (default 5 s). */
  cacheMs?: number;
  /** A scrape waits at most this long for Redis, then serves the last counts (default 1 s). */
  timeoutMs?: number;
}

/**
 * Reports queue_depth{queue,state} (waiting, active, delayed, failed) at scrape time. `waiting`
 * counts every job a worker could pick up, including prioritised ones, which BullMQ keeps in a set of
 * their own (a paused queue keeps its jobs in the wait list).
 *
 * A slow or failing Redis never holds a scrape for more than `timeoutMs`: the scrape serves the last
 * counts, a late answer still refreshes them for the next scrape, and one Redis call is in flight at
 * most. Timeouts and errors are counted in perfwatch_dropped_total{component="queue_depth"}.
 */
export function trackBullmqQueue(recorder: Recorder, queue: Queue, options: QueueDepthOptions = {}): void {
  const cacheMs = options.cacheMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 1000;
  let last: Record<string, number> | undefined;
  let at = 0;
  let inflight: Promise<void> | undefined;
  const refresh = () =>
    (inflight ??= queue
      .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')
      .then(
        (c) => {
          last = {
            waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
            active: c.active ?? 0,
            delayed: c.delayed ?? 0,
            failed: c.failed ?? 0,
          };
          at = Date.now();
        },
        () => recorder.drop('queue_depth', 'redis_error'),
      )
      .finally(() => {
        inflight = undefined;
      }));

  recorder.trackQueueDepth(queue.name, async () => {
    if (last && Date.now() - at < cacheMs) return last;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      refresh().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) recorder.drop('queue_depth', 'timeout');
    return last ?? {};
  });
}
