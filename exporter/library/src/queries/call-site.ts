import path from 'node:path';
import { LRUCache } from 'lru-cache';

const OWN_DIR = path.resolve(__dirname, '..');

/** Frames to capture when a query starts: enough to get past driver, ORM and Perfwatch frames. */
const FRAMES = 25;

/**
 * Captures where a query was issued. V8 collects the frames here; the expensive formatting of
 * `.stack` happens only in callSiteOf(), i.e. only for samples that are kept.
 */
export function captureStack(): { stack?: string } {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  Error.captureStackTrace(holder, captureStack);
  Error.stackTraceLimit = limit;
  return holder;
}

/** file:line of the first frame outside node_modules, Node internals and Perfwatch itself. */
export function callSiteOf(holder: { stack?: string } | undefined): string | undefined {
  const stack = holder?.stack;
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    // `(/abs/file.js:12:3)` or `at /abs/file.js:12:3`; `node:internal/…` frames never match.
    const m = /(?:\(|at )((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(OWN_DIR)) continue;
    const rel = path.relative(process.cwd(), file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}`;
  }
  return undefined;
}

export type CallSiteMode = 'adaptive' | 'always' | 'off';

/** How long stacks are taken for every statement after a kept sample had none. */
export const ARM_MS = 2000;
/** Statements remembered as wanting a call site. */
const WANTED_STATEMENTS = 1000;

/**
 * Decides at query start whether to take the stack, which is the only moment the application's frames
 * are on it (drivers complete queries from socket callbacks). Taking it costs several microseconds
 * (docs/database.md has the numbers), far more than the rest of a query's bookkeeping, and whether a
 * query is slow is known only at its end. So in the default `adaptive` mode no stack is taken until a
 * slow or N+1 sample is kept without one; then stacks are taken for that exact statement text from
 * then on (parameterised statements repeat verbatim), and for every statement during a short window
 * (statements with inline literals never repeat verbatim), within a per-second budget. The first slow
 * run of a statement therefore has no call site; the next ones do. `always` takes every stack (every
 * sample has a call site, every query pays), `off` takes none.
 */
export class CallSitePolicy {
  private readonly wanted = new LRUCache<string, true>({ max: WANTED_STATEMENTS });
  private armedUntil = 0;
  private second = 0;
  private usedThisSecond = 0;

  constructor(
    readonly mode: CallSiteMode,
    private readonly maxPerSecond: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** At query start: whether to take the stack. Cheap until some sample has asked for call sites. */
  wants(sql: string): boolean {
    if (this.mode !== 'adaptive') return this.mode === 'always';
    if (this.armedUntil === 0 && this.wanted.size === 0) return false;
    const known = this.wanted.has(sql);
    if (!known && this.armedUntil === 0) return false;
    const now = this.clock();
    if (!known && now > this.armedUntil) {
      this.armedUntil = 0;
      return false;
    }
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.usedThisSecond = 0;
    }
    if (this.usedThisSecond >= this.maxPerSecond) return false;
    this.usedThisSecond++;
    return true;
  }

  /** A sample was kept without a call site: take stacks for its statement from now on, and briefly for all. */
  missed(sql: string): void {
    if (this.mode !== 'adaptive') return;
    this.wanted.set(sql, true);
    this.armedUntil = this.clock() + ARM_MS;
  }
}
