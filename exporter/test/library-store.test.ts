import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/load';
import { perfwatch } from '../src/index';
import { PG_URL } from '../library/test/support/env';
import { startTestService, type TestService } from './support/service';

/**
 * An app instrumented in-process and `perfwatch serve` share a store: the app's slow queries appear
 * in the service's API (and so in the Grafana app) without going through the ingestion endpoint.
 */
describe('perfwatch({ store }) in an app', () => {
  let dir: string;
  let svc: TestService;
  let storeUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-libstore-'));
    storeUrl = `sqlite:${path.join(dir, 'shared.db')}`;
    svc = await startTestService({ store: { url: storeUrl } });
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the app's slow queries are written to the service's store and listed by its API", async () => {
    const pw = perfwatch({ store: storeUrl, defaultMetrics: false, queries: { slowThresholdMs: 20 } });
    pw.instrumentPg(pg);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const marker = `libstore_${Date.now()}`;
    try {
      await client.query(`select pg_sleep(0.05), '${marker}' as marker`);
    } finally {
      await client.end();
    }
    // Nothing is in the service's store until the app flushes (on its interval, or on close).
    await pw.close();
    const res = await svc.api('/api/v1/slow-queries?q=pg_sleep', { scope: 'read' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ fingerprint: string; count: number }> };
    expect(body.items.map((i) => i.fingerprint)).toContain('select pg_sleep(?), ? as marker');
  });
});

test("perfwatch() takes perfwatch.yml's queries section whole, the service's explain connections included", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-libqueries-'));
  try {
    const file = path.join(dir, 'perfwatch.yml');
    writeFileSync(
      file,
      'queries:\n  slowThresholdMs: 20\n  explain:\n    connections:\n      app: { client: pg, urlEnv: APP_DB }\n',
    );
    const pw = perfwatch({ defaultMetrics: false, queries: loadConfig(file, {}).queries });
    await pw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
