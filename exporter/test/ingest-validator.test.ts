import fc from 'fast-check';
import { EVENT_KINDS, eventSchema, ingestConfigSchema } from '../src/ingest/schema';
import { z } from 'zod';
import { EventValidator, minLengthOverOne } from '../src/ingest/validator';

// The compiled validator is generated from the zod schema; these hold it to zod's verdict, so the fast
// path never accepts an event zod refuses (nor sends a valid one to the slow path).
const limits = ingestConfigSchema.parse({ maxLabelLength: 16, maxSqlLength: 40 });
const zod = eventSchema(limits);
const validator = new EventValidator(limits);

const FIELDS = [
  'method', 'route', 'status', 'durationMs', 'requestBytes', 'responseBytes', 'queryCount',
  'memoryPeakBytes', 'dbSystem', 'sql', 'database', 'requestId', 'error', 'time', 'callSite', 'queue',
  'jobName', 'waitMs', 'operation', 'bytes', 'name', 'labels', 'value', 'op', 'errorClass', 'count',
  'task', 'state', 'depth', 'unknownField',
]; // prettier-ignore

/** Values near every limit in the schema: lengths around 16 and 40 (in code units and in emoji), integers and not. */
const value = fc.oneof(
  fc.constantFrom('', 'GET', 'x'.repeat(16), 'x'.repeat(17), '😀'.repeat(8), '😀'.repeat(9), 'y'.repeat(40)),
  fc.constantFrom('y'.repeat(41), 'completed', 'retried', 'ok', 'success', 'waiting', 'set', 'add', 'nope'),
  fc.constantFrom(0, -1, 1.5, 100, 599, 600, 86_400_000, 86_400_001, 2 ** 45, 2 ** 53, 1_000_000_001),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.constantFrom('a', 'b'.repeat(101), '😀'.repeat(50), '😀'.repeat(51)), fc.oneof(fc.string(), fc.integer())),
  fc.array(fc.integer(), { maxLength: 2 }),
); // prettier-ignore

const event = fc
  .tuple(fc.constantFrom(...EVENT_KINDS, 'other'), fc.dictionary(fc.constantFrom(...FIELDS), value))
  .map(([kind, fields]) => ({ kind, ...fields }));

/** Events each kind accepts, so the comparison covers acceptance as well as refusal. */
const validEvent = fc.oneof(
  fc.record({ kind: fc.constant('request'), method: fc.constantFrom('GET', 'x'.repeat(32)), route: fc.constantFrom('/a', '😀'.repeat(16), '\ud83d'.repeat(16), '😀'.repeat(17)), status: fc.integer({ min: 100, max: 599 }), durationMs: fc.double({ min: 0, max: 86_400_000, noNaN: true }) }),
  fc.record({ kind: fc.constant('query'), dbSystem: fc.constant('pg'), sql: fc.string({ minLength: 1, maxLength: 40 }), durationMs: fc.integer({ min: 0, max: 1000 }) }, { requiredKeys: ['kind', 'dbSystem', 'sql', 'durationMs'] }),
  fc.record({ kind: fc.constant('metric'), name: fc.constant('m'), labels: fc.dictionary(fc.string({ maxLength: 100 }), fc.string()) }),
); // prettier-ignore

describe('compiled event validator', () => {
  test('never accepts an event the zod schema refuses', () => {
    fc.assert(
      fc.property(fc.oneof(event, validEvent), (raw) => {
        if (validator.compiledAccepts(raw)) expect(zod.safeParse(raw).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  test("gives the zod schema's verdict on every event", () => {
    fc.assert(
      fc.property(fc.oneof(event, validEvent), (raw) => {
        expect(validator.check(raw).ok).toBe(zod.safeParse(raw).success);
      }),
      { numRuns: 5000 },
    );
  });

  test('accepts on the compiled path every valid event whose strings have no astral characters', () => {
    const astral = (v: unknown) => /[\ud800-\udfff]/.test(JSON.stringify(v));
    fc.assert(
      fc.property(fc.oneof(event, validEvent), (raw) => {
        fc.pre(!astral(raw));
        expect(validator.compiledAccepts(raw)).toBe(zod.safeParse(raw).success);
      }),
      { numRuns: 5000 },
    );
  });

  test('accepts a label of 16 emoji under a 16-character limit, as zod counts code points', () => {
    const event = (route: string) => ({ kind: 'request', method: 'GET', route, status: 200, durationMs: 1 });
    expect(validator.check(event('😀'.repeat(16))).ok).toBe(true);
    expect(validator.check(event('😀'.repeat(17)))).toEqual({
      ok: false,
      reason: expect.stringContaining('route:'),
    });
  });

  test('takes the reason for a refused event from zod', () => {
    const raw = { kind: 'job', queue: 'q', jobName: 'j', status: 'lost', durationMs: 1 };
    const parsed = zod.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(validator.check(raw)).toEqual({
      ok: false,
      reason: `status: ${parsed.error?.issues[0].message}`,
    });
  });
});

test('a schema whose strings need two or more characters cannot be compiled to count UTF-16 units', () => {
  const jsonSchema = (min: number) =>
    z.toJSONSchema(z.object({ a: z.string().min(1), b: z.string().min(min) }));
  expect(minLengthOverOne(jsonSchema(1))).toBeUndefined();
  expect(minLengthOverOne(jsonSchema(2))).toBe('"minLength":2');
  expect(minLengthOverOne(jsonSchema(10))).toBe('"minLength":10');
});
