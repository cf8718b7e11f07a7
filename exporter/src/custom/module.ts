import type { ServiceModule } from '../kit/module';
import { CustomMetrics } from '@perfwatch/node/internal';

declare module '../kit/module' {
  interface Capabilities {
    /** The config's declared custom metrics; ingested `metric` events are recorded into them. */
    customMetrics: CustomMetrics;
  }
}

/** Declares the config's `customMetrics:` so ingested `metric` events can be recorded into them. */
export const customMetricsModule: ServiceModule = {
  name: 'custom-metrics',
  provides: ['customMetrics'],
  start(ctx) {
    const custom = new CustomMetrics(ctx.recorder, ctx.config.ingest.maxLabelLength);
    // The config schema has already checked names and collisions; declare() re-checks against
    // what is registered at run time.
    for (const def of ctx.config.customMetrics) custom.declare(def);
    ctx.provide('customMetrics', custom);
  },
};
