/**
 * @perfwatch/exporter: the service (`perfwatch serve` and the CLI) and what apps use of it: the config
 * file, SLA rule generation and reports, the store. It re-exports the in-process library
 * (@perfwatch/node); its perfwatch() adds what needs the service: the `sla:` section of perfwatch.yml
 * as bucket bounds, and slow-query samples written to the service's store.
 *
 *   const pw = perfwatch({ sla: loadConfig('perfwatch.yml').sla, store: 'postgres://…' });
 */
import { type PerfwatchOptions as LibraryOptions, perfwatch as libraryPerfwatch } from '@perfwatch/node';
import { storeSink } from './queries/store-sink';
import type { SlaConfig } from './sla/config';
import { slaBucketBounds } from './sla/model';

export interface PerfwatchOptions extends Omit<LibraryOptions, 'queries'> {
  /**
   * Slow-query capture: the library's options, or perfwatch.yml's parsed `queries:` section whole
   * (`loadConfig('perfwatch.yml').queries`). Its `explain` connections are the service's (EXPLAIN runs in
   * `perfwatch serve`), so they are left out of what the library is given.
   */
  queries?: LibraryOptions['queries'] & { explain?: unknown };
  /**
   * The parsed `sla:` section of perfwatch.yml (`loadConfig('perfwatch.yml').sla`): its latency targets and
   * warning/critical/emergency thresholds become bucket bounds, so the generated rules read exact buckets.
   */
  sla?: SlaConfig;
  /**
   * The store `perfwatch serve` uses (`postgres://…`, or `sqlite:<path>` on the same machine): slow-query
   * and N+1 samples are written there in batches, so the service's API and the Grafana app show them.
   */
  store?: string;
}

export function perfwatch(options: PerfwatchOptions = {}) {
  const { sla, store, queries, ...library } = options;
  const { explain: _serviceOnly, ...libraryQueries } = queries ?? {};
  return libraryPerfwatch({
    ...library,
    queries: queries && libraryQueries,
    slaBounds: [...slaBucketBounds(sla), ...(library.slaBounds ?? [])],
    sink: library.sink ?? (store ? storeSink(store) : undefined),
  });
}

export * from '@perfwatch/node';
export { loadConfig, parseConfig, ConfigError } from './config/load';
export { startService } from './server/service';
export { openStore } from './store/store';
export { storeSink } from './queries/store-sink';
export { slaBucketBounds, resolveSlas } from './sla/model';
export { generate as generateSlaFiles } from './sla/generate';
export { buildReport as buildSlaReport } from './sla/report';
export type { SlaReport, EndpointReport } from './sla/report';
export type { SlaConfig, SlaConfigInput } from './sla/config';
