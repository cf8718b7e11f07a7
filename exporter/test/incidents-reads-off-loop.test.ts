/**
 * Incident reads on SQLite go through the store's worker-thread reader (issue 12): they never wait for
 * the service's one SQLite connection, so a long write (a webhook storm's transaction, a purge) cannot
 * hold up listing or opening incidents, and they see exactly what has been committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IncidentRepository } from '../src/incidents/repository';
import { openStore, type Store } from '../src/store/store';

jest.setTimeout(30_000);

let dir: string;
let store: Store;
let repo: IncidentRepository;
let id: number;
const actor = { name: 'tester', tokenName: null };
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pw-incident-reads-'));
  store = await openStore(`sqlite:${path.join(dir, 'perfwatch.db')}`);
  await store.migrate();
  repo = new IncidentRepository(store);
  id = (await repo.create({ title: 'committed title', severity: 'high' }, actor, Date.now())).id;
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Thrown to end the transaction without committing, carrying what the read answered. */
class Rollback {
  constructor(readonly result: unknown) {}
}

/** Runs `read` while a transaction holds the store's only SQLite connection with an uncommitted change. */
async function duringOpenWrite(read: () => Promise<unknown>): Promise<unknown> {
  try {
    await store.db.transaction(async (trx) => {
      await trx('incidents').where({ id }).update({ title: 'uncommitted title' });
      // Generous: a read on the knex connection waits for this transaction, which only ends after it.
      const gaveUp = new Promise((r) =>
        setTimeout(() => r('waited for the write connection'), 10_000).unref(),
      );
      throw new Rollback(await Promise.race([read(), gaveUp]));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.result;
    throw err;
  }
  throw new Error('the transaction committed');
}

test('listing incidents answers while a write transaction is open, with the committed state', async () => {
  const readResult = await duringOpenWrite(() => repo.list({}, 'createdAt', 'desc', 10, 0, Date.now()));
  expect(readResult).toMatchObject({ total: 1, items: [{ id, title: 'committed title' }] });
});

test('one incident, with its alerts and timeline, answers while a write transaction is open', async () => {
  const readResult = await duringOpenWrite(() => repo.get(id, Date.now()));
  expect(readResult).toMatchObject({ id, title: 'committed title', alerts: [] });
  expect((readResult as { timeline: unknown[] }).timeline.length).toBeGreaterThan(0);
});

test('the MTTA/MTTR rows answer while a write transaction is open', async () => {
  const readResult = await duringOpenWrite(() => repo.statsRows(0, Date.now() + 1000));
  expect(readResult).toMatchObject({ truncated: false, rows: [{ severity: 'high' }] });
});
