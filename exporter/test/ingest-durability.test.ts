/**
 * Durability of ingested slow queries (issue 12, item 7): a 200 from POST /api/v1/events means the
 * batch's slow-query samples and sampled-out counts are committed to the store. The built CLI takes a
 * stream of batches well over the sampling budget (so most queries are only counted) and is killed
 * with SIGKILL mid-stream; every query in an acknowledged batch must then be counted in the store.
 * Runs on SQLite (WAL, synchronous=NORMAL) and PostgreSQL. Needs `npm run build -w @perfwatch/exporter`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlowQueryRepository } from '../src/queries/repository';
import { openStore } from '../src/store/store';
import { pgUrlWithSchema } from '../library/test/support/env';
import { serveProcess } from './support/serve-process';

jest.setTimeout(60_000);

const WORKERS = 4;
const FINGERPRINTS = 12;
const BATCH = 25;

describe.each(['sqlite', 'postgres'])('SIGKILL during ingestion on %s', (kind) => {
  let storeUrl: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'pw-durable-'));
      storeUrl = `sqlite:${path.join(dir, 'perfwatch.db')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const pg = await pgUrlWithSchema();
      storeUrl = pg.url;
      cleanup = pg.drop;
    }
  });
  afterAll(() => cleanup());

  test('every slow query of an acknowledged batch is counted in the store', async () => {
    const svc = await serveProcess(storeUrl);
    const acked = new Map<string, number>();
    const sent = new Map<string, number>();
    const statuses = new Map<number, number>();
    let killed = false;
    const worker = async (w: number) => {
      for (let b = 0; !killed; b++) {
        const tables = Array.from({ length: BATCH }, (_, i) => `dur_${(w * 7 + b * 3 + i) % FINGERPRINTS}`);
        const events = tables.map((t, i) => ({
          kind: 'query',
          dbSystem: 'postgresql',
          sql: `select * from ${t} where id = ${b * BATCH + i}`,
          durationMs: 100 + ((b * BATCH + i) % 400),
        }));
        for (const t of tables) sent.set(t, (sent.get(t) ?? 0) + 1);
        try {
          const res = await svc.api('/api/v1/events', {
            method: 'POST',
            scope: 'ingest',
            body: JSON.stringify({ events }),
          });
          await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) for (const t of tables) acked.set(t, (acked.get(t) ?? 0) + 1);
        } catch {
          return; // the process died under the request
        }
      }
    };
    const running = Array.from({ length: WORKERS }, (_, w) => worker(w));
    // Kill once a fair number of batches were acknowledged, not after a fixed time.
    while ([...acked.values()].reduce((a, n) => a + n, 0) < 150 * BATCH)
      await new Promise((r) => setTimeout(r, 20));
    await svc.stop('SIGKILL');
    killed = true;
    await Promise.all(running);
    expect(statuses.get(202) ?? 0).toBe(0);

    const store = await openStore(storeUrl);
    try {
      const { items } = await new SlowQueryRepository(store).aggregate(
        { from: 0, to: Date.now() + 60_000 },
        'count',
        'desc',
      );
      const stored = new Map(items.map((i) => [/from (dur_\d+)/.exec(i.fingerprint)![1], i.count]));
      for (const [table, n] of acked) {
        expect(stored.get(table) ?? 0).toBeGreaterThanOrEqual(n);
        expect(stored.get(table) ?? 0).toBeLessThanOrEqual(sent.get(table)!);
      }
    } finally {
      await store.close();
    }
  });
});
