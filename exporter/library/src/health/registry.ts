import type { Recorder } from '../core/recorder';
import type { Logger } from '../logger';
import { redactUrl } from '../redact-url';

export type HealthDetails = Record<string, string | number | boolean | null>;

/** A failed check that also says what it saw (queue counts, free bytes, …). */
export class HealthCheckFailure extends Error {
  override name = 'HealthCheckFailure';
  constructor(
    message: string,
    readonly details: HealthDetails = {},
  ) {
    super(message);
  }
}

/** One dependency check: resolves when healthy, rejects (ideally with a HealthCheckFailure) when not. */
export interface HealthCheck {
  name: string;
  /** postgres, mysql, redis, bullmq, disk, http, custom, … */
  type: string;
  /** What is checked (host:port/db, a path, a queue), without credentials. */
  target?: string;
  /** Overrides the registry's default interval and timeout. */
  intervalMs?: number;
  timeoutMs?: number;
  /** Must give up and release what it opened when `signal` aborts (the timeout passed). */
  run(signal: AbortSignal): Promise<HealthDetails | void>;
  /** Releases long-lived resources (a queue connection) when the registry stops. */
  close?(): Promise<void>;
}

export interface HealthResult {
  name: string;
  type: string;
  target: string | null;
  /** `pending` until the first run finishes. */
  status: 'up' | 'down' | 'pending';
  error: string | null;
  details: HealthDetails;
  durationMs: number | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  /** The last failing run, kept after the check recovers: what an operator asks after a flap. */
  lastFailureAt: string | null;
  lastFailureError: string | null;
  consecutiveFailures: number;
  intervalMs: number;
  timeoutMs: number;
}

interface State {
  check: HealthCheck;
  intervalMs: number;
  timeoutMs: number;
  result: HealthResult;
  timer?: NodeJS.Timeout;
  /** The check's own promise until it settles, even past its timeout (a check ignoring its signal). */
  running?: Promise<unknown>;
  /** The current turn (run or timeout, whichever first); concurrent callers join it. */
  current?: Promise<void>;
  /** Aborts the run in progress (its timeout, or stop()). */
  controller?: AbortController;
  /** Runs started, for tests and the details endpoint. */
  runs: number;
}

const MAX_ERROR_CHARS = 500;
/** The abort reason stop() gives runs in progress. */
const STOPPED = new Error('health checks stopped');

/**
 * Health checks of the app's dependencies, each run on its own interval with its own timeout, off the
 * request path: readers get the last results. Exported as perfwatch_health_check_up{check} and
 * perfwatch_health_check_duration_seconds{check}.
 *
 * A check that times out is aborted and marked down; if it ignores the abort and is still running at
 * its next turn, it is not started again (so a hung dependency cannot pile up connections) and stays
 * down until it settles.
 */
export class HealthChecks {
  private readonly states = new Map<string, State>();
  private started = false;

  constructor(
    private readonly recorder: Recorder,
    private readonly defaults: { intervalMs: number; timeoutMs: number } = {
      intervalMs: 30_000,
      timeoutMs: 5_000,
    },
    private readonly logger?: Logger,
  ) {}

  add(check: HealthCheck): this {
    if (this.states.has(check.name)) throw new Error(`a health check named "${check.name}" already exists`);
    const intervalMs = check.intervalMs ?? this.defaults.intervalMs;
    const timeoutMs = check.timeoutMs ?? this.defaults.timeoutMs;
    const state: State = {
      check,
      intervalMs,
      timeoutMs,
      runs: 0,
      result: {
        name: check.name,
        type: check.type,
        target: check.target ?? null,
        status: 'pending',
        error: null,
        details: {},
        durationMs: null,
        lastRunAt: null,
        lastSuccessAt: null,
        lastFailureAt: null,
        lastFailureError: null,
        consecutiveFailures: 0,
        intervalMs,
        timeoutMs,
      },
    };
    this.states.set(check.name, state);
    if (this.started) void this.loop(state);
    return this;
  }

  /** Runs every check now, then each on its interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const s of this.states.values()) void this.loop(s);
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const s of this.states.values()) {
      clearTimeout(s.timer);
      // Runs in progress release their connections now rather than at their timeout.
      s.controller?.abort(STOPPED);
    }
    await Promise.all(
      [...this.states.values()].map(async (s) => {
        try {
          await s.check.close?.();
        } catch (err) {
          this.logger?.warn({ err, check: s.check.name }, 'closing a health check failed');
        }
      }),
    );
  }

  /** Runs every check once now and returns the results (start() does this on its own schedule). */
  async runAll(): Promise<HealthResult[]> {
    await Promise.all([...this.states.values()].map((s) => this.runOnce(s)));
    return this.results();
  }

  /** The last result of every check, in the order they were added. */
  results(): HealthResult[] {
    return [...this.states.values()].map((s) => ({ ...s.result, details: { ...s.result.details } }));
  }

  /** Runs started for a check so far. */
  runCount(name: string): number {
    return this.states.get(name)?.runs ?? 0;
  }

  private async loop(state: State): Promise<void> {
    await this.runOnce(state);
    if (!this.started) return;
    state.timer = setTimeout(() => void this.loop(state), state.intervalMs);
    state.timer.unref();
  }

  private runOnce(state: State): Promise<void> {
    return (state.current ??= this.turn(state).finally(() => (state.current = undefined)));
  }

  private async turn(state: State): Promise<void> {
    const { check, timeoutMs } = state;
    const startedAt = new Date();
    if (state.running) {
      this.settle(state, startedAt, null, {
        ok: false,
        error: `the previous run has not finished (it ignored its ${timeoutMs} ms timeout); not started again`,
        details: {},
      });
      return;
    }
    state.runs++;
    const controller = new AbortController();
    state.controller = controller;
    const start = performance.now();
    const run = Promise.resolve()
      .then(() => check.run(controller.signal))
      .then(
        (details) => ({ ok: true as const, details: details ?? {} }),
        (err: unknown) => ({
          ok: false as const,
          error: redactUrl(err instanceof Error ? err.message || err.name : String(err)).slice(
            0,
            MAX_ERROR_CHARS,
          ),
          details: err instanceof HealthCheckFailure ? err.details : {},
        }),
      );
    state.running = run.finally(() => (state.running = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ ok: false; error: string; details: HealthDetails }>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${timeoutMs} ms`));
        resolve({ ok: false, error: `timed out after ${timeoutMs} ms`, details: {} });
      }, timeoutMs);
    });
    const outcome = await Promise.race([run, timedOut]);
    clearTimeout(timer);
    // Aborted by stop(): that says nothing about the dependency.
    if (controller.signal.reason === STOPPED) return;
    this.settle(state, startedAt, (performance.now() - start) / 1000, outcome);
  }

  private settle(
    state: State,
    at: Date,
    seconds: number | null,
    outcome: { ok: true; details: HealthDetails } | { ok: false; error: string; details: HealthDetails },
  ): void {
    const r = state.result;
    const wasUp = r.status !== 'down';
    r.lastRunAt = at.toISOString();
    r.durationMs = seconds === null ? null : Math.round(seconds * 1e6) / 1000;
    r.details = outcome.details;
    if (outcome.ok) {
      r.status = 'up';
      r.error = null;
      r.lastSuccessAt = r.lastRunAt;
      if (r.consecutiveFailures > 0)
        this.logger?.info({ check: r.name, after: r.consecutiveFailures }, 'health check passes again');
      r.consecutiveFailures = 0;
    } else {
      r.status = 'down';
      r.error = outcome.error;
      r.lastFailureAt = r.lastRunAt;
      r.lastFailureError = outcome.error;
      r.consecutiveFailures++;
      // Log the change, not every failing run.
      if (wasUp) this.logger?.warn({ check: r.name, error: r.error }, 'health check failed');
    }
    const check = this.recorder.label('perfwatch_health_check_up', 'check', r.name);
    this.recorder.metrics.healthCheckUp.set({ check }, outcome.ok ? 1 : 0);
    if (seconds !== null) this.recorder.metrics.healthCheckDuration.set({ check }, seconds);
    if (!outcome.ok) this.recorder.metrics.healthCheckLastFailure.set({ check }, Date.now() / 1000);
  }
}
