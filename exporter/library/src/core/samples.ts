import type { WorkContext } from './context';

/** The route value every request that matched no route template collapses to. */
export const UNMATCHED_ROUTE = '__unmatched__';

/** HTTP status_code label for requests the client aborted before the response finished (nginx's convention). */
export const ABORTED_STATUS = 499;

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** Methods outside RFC 9110 + PATCH fold into one value, as OpenTelemetry's http.request.method does. */
export function normaliseMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER';
  return KNOWN_METHODS.has(method)
    ? method
    : KNOWN_METHODS.has(method.toUpperCase())
      ? method.toUpperCase()
      : '_OTHER';
}

export interface LabelCaps {
  /** Distinct route templates per metric. */
  routes: number;
  /** Distinct values of any other free-form label (queue, job_name, operation, error_class, …). */
  values: number;
}

export const DEFAULT_LABEL_CAPS: LabelCaps = { routes: 500, values: 200 };

export interface RequestSample {
  method: string;
  route: string;
  statusCode: number;
  durationSeconds: number;
  requestBytes?: number;
  responseBytes?: number;
  /** Peak memory of the process while it served the request (PHP clients send it). */
  memoryPeakBytes?: number;
}

/**
 * An HTTP route template as Perfwatch labels it: with a leading slash, so SLA routes (`/invoices/{id}`)
 * match what Laravel's `$route->uri()` gives (`invoices/{id}`, and `/` for the root). Placeholders
 * stay as the framework wrote them; the unmatched value is left alone.
 */
export function normaliseRoute(route: string): string {
  return route.startsWith('/') || route === UNMATCHED_ROUTE ? route : `/${route}`;
}

/**
 * The route a query event names, which is an HTTP route template or the name of another unit of
 * work: a job (`mail:SendInvoice`), a named route (`orders.index`), a controller action
 * (`CartController@show`). Only the first kind gets its slash: a single segment holding `:`, `@` or
 * `.`, or a first segment holding `:` or `@` (`queue:reports/monthly`), is taken for a name. A route led by an HTTP method (`POST /checkout`, `GET orders/{id}`) keeps
 * the method and gets the slash on its path.
 */
export function normaliseQueryRoute(route: string): string {
  // `POST /checkout`: clients name a request by method and template; the slash belongs to the path,
  // not in front of the method (that gave `/POST /checkout`).
  const space = route.indexOf(' ');
  if (space > 0 && KNOWN_METHODS.has(route.slice(0, space).toUpperCase()))
    return `${route.slice(0, space).toUpperCase()} ${normaliseRoute(route.slice(space + 1))}`;
  // A job led by its queue (`queue:reports/monthly`, as the job hooks name them) or an action
  // (`Cart@show/x`): a first segment holding : or @ is a name, whatever follows its slash.
  const slash = route.indexOf('/');
  const first = slash === -1 ? route : route.slice(0, slash);
  if (first.includes(':') || first.includes('@')) return route;
  // A name (`mail:Job`, `orders.index`, `Cart@show`): one segment holding one of : @ . (no regex: two
  // `[^/]*` around the class would backtrack polynomially on long input).
  return slash === -1 && /[:@.]/.test(route) ? route : normaliseRoute(route);
}

/** What adapters pass to recordQuery, which fills in `operation` and `route` and hands it to listeners. */
export interface QuerySample {
  dbSystem: string;
  /** SQL as the driver received it. Only listeners for slow or repeated queries look at the text. */
  sql: string;
  durationSeconds: number;
  /** SELECT, INSERT, …; derived from the SQL when absent. */
  operation?: string;
  error?: boolean;
  database?: string;
  /** Overrides the route/job taken from the current work context (ingested events carry their own). */
  route?: string;
  requestId?: string;
  /** Where the query was issued; formatted into file:line only for samples that are kept. */
  stack?: { stack?: string };
  /** An already formatted `file:line` (sent by clients in other languages); wins over `stack`. */
  callSite?: string;
  /** The request or job the query belongs to, captured by the adapter when the query started. */
  work?: WorkContext;
  /** The app that ran it, for ingested events (their batch's `app`); in-process ones take queries.service. */
  service?: string;
  time?: number;
}

export type RecordedQuery = QuerySample & { operation: string; route: string };

/** Decides, when a query starts, whether its adapter takes the stack (for the call site). */
export interface StackAdvisor {
  /** `work`: the request or job issuing the query, if any. */
  wants(sql: string, work?: WorkContext): boolean;
}
export type QueryListener = (sample: RecordedQuery) => void;

/** A connection pool whose state is read at scrape time. */
export interface PoolState {
  idle: number;
  used: number;
  pending: number;
  max: number;
}

export interface JobSample {
  queue: string;
  jobName: string;
  status: 'completed' | 'failed' | 'retried';
  durationSeconds: number;
  waitSeconds?: number;
  /** Unix seconds the job finished; defaults to now. */
  finishedAt?: number;
}

export interface ScheduledTaskSample {
  task: string;
  status: 'success' | 'failed' | 'skipped';
  durationSeconds: number;
  /** Unix seconds the run finished; defaults to now. */
  finishedAt?: number;
}

export interface FileOperationSample {
  operation: string;
  status: string;
  durationSeconds: number;
  bytes?: number;
}
