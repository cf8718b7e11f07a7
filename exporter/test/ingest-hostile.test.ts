import fc from 'fast-check';
import { parsePromText } from '../library/test/support/prom-text';
import { startTestService, type TestService } from './support/service';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({
    ingest: { maxBatch: 200 },
    customMetrics: [{ name: 'app_logins_total', type: 'counter', help: 'Logins.', labelNames: ['outcome'] }],
  });
});
afterAll(() => svc.close());

const post = (body: string | Uint8Array, contentType = 'application/json') =>
  svc.api('/api/v1/events', {
    method: 'POST',
    body,
    scope: 'ingest',
    headers: { 'content-type': contentType },
  });

interface Report {
  accepted: number;
  rejected: Array<{ index: number; kind: string; reason: string }>;
}

/** Every answer is a 2xx or 4xx JSON body; a batch report accounts for every event exactly once. */
async function expectHandled(res: Response, events?: unknown[]): Promise<void> {
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as Report | { error: { code: string; message: string } };
  if (events && 'accepted' in body) {
    expect(body.accepted + body.rejected.length).toBe(events.length);
    const indexes = body.rejected.map((r) => r.index);
    expect(new Set(indexes).size).toBe(indexes.length);
    for (const r of body.rejected) {
      expect(r.index).toBeGreaterThanOrEqual(0);
      expect(r.index).toBeLessThan(events.length);
      expect(r.reason.length).toBeGreaterThan(0);
      expect(r.reason.length).toBeLessThanOrEqual(301);
    }
  } else if ('error' in body) {
    expect(body.error.message.length).toBeGreaterThan(0);
  }
}

/** Any JSON-ish value, including the shapes the schema expects but with hostile contents. */
const anyField = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 86_400_001, 599, 100),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'le',
);

const event = fc.record(
  {
    kind: fc.oneof(
      fc.constantFrom('request', 'query', 'job', 'file_operation', 'metric', 'Request', ''),
      anyField,
    ),
    method: anyField,
    route: anyField,
    status: anyField,
    durationMs: anyField,
    requestBytes: anyField,
    responseBytes: anyField,
    queryCount: anyField,
    dbSystem: anyField,
    sql: anyField,
    database: anyField,
    requestId: anyField,
    error: anyField,
    time: anyField,
    queue: anyField,
    jobName: anyField,
    waitMs: anyField,
    operation: anyField,
    bytes: anyField,
    name: fc.oneof(fc.constant('app_logins_total'), anyField),
    labels: fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), hostileKey, fc.constant('outcome')), anyField),
      anyField,
    ),
    value: anyField,
    op: anyField,
  },
  { requiredKeys: [] },
);

/** Events that are valid, with arbitrary (possibly hostile) label text. */
const validEvent = fc.oneof(
  fc.record({
    kind: fc.constant('request'),
    method: fc.constantFrom('GET', 'post', 'BREW'),
    route: fc.string({ minLength: 1, maxLength: 100 }),
    status: fc.integer({ min: 100, max: 599 }),
    durationMs: fc.double({ min: 0, max: 60_000, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('query'),
    dbSystem: fc.constantFrom('mysql', 'postgresql'),
    sql: fc.string({ minLength: 1, maxLength: 500 }),
    durationMs: fc.double({ min: 0, max: 5_000, noNaN: true }),
    requestId: fc.string({ minLength: 1, maxLength: 20 }),
  }),
  fc.record({
    kind: fc.constant('metric'),
    name: fc.constant('app_logins_total'),
    labels: fc.record({ outcome: fc.string({ maxLength: 50 }) }),
  }),
);

describe('hostile input to POST /api/v1/events', () => {
  test('arbitrary bodies are answered with a 4xx JSON error, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.jsonValue().map((v) => JSON.stringify({ events: v })),
        ),
        async (body) => {
          await expectHandled(await post(body));
        },
      ),
      { numRuns: 150 },
    );
  });

  test('batches of malformed events are answered event by event, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(validEvent, event, anyField), { maxLength: 30 }), async (events) => {
        const body = JSON.stringify({ events });
        const sent = JSON.parse(body) as { events: unknown[] };
        await expectHandled(await post(body), sent.events);
      }),
      { numRuns: 200 },
    );
  });

  test('prototype keys in events and labels pollute nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileKey, anyField, async (key, v) => {
        const raw = `{"events":[{"kind":"metric","name":"app_logins_total","labels":{"${key}":${JSON.stringify(
          v ?? null,
        )},"outcome":"ok"}},{"kind":"request","${key}":{"polluted":true},"method":"GET","route":"/p","status":200,"durationMs":1}],"${key}":{"polluted":true}}`;
        await expectHandled(await post(raw), [0, 1]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 60 },
    );
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test.each([
    ['deeply nested arrays', `{"events":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`],
    [
      'a deeply nested label value',
      `{"events":[{"kind":"metric","name":"app_logins_total","labels":{"outcome":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}]}`,
    ],
    [
      'numbers out of range',
      '{"events":[{"kind":"request","method":"GET","route":"/n","status":1e400,"durationMs":-1e400}]}',
    ],
    [
      'lone surrogates',
      '{"events":[{"kind":"request","method":"GET","route":"/\\ud800","status":200,"durationMs":1}]}',
    ],
    ['a JSON array at the top level', '[{"kind":"request"}]'],
    ['a bare string', '"events"'],
    ['an empty body', ''],
    ['a duplicate key', '{"events":[],"events":{"length":1e9}}'],
  ])('%s: answered without a 500', async (_what, body) => {
    await expectHandled(await post(body));
  });

  test('a body declared as another content type is not parsed as events', async () => {
    const res = await post('{"events":[]}', 'text/plain');
    expect(res.status).toBe(400);
  });

  test('after all of it the service is up and /metrics is well-formed', async () => {
    expect((await svc.api('/healthz')).status).toBe(200);
    const res = await svc.api('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(parsePromText(text)).toHaveLength(lines.length);
  });
});
