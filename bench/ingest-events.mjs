// Realistic ingestion batches: what a PHP/Laravel app's Perfwatch middleware sends (docs/ingestion.md),
// buffered into batches. Deterministic (seeded), so every run sends the same bodies.

const BATCH = '{{batch}}';
const ROUTES = Array.from({ length: 40 }, (_, i) => `/api/v${1 + (i % 2)}/resource${i}/{id}`);
const TABLES = ['users', 'orders', 'order_lines', 'invoices', 'products', 'carts', 'sessions', 'audit_log'];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The custom metrics the bench service declares (customMetrics: in its config). */
export const CUSTOM_METRICS = [
  { name: 'shop_logins_total', type: 'counter', help: 'Logins by outcome.', labelNames: ['outcome'] },
];

/**
 * One app request's events: the request, its queries (2% of them slow, some repeated N+1-style),
 * now and then a job, a file operation or a login counter.
 */
function unitOfWork(r, n) {
  const route = ROUTES[Math.floor(r() * ROUTES.length)];
  // BATCH is replaced per request by the load generator, so request ids never repeat in a run.
  const requestId = `req-${BATCH}-${n}`;
  const events = [];
  const queries = 3 + Math.floor(r() * 10);
  for (let q = 0; q < queries; q++) {
    const table = TABLES[Math.floor(r() * TABLES.length)];
    const slow = r() < 0.02;
    events.push({
      kind: 'query',
      dbSystem: 'mysql',
      database: 'shop',
      sql: `select * from \`${table}\` where \`id\` = ? and \`tenant_id\` = ? limit 1`,
      durationMs: slow ? 120 + r() * 400 : r() * 8,
      route,
      requestId,
    });
  }
  events.push({
    kind: 'request',
    method: r() < 0.8 ? 'GET' : 'POST',
    route,
    status: r() < 0.97 ? 200 : 500,
    durationMs: 5 + r() * 300,
    responseBytes: Math.floor(r() * 50_000),
    queryCount: queries,
  });
  const x = r();
  if (x < 0.1)
    events.push({
      kind: 'job',
      queue: 'mail',
      jobName: 'SendInvoice',
      status: 'completed',
      durationMs: r() * 2000,
      waitMs: r() * 500,
    });
  else if (x < 0.15)
    events.push({
      kind: 'file_operation',
      operation: 'pdf_render',
      status: 'ok',
      durationMs: r() * 900,
      bytes: Math.floor(r() * 1e6),
    });
  else if (x < 0.25)
    events.push({
      kind: 'metric',
      name: 'shop_logins_total',
      labels: { outcome: r() < 0.9 ? 'success' : 'failure' },
    });
  return events;
}

/** A body with its request ids made unique for batch number `id`. */
export function withBatchId(body, id) {
  return body.replaceAll(BATCH, String(id));
}

/** `count` JSON bodies of about `eventsPerBatch` events each, and the exact event count of each. */
export function batches(count, eventsPerBatch, seed = 42) {
  const r = rng(seed);
  let n = 0;
  const out = [];
  for (let b = 0; b < count; b++) {
    const events = [];
    while (events.length < eventsPerBatch) events.push(...unitOfWork(r, n++));
    out.push({ body: JSON.stringify({ events }), events: events.length });
  }
  return out;
}
