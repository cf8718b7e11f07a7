import type { ServiceModule } from '../server/context';
import { CustomMetrics } from './metrics';

/** Declares the config's `customMetrics:` so ingested `metric` events can be recorded into them. */
export const customMetricsModule: ServiceModule = {
  name: 'custom-metrics',
  start(ctx) {
    const custom = new CustomMetrics(ctx.recorder, ctx.config.ingest.maxLabelLength);
    // The config schema has already checked names and collisions; declare() re-checks against
    // what is registered at run time.
    for (const def of ctx.config.customMetrics) custom.declare(def);
    ctx.customMetrics = custom;
  },
};
