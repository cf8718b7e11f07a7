import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgUrlWithSchema } from '../../library/test/support/env';
import { openStore, type Store } from '../../src/store/store';

/**
 * A migrated store of the given kind for one test file: SQLite in a temporary directory, or PostgreSQL
 * in a schema of its own. `close()` closes it and removes the directory or drops the schema.
 */
export async function migratedStore(
  kind: string,
  tmpPrefix: string,
): Promise<{ store: Store; close: () => Promise<void> }> {
  let store: Store;
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), tmpPrefix));
    store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const pg = await pgUrlWithSchema();
    store = await openStore(pg.url);
    cleanup = pg.drop;
  }
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await cleanup();
    },
  };
}
