// Hostile inputs for every /api/v1 route and the Alertmanager webhook, shared by bench/fuzz.mjs
// (a million of them against a real `perfwatch serve`) and exporter/test/api-fuzz.test.ts (a sample).
// CommonJS so both node (ESM bench) and jest (TypeScript tests) can load it; fast-check is passed in.
'use strict';

const { URLSearchParams } = require('node:url');

/** encodeURIComponent of any string: a lone surrogate becomes U+FFFD instead of throwing. */
const enc = (s) => encodeURIComponent(s.toWellFormed());

/** @param {typeof import('fast-check')} fc */
function arbitraries(fc) {
  const nasty = fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '💥',
    '../../etc/passwd',
    '%00',
    '%2e%2e',
    'javascript:alert(1)',
    'http://x',
    '/**/'.repeat(40) + '1',
    '/'.repeat(2000),
    '{{{{{{{{',
    '((((((((',
    '0x7',
    '1e3',
    '-1',
    '99999999999999999',
    'NaN',
    'null',
    '__proto__',
    'constructor',
    'x'.repeat(5000),
  );
  const str = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 60 }), nasty);
  const num = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 1, 1e308, -1e308, 2 ** 53, 8.64e15 + 1, 1_800_000_000_000, 1e17),
  );
  const any = fc.oneof(str, num, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
  const maybe = (a) => fc.option(a, { nil: undefined, freq: 3 });
  const objOf = (shape) => fc.record(shape, { requiredKeys: [] });

  const idSeg = fc.oneof(
    fc.constantFrom('1', '2', '3', '0', '0x7', '1e3', '-1', '99999999999999999', 'abc', '%00'),
    str,
  );
  const fpSeg = fc.oneof(fc.constantFrom('0123456789abcdef', '00000000000000aa'), str);
  const time = fc.oneof(
    fc.constantFrom('2026-01-01T00:00:00Z', '0', '99999999999999999', 'yesterday', '-1'),
    str,
  );
  const query = fc.dictionary(
    fc.constantFrom(
      'from',
      'to',
      'limit',
      'offset',
      'sort',
      'order',
      'q',
      'status',
      'severity',
      'label',
      'period',
      'route',
      'database',
      'operation',
      'source',
      'acknowledged',
      'alertsState',
      'assignee',
      'x',
    ),
    fc.oneof(
      str,
      time,
      fc.constantFrom('30d', '2026-Q4', 'totalTime', 'desc', 'open', 'critical', 'a=b', 'true'),
    ),
    { maxKeys: 4 },
  );

  const event = objOf({
    kind: fc.oneof(fc.constantFrom('request', 'query', 'job', 'file_operation', 'metric'), any),
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'BREW'), any),
    route: fc.oneof(fc.constantFrom('/users/:id', 'invoices/{id}'), any),
    status: fc.oneof(fc.constantFrom(200, 404, 500), any),
    durationMs: fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), any),
    dbSystem: fc.oneof(fc.constantFrom('postgresql', 'mysql'), any),
    sql: fc.oneof(
      fc.constantFrom('select * from t where id = 1', 'SELECT 1', '/* a */ update t set x = 2'),
      any,
    ),
    requestId: maybe(fc.oneof(fc.constantFrom('r1', 'r2'), any)),
    queue: maybe(any),
    jobName: maybe(any),
    operation: maybe(any),
    name: maybe(any),
    labels: maybe(fc.dictionary(str, any, { maxKeys: 3 })),
    value: maybe(any),
    time: maybe(num),
    queryCount: maybe(any),
  });
  const labelSet = fc.dictionary(
    fc.oneof(fc.constantFrom('alertname', 'severity', 'service', 'runbook_url'), str),
    fc.oneof(fc.constantFrom('Fuzz', 'critical', 'api'), str),
    { maxKeys: 5 },
  );
  const alert = objOf({
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), any),
    labels: fc.oneof(labelSet, any),
    annotations: maybe(fc.oneof(labelSet, any)),
    startsAt: fc.oneof(fc.constantFrom('2026-01-01T10:00:00Z', '0001-01-01T00:00:00Z'), any),
    endsAt: maybe(fc.oneof(fc.constantFrom('0001-01-01T00:00:00Z'), any)),
    generatorURL: maybe(fc.oneof(fc.constantFrom('javascript:alert(1)', 'http://p:9090/graph'), any)),
    fingerprint: maybe(fc.oneof(fc.constantFrom('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'), any)),
  });
  const webhook = objOf({
    version: fc.oneof(fc.constant('4'), any),
    groupKey: fc.oneof(fc.constantFrom('{}:{alertname="Fuzz"}', 'g2'), any),
    truncatedAlerts: maybe(any),
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), any),
    receiver: maybe(any),
    groupLabels: maybe(fc.oneof(labelSet, any)),
    commonLabels: maybe(fc.oneof(labelSet, any)),
    commonAnnotations: maybe(fc.oneof(labelSet, any)),
    externalURL: maybe(any),
    alerts: fc.oneof(fc.array(alert, { minLength: 1, maxLength: 4 }), any),
  });
  const incidentBody = objOf({
    title: any,
    description: maybe(any),
    severity: maybe(fc.oneof(fc.constantFrom('low', 'medium', 'high', 'critical'), any)),
    status: maybe(any),
    labels: maybe(fc.oneof(labelSet, any)),
    assignee: maybe(any),
    text: maybe(any),
    note: maybe(any),
    ids: maybe(fc.oneof(fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }), any)),
    durationMinutes: maybe(any),
    comment: maybe(any),
    fingerprints: maybe(any),
  });
  const scope = fc.constantFrom('read', 'write', 'ingest', 'alertmanager', 'none', 'bogus');
  const rawBody = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{bad json', '', 'null', '[]', '"x"', '{"events":{}}', '\u0000'),
    },
  );

  const route = (method, pathArb, bodyArb, scopeDefault) =>
    fc.record({
      method: fc.constant(method),
      path: pathArb,
      query,
      body: bodyArb,
      raw: rawBody,
      scope: fc.oneof({ weight: 6, arbitrary: fc.constant(scopeDefault) }, { weight: 1, arbitrary: scope }),
    });
  const seg = (prefix, a, suffix = '') => a.map((s) => `${prefix}${enc(s)}${suffix}`);
  const incidentActions = [
    'acknowledge',
    'unacknowledge',
    'assign',
    'status',
    'severity',
    'notes',
    'resolve',
    'silence',
    'unsilence',
    'diagnostics',
  ];
  // Valid payloads, so the webhook's incident mapping and every incident action run their real work
  // (open, reopen, resolve, transitions, silences in a real Alertmanager) rather than being refused at
  // the schema. Ids 1–300 exist once the first few hundred webhooks and creations have landed.
  const validRoute = (method, pathArb, bodyArb, scopeArb) =>
    fc.record({
      method: fc.constant(method),
      path: pathArb,
      query: fc.constant({}),
      body: bodyArb,
      raw: fc.constant(undefined),
      scope: scopeArb,
    });
  const validId = fc.integer({ min: 1, max: 300 }).map(String);
  const alertName = fc.integer({ min: 0, max: 60 }).map((i) => `Fuzz${i}`);
  const severity = fc.constantFrom('warning', 'critical', 'info', 'page');
  const iso = fc
    .integer({ min: -7 * 86_400_000, max: 0 })
    .map((d) => new Date(Date.UTC(2026, 0, 1) + d).toISOString());
  const validAlert = fc
    .record({
      status: fc.constantFrom('firing', 'resolved'),
      alertname: alertName,
      severity,
      instance: fc.constantFrom('a:9100', 'b:9100', 'c:9100'),
      startsAt: iso,
      summary: fc.string({ maxLength: 80 }),
      fp: fc.integer({ min: 0, max: 2 ** 31 }),
    })
    .map((a) => ({
      status: a.status,
      labels: { alertname: a.alertname, severity: a.severity, instance: a.instance, service: 'api' },
      annotations: { summary: a.summary, runbook_url: 'https://runbooks.example/fuzz' },
      startsAt: a.startsAt,
      endsAt:
        a.status === 'resolved'
          ? new Date(Date.parse(a.startsAt) + 60_000).toISOString()
          : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: a.fp.toString(16).padStart(16, '0'),
    }));
  const validWebhook = fc.array(validAlert, { minLength: 1, maxLength: 6 }).map((alerts) => {
    const name = alerts[0].labels.alertname;
    const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
    return {
      version: '4',
      groupKey: `{}:{alertname="${name}"}`,
      truncatedAlerts: 0,
      status,
      receiver: 'perfwatch',
      groupLabels: { alertname: name },
      commonLabels: { alertname: name },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts,
    };
  });
  const words = fc.string({ minLength: 1, maxLength: 120 }).filter((s) => s.trim().length > 0);
  const validCreate = fc.record(
    {
      title: words,
      description: words,
      severity: fc.constantFrom('low', 'medium', 'high', 'critical'),
      status: fc.constantFrom('open', 'investigating', 'identified', 'monitoring'),
      labels: fc.dictionary(fc.constantFrom('service', 'team', 'env'), fc.string({ maxLength: 20 }), {
        maxKeys: 3,
      }),
      assignee: fc.constantFrom('alice', 'bob', 'carol'),
    },
    { requiredKeys: ['title'] },
  );
  const validAction = fc.oneof(
    fc.constant(['acknowledge', {}]),
    fc.constant(['unacknowledge', {}]),
    fc.constantFrom('alice', 'bob', null).map((assignee) => ['assign', { assignee }]),
    fc
      .tuple(
        fc.constantFrom('open', 'investigating', 'identified', 'monitoring', 'resolved'),
        fc.option(words),
      )
      .map(([status, note]) => ['status', note === null ? { status } : { status, note }]),
    fc.constantFrom('low', 'medium', 'high', 'critical').map((s) => ['severity', { severity: s }]),
    words.map((text) => ['notes', { text }]),
    fc.option(words).map((note) => ['resolve', note === null ? {} : { note }]),
    fc
      .record(
        { durationMinutes: fc.integer({ min: 1, max: 600 }), comment: words },
        { requiredKeys: ['durationMinutes'] },
      )
      .map((b) => ['silence', b]),
    fc.constant(['unsilence', {}]),
    fc.constant(['diagnostics', {}]),
  );
  const valid = fc.oneof(
    {
      weight: 4,
      arbitrary: validRoute(
        'POST',
        fc.constant('/alertmanager/webhook'),
        validWebhook,
        fc.constant('alertmanager'),
      ),
    },
    validRoute('POST', fc.constant('/incidents'), validCreate, fc.constant('write')),
    {
      weight: 6,
      arbitrary: fc
        .tuple(validId, validAction)
        .chain(([id, [action, body]]) =>
          validRoute(
            'POST',
            fc.constant(`/incidents/${id}/${action}`),
            fc.constant(body),
            fc.constant('write'),
          ),
        ),
    },
    validRoute(
      'GET',
      validId.map((id) => `/incidents/${id}`),
      fc.constant(undefined),
      fc.constant('read'),
    ),
    validRoute(
      'POST',
      fc.constantFrom('/incidents/bulk/acknowledge', '/incidents/bulk/resolve'),
      fc
        .uniqueArray(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 })
        .map((ids) => ({ ids })),
      fc.constant('write'),
    ),
  );

  const hostile = fc.oneof(
    route('GET', fc.constant('/status'), fc.constant(undefined), 'read'),
    route('GET', fc.constant('/whoami'), fc.constant(undefined), 'read'),
    route('GET', fc.constant('/slow-queries'), fc.constant(undefined), 'read'),
    route('GET', seg('/slow-queries/', fpSeg), fc.constant(undefined), 'read'),
    {
      weight: 4,
      arbitrary: route(
        'POST',
        fc.constantFrom('/events', '/events/'),
        fc.record({ events: fc.array(event, { maxLength: 8 }) }),
        'ingest',
      ),
    },
    route('GET', fc.constant('/health/checks'), fc.constant(undefined), 'read'),
    { weight: 3, arbitrary: route('POST', fc.constant('/alertmanager/webhook'), webhook, 'alertmanager') },
    route('GET', fc.constant('/incidents'), fc.constant(undefined), 'read'),
    route('POST', fc.constant('/incidents'), incidentBody, 'write'),
    route('GET', fc.constant('/incidents/stats'), fc.constant(undefined), 'read'),
    route(
      'POST',
      fc.constantFrom('/incidents/bulk/acknowledge', '/incidents/bulk/resolve'),
      incidentBody,
      'write',
    ),
    route('GET', seg('/incidents/', idSeg), fc.constant(undefined), 'read'),
    {
      weight: 3,
      arbitrary: route(
        'POST',
        fc.tuple(idSeg, fc.constantFrom(...incidentActions)).map(([id, a]) => `/incidents/${enc(id)}/${a}`),
        incidentBody,
        'write',
      ),
    },
    route('GET', fc.constant('/sla/report'), fc.constant(undefined), 'read'),
    route(
      'GET',
      fc.oneof(
        str.map((s) => `/${enc(s)}`),
        fc.constant(`/${'/'.repeat(3000)}x`),
      ),
      fc.constant(undefined),
      'read',
    ),
  );
  // About a third valid: the hostile side still dominates, the valid side reaches the deep paths.
  return fc.oneof({ weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: valid });
}

/** `n` requests from `seed`: { method, path, query, body, raw, scope }. */
function requests(fc, seed, n) {
  return fc.sample(arbitraries(fc), { seed, numRuns: n });
}

/** The fetch init and URL of one generated request. */
function toFetch(base, tokens, r) {
  const qs = new URLSearchParams(r.query).toString();
  const headers = {};
  if (tokens[r.scope]) headers.authorization = `Bearer ${tokens[r.scope]}`;
  else if (r.scope === 'bogus') headers.authorization = 'Bearer not-a-token';
  let body;
  if (r.method !== 'GET') {
    body = r.raw !== undefined ? r.raw : JSON.stringify(r.body ?? {});
    headers['content-type'] = 'application/json';
  }
  return { url: `${base}/api/v1${r.path}${qs ? `?${qs}` : ''}`, init: { method: r.method, headers, body } };
}

/** Why an answer breaks the contract (5xx, or a 4xx that is not JSON with a message), or undefined. */
function violation(status, contentType, text) {
  if (status >= 500) return `status ${status}: ${text.slice(0, 200)}`;
  if (status >= 400) {
    if (!/application\/json/.test(contentType ?? ''))
      return `status ${status} not JSON: ${text.slice(0, 100)}`;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return `status ${status}: body not parseable`;
    }
    // POST /events answers a batch of only bad events with its report: a reason per event.
    if (Array.isArray(body?.rejected) && body.rejected.length > 0)
      return body.rejected.every((r) => typeof r.reason === 'string' && r.reason.length > 0)
        ? undefined
        : `status ${status}: a rejected event without a reason`;
    const message = body?.error?.message;
    if (typeof message !== 'string' || message.length === 0) return `status ${status} without error.message`;
  }
  return undefined;
}

module.exports = { arbitraries, requests, toFetch, violation };
