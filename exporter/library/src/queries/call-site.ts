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

const SLOW = 1;
const N_PLUS_ONE = 2;
/** In a unit's run counts: its stack for this statement is taken. */
const TAKEN = -1;

/**
 * Decides at query start whether to take the stack, which is the only moment the application's frames
 * are on it (drivers complete queries from socket callbacks). Taking it costs several microseconds
 * (docs/database.md has the numbers), far more than the rest of a query's bookkeeping, and whether a
 * query is slow is known only at its end. So in the default `adaptive` mode no stack is taken until a
 * slow or N+1 sample is kept without one; then stacks are taken for that exact statement text from
 * then on (parameterised statements repeat verbatim; for an N+1 sample, at the run that tips a request
 * or job), and for every statement during a short window
 * (statements with inline literals never repeat verbatim), within a per-second budget. The first slow
 * run of a statement therefore has no call site; the next ones do. `always` takes every stack (every
 * sample has a call site, every query pays), `off` takes none.
 */
export class CallSitePolicy {
  /** Statements wanting a call site, and why: a slow sample (every run) or an N+1 one (see wants). */
  private readonly wanted = new LRUCache<string, typeof SLOW | typeof N_PLUS_ONE>({ max: WANTED_STATEMENTS });
  /** Per request or job: runs of each N+1-wanted statement so far (goes with the unit's context). */
  private readonly runs = new WeakMap<object, Map<string, number>>();
  private armedUntil = 0;
  private second = 0;
  private usedThisSecond = 0;

  constructor(
    readonly mode: CallSiteMode,
    private readonly maxPerSecond: number,
    private readonly clock: () => number = Date.now,
    /** The N+1 threshold: a unit's first N runs of a statement cannot be the run that gets flagged. */
    private readonly nPlusOneThreshold = 0,
  ) {}

  /**
   * At query start: whether to take the stack. Cheap until some sample has asked for call sites.
   * `work` is the request or job issuing the query: a statement wanted for an N+1 sample takes one
   * stack per unit, at its (N+1)th run there, the run that gets flagged; its other runs cannot name
   * the loop. Taking it on every run cost a stack per loop iteration, and per query of every other
   * statement too while the budget re-armed the window (measured in bench/README.md, bench:db).
   */
  wants(sql: string, work?: object): boolean {
    if (this.mode !== 'adaptive') return this.mode === 'always';
    if (this.armedUntil === 0 && this.wanted.size === 0) return false;
    const reason = this.wanted.peek(sql);
    let known = reason !== undefined;
    let runs: Map<string, number> | undefined;
    if (reason === N_PLUS_ONE && work !== undefined) {
      runs = this.runs.get(work);
      if (!runs) this.runs.set(work, (runs = new Map()));
      const before = runs.get(sql) ?? 0;
      if (before !== TAKEN) runs.set(sql, before + 1);
      known = before !== TAKEN && before + 1 > this.nPlusOneThreshold;
    }
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
    if (runs && known) runs.set(sql, TAKEN);
    return true;
  }

  /**
   * A sample was kept without a call site: take stacks for its statement from now on (for an N+1 one,
   * at the run that tips a unit), and briefly for every statement. A statement already wanted missed
   * only for the budget or the order its runs completed in: the window would not help it, and
   * re-arming it on every such sample kept every statement paying for stacks.
   */
  missed(sql: string, nPlusOne = false): void {
    if (this.mode !== 'adaptive') return;
    const before = this.wanted.peek(sql);
    this.wanted.set(sql, nPlusOne && before !== SLOW ? N_PLUS_ONE : SLOW);
    if (before === undefined) this.armedUntil = this.clock() + ARM_MS;
  }
}
