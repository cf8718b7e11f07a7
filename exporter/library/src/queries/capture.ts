import type { Recorder } from '../core/recorder';
import type { Logger } from '../logger';
import { CallSitePolicy, callSiteOf } from './call-site';
import { type QueriesConfig, ringTooSmall } from './config';
import { NPlusOneDetector } from './n-plus-one';
import type { SlowQuerySample } from './sample';
import { type PendingTally, SlowQuerySampler } from './sampler';

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Where captured samples are written in batches: the service's store (its slow-query repository), or
 * whatever an app passes to `perfwatch({ sink })`. Without one, samples stay in the bounded ring.
 */
export interface SampleSink {
  insert(samples: SlowQuerySample[], tallies: PendingTally[]): Promise<void>;
  /** Deletes samples older than `before` (epoch ms); resolves to how many. */
  purge(before: number): Promise<number>;
  /** Called once by `close()`, after the last batch is written. */
  close?(): Promise<void>;
}
const PURGE_EVERY_MS = 60 * 60_000;

/**
 * Slow-query capture wired to a recorder: the sampler and N+1 detector listen to every query; a
 * flusher writes batches to the store on an interval and on stop, backing off while the store fails.
 * A failing store never breaks the app: the buffer stays bounded and what it drops is counted.
 */
export class SlowQueryCapture {
  readonly sampler: SlowQuerySampler;
  readonly callSites: CallSitePolicy;
  readonly detector: NPlusOneDetector;
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly recorder: Recorder,
    private readonly config: QueriesConfig,
    private readonly repository: SampleSink | undefined,
    private readonly logger?: Logger,
  ) {
    const tooSmall = ringTooSmall(config);
    if (tooSmall && repository) logger?.warn(tooSmall);
    this.callSites = new CallSitePolicy(
      config.callSites,
      config.callSiteStacksPerSecond,
      Date.now,
      config.nPlusOneThreshold,
    );
    this.sampler = new SlowQuerySampler(recorder, config, this.callSites);
    const sampler = this.sampler;
    const detector = (this.detector = new NPlusOneDetector(recorder, config.nPlusOneThreshold, {
      fingerprint: (q) => sampler.fingerprintOf(q),
      flag: (q, fp) => sampler.keepNPlusOne(q, fp),
      callSite: (q) => q.callSite ?? callSiteOf(q.stack),
    }));
    // The sampler listens first, so the N+1 detector can mark a query the sampler just kept.
    this.unsubscribe.push(recorder.onQuery(sampler.onQuery), recorder.onQuery(detector.onQuery));
    recorder.setStackAdvisor(this.callSites);
    this.unsubscribe.push(() => recorder.setStackAdvisor(undefined));
    // Request attribution needs the per-request context.
    recorder.useContext();
  }

  start(): void {
    if (!this.repository) return;
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  /** Writes pending samples; on failure keeps them (bounded) and backs off exponentially. */
  flush(force = false): Promise<void> {
    this.flushing ??= this.doFlush(force).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Group commit for acknowledged writes: resolves true once everything pending at the call is in the
   * store (joining a write in progress, or starting one shared by every caller waiting meanwhile), or
   * false at once while the store is failing and backing off (the samples stay buffered, bounded).
   */
  async commit(): Promise<boolean> {
    if (!this.repository) return false;
    // Samples pushed out of the full ring before a write took them were never stored: whoever was
    // waiting then cannot be told theirs were.
    const dropped = this.sampler.droppedSamples;
    const ok = () => this.failures === 0 && this.sampler.droppedSamples === dropped;
    if (this.flushing) await this.flushing;
    // A write another caller started after ours was buffered includes ours.
    if (this.flushing) {
      await this.flushing;
      return ok();
    }
    if (!this.sampler.hasPending) return ok();
    if (this.failures > 0 && Date.now() < this.nextAttemptAt) return false;
    await this.flush(true);
    return ok();
  }

  private async doFlush(force: boolean): Promise<void> {
    if (!this.repository || (!force && Date.now() < this.nextAttemptAt)) return;
    const batch = this.sampler.take();
    const tallies = this.sampler.takeTallies();
    if (batch.length === 0 && tallies.length === 0) return;
    try {
      await this.repository.insert(batch, tallies);
      this.recorder.metrics.slowQueryFlushes.inc({ status: 'ok' });
      if (this.failures > 0) this.logger?.info({ samples: batch.length }, 'slow-query store writable again');
      this.failures = 0;
      this.nextAttemptAt = 0;
    } catch (err) {
      this.recorder.metrics.slowQueryFlushes.inc({ status: 'error' });
      this.sampler.giveBack(batch);
      this.sampler.giveBackTallies(tallies);
      this.failures++;
      const backoff = Math.min(MAX_BACKOFF_MS, this.config.flushIntervalMs * 2 ** (this.failures - 1));
      this.nextAttemptAt = Date.now() + backoff;
      // Log the first failure of a run, not every retry.
      if (this.failures === 1)
        this.logger?.warn(
          { err, retryInMs: backoff },
          'writing slow-query samples failed; keeping them in memory',
        );
    }
  }

  async purge(): Promise<number> {
    if (!this.repository) return 0;
    try {
      return await this.repository.purge(Date.now() - this.config.retentionDays * 86_400_000);
    } catch (err) {
      this.logger?.warn({ err }, 'slow-query retention purge failed');
      return 0;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
    for (const u of this.unsubscribe) u();
    this.detector.stop();
    await this.flush(true);
    // Sampled-out queries still waiting for a kept sample of their fingerprint are lost with the process.
    const untallied = this.sampler.untallied();
    if (untallied > 0) this.recorder.drop('slow_queries', 'tally_at_shutdown', untallied);
  }
}
