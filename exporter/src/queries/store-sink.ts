import type { SampleSink } from '@perfwatch/node';
import { openStore, type Store } from '../store/store';
import { SlowQueryRepository } from './repository';

/**
 * The library's slow-query sink backed by the service's store (`postgres://…`, or `sqlite:<path>` on the
 * same machine), so the service's API and the Grafana app show an app's samples. The store is opened on
 * the first write: creating the perfwatch instance stays synchronous and cheap. The service creates the
 * tables.
 */
export function storeSink(url: string): SampleSink {
  let store: Promise<Store> | undefined;
  let repository: Promise<SlowQueryRepository> | undefined;
  const open = () => (repository ??= (store ??= openStore(url)).then((s) => new SlowQueryRepository(s)));
  return {
    insert: async (samples, tallies) => (await open()).insert(samples, tallies),
    purge: async (before) => (await open()).purge(before),
    close: async () => {
      if (store) await (await store).close();
    },
  };
}
