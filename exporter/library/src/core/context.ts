import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the current unit of work is: an HTTP request (route template) or a queue job (queue and job
 * name). DB, queue and file hooks read it so their samples name the route or job that issued them.
 */
export interface WorkContext {
  kind: 'request' | 'job';
  /** Route template for requests, `queue:job_name` for jobs. Updated when the router matches. */
  route: string;
  /** Request or job id; for requests taken from X-Request-Id when the client sent one. */
  id: string | undefined;
  /** Queries issued so far in this unit of work. */
  queryCount: number;
}

export const workContext = new AsyncLocalStorage<WorkContext>();

export function currentWork(): WorkContext | undefined {
  return workContext.getStore();
}
