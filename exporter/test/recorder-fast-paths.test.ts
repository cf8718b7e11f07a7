/**
 * The recorder's hot paths (issue 19): the operation of a statement is remembered per text, query
 * counts of an ingested batch reach prom-client once per label set, and the sample an adapter passes
 * is the one listeners receive. What they record must not change.
 */
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { type RecordedQuery, Recorder, SqlOperationCache, sqlOperation } from '@perfwatch/node/internal';

async function queriesTotal(registry: Registry, status: 'ok' | 'error'): Promise<number> {
  const metric = await registry.getSingleMetric('db_client_queries_total')!.get();
  return metric.values.filter((v) => v.labels.status === status).reduce((n, v) => n + v.value, 0);
}

describe('SQL operation cache', () => {
  test('names the same operation as the scanner, cached or not', () => {
    const cache = new SqlOperationCache();
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('select', ' /* x */ UPDATE', 'WITH', '('),
        (tail, head) => {
          const sql = head + tail;
          expect(cache.of(sql)).toBe(sqlOperation(sql));
          expect(cache.of(sql)).toBe(sqlOperation(sql));
        },
      ),
    );
  });

  test('holds at most 1000 statements, and none longer than 512 characters', () => {
    const cache = new SqlOperationCache();
    for (let i = 0; i < 2500; i++) cache.of(`SELECT ${i}`);
    expect(cache.size).toBeLessThanOrEqual(1000);
    const before = cache.size;
    cache.of(`SELECT '${'x'.repeat(600)}'`);
    expect(cache.size).toBe(before);
  });
});

describe('recording a batch', () => {
  test('adds every query of the batch to db_client_queries_total by status', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    recorder.recordBatch(() => {
      for (let i = 0; i < 7; i++)
        recorder.recordQuery({
          dbSystem: 'mysql',
          sql: 'SELECT 1',
          durationSeconds: 0.001,
          error: i % 3 === 0,
        });
    });
    expect(await queriesTotal(registry, 'ok')).toBe(4);
    expect(await queriesTotal(registry, 'error')).toBe(3);
  });

  test('adds the queries recorded before a batch fails', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    expect(() =>
      recorder.recordBatch(() => {
        recorder.recordQuery({ dbSystem: 'mysql', sql: 'SELECT 1', durationSeconds: 0.001 });
        throw new Error('bad event');
      }),
    ).toThrow('bad event');
    recorder.recordQuery({ dbSystem: 'mysql', sql: 'SELECT 1', durationSeconds: 0.001 });
    expect(await queriesTotal(registry, 'ok')).toBe(2);
  });

  test('counts a second batch from zero', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry);
    for (let b = 0; b < 2; b++)
      recorder.recordBatch(() =>
        recorder.recordQuery({ dbSystem: 'pg', sql: 'SELECT 1', durationSeconds: 0 }),
      );
    expect(await queriesTotal(registry, 'ok')).toBe(2);
  });
});

test('listeners receive the sample the adapter passed, with its operation and route filled in', () => {
  const recorder = new Recorder(new Registry());
  const seen: RecordedQuery[] = [];
  recorder.onQuery((q) => seen.push(q));
  const sample = { dbSystem: 'pg', sql: 'delete from t', durationSeconds: 0.002 };
  recorder.recordQuery(sample);
  expect(seen).toEqual([expect.objectContaining({ operation: 'DELETE', route: '__unmatched__' })]);
  expect(seen[0]).toBe(sample);
});
