import { workContext, type WorkContext } from '../core/context';
import type { Recorder } from '../core/recorder';

export interface JobInfo {
  /** Job id, for slow-query samples issued by the job. */
  id?: string;
  /**
   * When the job became runnable (epoch ms), for queue_job_wait_seconds. Leave it out for retries:
   * the wait of a first attempt is what tells how far behind the workers are.
   */
  enqueuedAt?: number;
  /** Whether a failure will be retried (counted as `retried` instead of `failed`). */
  willRetry?: (err: unknown) => boolean;
  /**
   * Whether a thrown value only moves the job elsewhere (BullMQ's DelayedError, WaitingChildrenError,
   * RateLimitError): the job neither completed nor failed, so no outcome is recorded.
   */
  isDeferral?: (err: unknown) => boolean;
}

/**
 * Wraps any queue library's job handler: the handler runs in a job work context (so queries it issues
 * name `queue:job_name`, not a route) and its duration, wait and outcome are recorded, along with the
 * number of queries it issued (db_client_queries_per_request, route = `queue:job_name`).
 */
export function instrumentJob<A extends unknown[], R>(
  recorder: Recorder,
  queue: string,
  name: string,
  fn: (...args: A) => Promise<R> | R,
  info: (...args: A) => JobInfo = () => ({}),
): (...args: A) => Promise<R> {
  recorder.useContext();
  return async (...args: A): Promise<R> => {
    const meta = info(...args);
    const started = Date.now();
    const start = performance.now();
    const work: WorkContext = { kind: 'job', route: `${queue}:${name}`, id: meta.id, queryCount: 0 };
    const waitSeconds =
      meta.enqueuedAt !== undefined ? Math.max(0, started - meta.enqueuedAt) / 1000 : undefined;
    const finish = (status: 'completed' | 'failed' | 'retried' | undefined) => {
      if (status)
        recorder.recordJob({
          queue,
          jobName: name,
          status,
          durationSeconds: (performance.now() - start) / 1000,
          waitSeconds,
        });
      // Like requests: only units that issued queries, so the histogram is not dominated by zeros.
      if (work.queryCount > 0) recorder.recordQueriesPerUnit(work.route, work.queryCount);
    };
    try {
      const result = await workContext.run(work, () => fn(...args));
      finish('completed');
      return result;
    } catch (err) {
      finish(meta.isDeferral?.(err) ? undefined : meta.willRetry?.(err) ? 'retried' : 'failed');
      throw err;
    }
  };
}
