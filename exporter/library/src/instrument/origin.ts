import { currentWork, type WorkContext } from '../core/context';
import type { Recorder } from '../core/recorder';
import { captureStack } from '../queries/call-site';

/**
 * Where and for whom a query was issued. Pools hand a query to a connection later, from another
 * callback, where neither the caller's stack nor its async context survives; so the pool's entry
 * point captures the origin and pins it on the query object it passes down.
 */
export interface QueryOrigin {
  work: WorkContext | undefined;
  /** Taken only when the recorder's stack advisor asks for it (see queries/call-site.ts). */
  stack: { stack?: string } | undefined;
}

export const ORIGIN = Symbol.for('perfwatch.query.origin');

export function captureOrigin(recorder: Recorder, sql: string): QueryOrigin {
  const work = currentWork();
  return { work, stack: recorder.wantsStack(sql, work) ? captureStack() : undefined };
}

/**
 * Origins pinned beside a string statement, keyed by its values array, with the statement to check
 * that the query reading it is the one that pinned it (see pinOrigin's `byValues`).
 */
const BY_VALUES = new WeakMap<object, { sql: string; origin: QueryOrigin }>();

/** The origin pinned on a query argument, or beside a string statement on its values (taken once). */
export function originOf(value: unknown, values?: unknown): QueryOrigin | undefined {
  if (typeof value === 'string') {
    if (typeof values !== 'object' || values === null) return undefined;
    const pinned = BY_VALUES.get(values);
    if (pinned === undefined || pinned.sql !== value) return undefined;
    BY_VALUES.delete(values);
    return pinned.origin;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { [ORIGIN]?: QueryOrigin; options?: { [ORIGIN]?: QueryOrigin } };
  return v[ORIGIN] ?? v.options?.[ORIGIN];
}

/** The object up the prototype chain that owns `key`, so subclasses inherit the patch. */
export function ownerOf<T extends object>(proto: T, key: string): T | undefined {
  let p: object | null = proto;
  while (p && !Object.prototype.hasOwnProperty.call(p, key)) p = Object.getPrototypeOf(p);
  return (p ?? undefined) as T | undefined;
}

/** The SQL text of a query argument: a string, or a config object's `text` (pg) or `sql` (mysql2). */
export function sqlOf(value: unknown, textKey: 'text' | 'sql'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const t = (value as Record<string, unknown>)[textKey];
    if (typeof t === 'string') return t;
  }
  return '';
}

/**
 * Wraps a pool entry point: a string statement becomes `{ [textKey]: sql }` and objects get the
 * origin pinned on them, then the original is called with the same arguments. Both drivers accept
 * the object form wherever they accept a string, with the same meaning.
 *
 * With `byValues`, a string statement with a values array stays a string and its origin is kept
 * beside the array, which the pool hands on to the connection unchanged: pg copies every config
 * object it is given property by property (utils.normalizeQueryConfig → cloneQueryConfig), about
 * 1.4 µs with our symbol on it against 40 ns for a string (pg 8.23). An array already carrying an
 * origin (one array shared by queries in flight at once) takes the object form.
 */
export function pinOrigin(
  target: object,
  method: string,
  textKey: 'text' | 'sql',
  marker: symbol,
  recorder: Recorder,
  byValues = false,
): void {
  const owner = ownerOf(target, method) as Record<string | symbol, unknown> | undefined;
  if (!owner || owner[marker]) return;
  const original = owner[method] as (...args: unknown[]) => unknown;
  owner[method] = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const values = args[1];
    if (typeof first === 'string' && byValues && Array.isArray(values) && !BY_VALUES.has(values))
      BY_VALUES.set(values, { sql: first, origin: captureOrigin(recorder, first) });
    else if (typeof first === 'string')
      args[0] = { [textKey]: first, [ORIGIN]: captureOrigin(recorder, first) };
    else if (typeof first === 'object' && first !== null && !(ORIGIN in first))
      (first as Record<symbol, unknown>)[ORIGIN] = captureOrigin(recorder, sqlOf(first, textKey));
    return original.apply(this, args);
  };
  owner[marker] = true;
}

interface Emitter {
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
}

/**
 * Observes a streaming query's 'end' and 'error' by wrapping its emit, not by adding listeners: an
 * 'error' listener of ours would swallow errors the application never listened for, which Node would
 * otherwise throw.
 */
export function observeCompletion(target: unknown, done: (err: unknown) => void): void {
  if (typeof target !== 'object' || target === null) return;
  const e = target as Partial<Emitter>;
  const emit = e.emit;
  if (typeof emit !== 'function') return;
  e.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'end') done(null);
    else if (event === 'error') done(args[0] ?? new Error('query failed'));
    return emit.call(this, event, ...args);
  };
}
