/*
 * Answers of the exporter for the pages' unit tests, typed by the types generated from the exporter's
 * contract (api/openapi.gen.ts): a field the exporter adds, renames or drops breaks this file's build.
 */
import type {
  SlaBurndown,
  SlaHistory,
  SlaHistoryMonth,
  IncidentList,
  IncidentStats,
  FingerprintStats,
  IncidentDetail,
  SlaReport,
  RequestSample,
  RequestSamples,
  SlowQueryDetail,
  SlowQueryFacets,
  SlowQueryGroup,
  SlowQueryGroupBy,
  SlowQueryGroups,
  SlowQueryList,
} from '../api/types';

export const fingerprint = (over: Partial<FingerprintStats> = {}): FingerprintStats => ({
  id: '0123456789abcdef',
  fingerprint: 'select * from orders where customer_id = ?',
  dbSystem: 'postgresql',
  database: 'shop',
  operation: 'SELECT',
  count: 1200,
  sampleCount: 900,
  totalSeconds: 300,
  share: 0.6,
  meanMs: 250,
  p95Ms: 480,
  maxMs: 1900,
  firstSeen: '2026-11-21T10:00:00.000Z',
  lastSeen: '2026-11-22T09:30:00.000Z',
  nPlusOne: false,
  ...over,
});

export const slowQueryFacets = (over: Partial<SlowQueryFacets> = {}): SlowQueryFacets => ({
  from: '2026-11-21T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  facets: [
    {
      name: 'database',
      values: [
        { value: 'shop', count: 1500, totalSeconds: 420 },
        { value: 'mysql', count: 12, totalSeconds: 3.5 },
      ],
      truncated: false,
    },
    {
      name: 'route',
      values: [
        { value: '/orders/:id', count: 1200, totalSeconds: 300 },
        { value: '/checkout', count: 312, totalSeconds: 123.5 },
      ],
      truncated: true,
    },
    { name: 'operation', values: [{ value: 'SELECT', count: 1512, totalSeconds: 423.5 }], truncated: false },
    {
      name: 'service',
      values: [
        { value: 'shop-api', count: 1500, totalSeconds: 420 },
        { value: '(none)', count: 12, totalSeconds: 3.5 },
      ],
      truncated: false,
    },
  ],
  ...over,
});

export const slowQueryList = (items: FingerprintStats[], total = items.length): SlowQueryList => ({
  from: '2026-11-21T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  total,
  totalSeconds: items.reduce((s, i) => s + i.totalSeconds, 0),
  sort: 'totalTime',
  order: 'desc',
  limit: 25,
  offset: 0,
  items,
});

export const slowQueryGroup = (over: Partial<SlowQueryGroup> = {}): SlowQueryGroup => ({
  value: 'shop-api',
  fingerprints: 4,
  count: 1500,
  sampleCount: 1100,
  totalSeconds: 420,
  share: 0.7,
  meanMs: 280,
  p95Ms: 650,
  maxMs: 2400,
  firstSeen: '2026-11-21T10:00:00.000Z',
  lastSeen: '2026-11-22T09:45:00.000Z',
  nPlusOne: true,
  ...over,
});

export const slowQueryGroups = (
  by: SlowQueryGroupBy,
  items: SlowQueryGroup[],
  total = items.length,
): SlowQueryGroups => ({
  from: '2026-11-21T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  by,
  total,
  totalSeconds: items.reduce((s, i) => s + i.totalSeconds, 0),
  sort: 'totalTime',
  order: 'desc',
  limit: 25,
  offset: 0,
  items,
});

export const slowQueryDetail = (): SlowQueryDetail => ({
  ...fingerprint({ nPlusOne: true }),
  from: '2026-11-21T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  newest: [
    {
      fingerprintId: '0123456789abcdef',
      sample: 'select * from orders where customer_id = ?',
      durationMs: 310,
      dbSystem: 'postgresql',
      database: 'shop',
      operation: 'SELECT',
      route: 'GET /orders/:id',
      service: 'shop-api',
      requestId: 'req-1',
      callSite: 'src/orders/repo.js:42',
      error: false,
      nPlusOne: true,
      sampledOut: 0,
      capturedAt: '2026-11-22T09:30:00.000Z',
    },
  ],
  slowest: [
    {
      fingerprintId: '0123456789abcdef',
      sample: 'select * from orders where customer_id = ?',
      durationMs: 1900,
      dbSystem: 'postgresql',
      database: 'shop',
      operation: 'SELECT',
      route: 'queue:invoices',
      service: null,
      requestId: null,
      callSite: 'src/jobs/invoice.js:7',
      error: false,
      nPlusOne: false,
      sampledOut: 3,
      capturedAt: '2026-11-22T08:00:00.000Z',
    },
  ],
  routes: [
    { route: 'GET /orders/:id', count: 1000, totalSeconds: 200 },
    { route: 'queue:invoices', count: 200, totalSeconds: 100 },
  ],
  callSites: [{ callSite: 'src/orders/repo.js:42', count: 1000 }],
  bucketSeconds: 3600,
  timeline: [
    { start: '2026-11-22T08:00:00.000Z', count: 10, meanMs: 200, p95Ms: 400, maxMs: 1900 },
    { start: '2026-11-22T09:00:00.000Z', count: 12, meanMs: 260, p95Ms: 480, maxMs: 700 },
  ],
});

const requestSample = (over: Partial<RequestSample>): RequestSample => ({
  fingerprintId: 'aaaaaaaaaaaaaaaa',
  fingerprint: 'select * from order_items where order_id = ?',
  sample: 'select * from order_items where order_id = ?',
  durationMs: 120,
  dbSystem: 'postgresql',
  database: 'shop',
  operation: 'SELECT',
  route: 'GET /orders/:id',
  service: 'shop-api',
  requestId: 'orders-page-1',
  callSite: null,
  error: false,
  nPlusOne: false,
  sampledOut: 0,
  capturedAt: '2026-11-22T09:30:00.000Z',
  ...over,
});

/** Request orders-page-1: one order query, then an N+1 loop of three item queries 100 ms apart. */
export const requestSamples = (): RequestSamples => {
  const items = [
    requestSample({
      fingerprintId: 'bbbbbbbbbbbbbbbb',
      fingerprint: 'select * from orders where id = ?',
      sample: 'select * from orders where id = ?',
      durationMs: 300,
      capturedAt: '2026-11-22T09:29:59.900Z',
    }),
    requestSample({ durationMs: 120, capturedAt: '2026-11-22T09:30:00.000Z' }),
    requestSample({ durationMs: 125, capturedAt: '2026-11-22T09:30:00.100Z' }),
    requestSample({ durationMs: 130, capturedAt: '2026-11-22T09:30:00.200Z', nPlusOne: true }),
  ];
  return {
    requestId: 'orders-page-1',
    total: items.length,
    items,
    fingerprints: [
      {
        fingerprintId: 'aaaaaaaaaaaaaaaa',
        fingerprint: 'select * from order_items where order_id = ?',
        count: 3,
        totalMs: 375,
        nPlusOne: true,
      },
      {
        fingerprintId: 'bbbbbbbbbbbbbbbb',
        fingerprint: 'select * from orders where id = ?',
        count: 1,
        totalMs: 300,
        nPlusOne: false,
      },
    ],
  };
};

export const incident = (over: Partial<IncidentDetail> = {}): IncidentDetail => ({
  id: 17,
  title: 'HighLatency on GET /checkout',
  description: null,
  status: 'investigating',
  severity: 'critical',
  source: 'alertmanager',
  alertsState: 'firing',
  groupKey: '{}:{alertname="HighLatency"}',
  labels: { alertname: 'HighLatency', route: '/checkout', severity: 'critical' },
  acknowledged: false,
  acknowledgedBy: null,
  acknowledgedAt: null,
  assignee: null,
  createdAt: '2026-11-22T09:00:00.000Z',
  updatedAt: '2026-11-22T09:00:00.000Z',
  startedAt: '2026-11-22T09:00:00.000Z',
  resolvedAt: null,
  resolvedBy: null,
  resolutionNote: null,
  silencedUntil: null,
  reopenCount: 0,
  notificationCount: 1,
  lastNotificationAt: '2026-11-22T09:00:05.000Z',
  alertCounts: { firing: 1, resolved: 0 },
  runbookUrl: 'https://runbooks.example/latency',
  generatorUrl: 'http://prometheus:9090/graph?g0.expr=x',
  externalUrl: 'http://alertmanager:9093',
  receiver: 'perfwatch',
  durationSeconds: 600,
  alerts: [
    {
      fingerprint: 'a1b2c3',
      status: 'firing',
      severity: 'critical',
      labels: { alertname: 'HighLatency', route: '/checkout', severity: 'critical' },
      annotations: { summary: 'p95 of /checkout is 1.4 s (target 300 ms)' },
      startsAt: '2026-11-22T09:00:00.000Z',
      endsAt: null,
      generatorUrl: 'http://prometheus:9090/graph?g0.expr=x',
      runbookUrl: 'https://runbooks.example/latency',
      firstSeenAt: '2026-11-22T09:00:05.000Z',
      lastSeenAt: '2026-11-22T09:05:00.000Z',
    },
  ],
  timeline: [
    {
      id: 1,
      kind: 'alertFired',
      author: 'alertmanager',
      tokenName: null,
      at: '2026-11-22T09:00:00.000Z',
      message: 'HighLatency firing',
      data: null,
    },
  ],
  timelineTruncated: false,
  ...over,
});

const measured = (value: number | null, promql = `x`): { value: number | null; promql: string } => ({
  value,
  promql,
});

/** GET /sla/report?period=30d as the exporter sends it. */
export const slaReport = (): SlaReport => ({
  period: {
    label: 'Last 30 days',
    kind: 'rolling',
    start: '2026-10-23T10:00:00.000Z',
    end: '2026-11-22T10:00:00.000Z',
    periodEnd: '2026-11-22T10:00:00.000Z',
    elapsedSeconds: 2_592_000,
    durationSeconds: 2_592_000,
    complete: true,
  },
  generatedAt: '2026-11-22T10:00:00.000Z',
  atRiskBudget: 0.25,
  summary: { endpoints: 2, meeting: 1, atRisk: 0, breaching: 1, noData: 0 },
  endpoints: [
    {
      sla: 'checkout',
      title: 'POST /checkout',
      route: '/checkout',
      method: 'POST',
      priority: 'critical',
      team: null,
      owner: null,
      status: 'breaching',
      requests: measured(120000),
      latency: {
        target: { quantile: 0.95, thresholdSeconds: 0.3, objective: 0.95 },
        p50: measured(0.12),
        p95: measured(0.42, 'histogram_quantile(0.95, sum by (le) (increase(x[30d])))'),
        p99: measured(0.9),
        compliance: measured(0.91),
        budgetRemaining: { ratio: measured(-0.8), minutes: measured(0) },
      },
      errors: {
        target: { maxRatio: 0.01, objective: 0.99, definition: ['5xx'] },
        rate: measured(0.002),
        budgetRemaining: { ratio: measured(0.8), minutes: measured(345.6) },
      },
      availability: {
        target: 0.999,
        value: measured(0.998),
        budgetRemaining: { ratio: measured(-1), minutes: measured(0) },
      },
      budgetRemaining: { ratio: -0.8, minutes: 0 },
    },
    {
      sla: 'home',
      title: 'GET /',
      route: '/',
      method: 'GET',
      priority: 'low',
      team: null,
      owner: null,
      status: 'meeting',
      requests: measured(500000),
      latency: {
        target: { quantile: 0.95, thresholdSeconds: 0.5, objective: 0.95 },
        p50: measured(0.02),
        p95: measured(0.08),
        p99: measured(0.15),
        compliance: measured(0.999),
        budgetRemaining: { ratio: measured(0.98), minutes: measured(2116.8) },
      },
      errors: {
        target: { maxRatio: 0.01, objective: 0.99, definition: ['5xx'] },
        rate: measured(0.0001),
        budgetRemaining: { ratio: measured(0.99), minutes: measured(427.7) },
      },
      availability: {
        target: 0.99,
        value: measured(0.9999),
        budgetRemaining: { ratio: measured(0.97), minutes: measured(420) },
      },
      budgetRemaining: { ratio: 0.97, minutes: 420 },
    },
  ],
  coverage: {
    from: '2026-10-23T10:00:00.000Z',
    to: '2026-11-22T10:00:00.000Z',
    ratio: 1,
    complete: true,
    promql: { from: 'min_over_time(timestamp(up)[30d:1h])', to: 'max_over_time(timestamp(up)[30d:1h])' },
  },
});

/** GET /incidents with these items, newest first. */
export const incidentList = (items: IncidentDetail[], total = items.length): IncidentList => ({
  total,
  limit: 50,
  offset: 0,
  sort: 'createdAt',
  order: 'desc',
  items,
});

const noDurations = { count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };

/** GET /incidents/stats over a range without incidents. */
export const emptyIncidentStats = (): IncidentStats => ({
  from: '2026-11-15T10:00:00.000Z',
  to: '2026-11-22T10:00:00.000Z',
  total: 0,
  open: 0,
  unacknowledged: 0,
  bySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
  byStatus: { investigating: 0, identified: 0, monitoring: 0, resolved: 0 },
  bySource: { alertmanager: 0, manual: 0 },
  mtta: noDurations,
  mttr: noDurations,
  truncated: false,
});

const month = (
  label: string,
  start: string,
  end: string,
  over: Partial<SlaHistoryMonth> = {},
): SlaHistoryMonth => ({
  period: {
    label,
    kind: 'calendar',
    start,
    end,
    periodEnd: end,
    elapsedSeconds: (Date.parse(end) - Date.parse(start)) / 1000,
    durationSeconds: (Date.parse(end) - Date.parse(start)) / 1000,
    complete: true,
  },
  coverage: { from: start, to: end, ratio: 1, complete: true, promql: { from: 'x', to: 'y' } },
  summary: { endpoints: 1, meeting: 1, atRisk: 0, breaching: 0, noData: 0 },
  endpoints: [
    {
      sla: 'checkout',
      title: 'Checkout',
      status: 'meeting',
      requests: 120_000,
      latencyCompliance: 0.97,
      errorRate: 0.001,
      availability: 0.9995,
      budgetRemaining: { ratio: 0.4, minutes: 17 },
    },
  ],
  ...over,
});

/** GET /sla/history?months=12 on a Prometheus that holds data from 10 October 2026 only. */
export const slaHistory = (): SlaHistory => ({
  generatedAt: '2026-11-22T10:00:00.000Z',
  monthsRequested: 12,
  note: 'Prometheus holds no data before 2026-10-10T00:00:00.000Z: 2025-12 to 2026-09 are left out',
  months: [
    month('2026-10', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', {
      coverage: {
        from: '2026-10-10T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        ratio: 0.71,
        complete: false,
        reason: 'its samples start at 2026-10-10T00:00:00.000Z',
        promql: { from: 'x', to: 'y' },
      },
    }),
    month('2026-11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', {
      summary: { endpoints: 1, meeting: 0, atRisk: 0, breaching: 1, noData: 0 },
      endpoints: [
        {
          sla: 'checkout',
          title: 'Checkout',
          status: 'breaching',
          requests: 130_000,
          latencyCompliance: 0.91,
          errorRate: 0.002,
          availability: 0.998,
          budgetRemaining: { ratio: -0.8, minutes: -34 },
        },
      ],
    }),
  ],
});

/** GET /sla/burndown?period=30d&sla=checkout: the latency budget spent past zero, errors within it. */
export const slaBurndown = (): SlaBurndown => ({
  period: {
    label: 'Last 30 days',
    start: '2026-10-23T10:00:00.000Z',
    end: '2026-11-22T10:00:00.000Z',
    periodEnd: '2026-11-22T10:00:00.000Z',
    complete: true,
  },
  stepSeconds: 14_400,
  coverage: slaReport().coverage,
  endpoints: [
    {
      sla: 'checkout',
      title: 'Checkout',
      slis: [
        {
          sli: 'latency',
          objective: 0.95,
          allowedBadRatio: 0.05,
          promql: { bad: 'bad', total: 'total' },
          points: [
            { t: 1761213600, remaining: 1 },
            { t: 1762423200, remaining: 0.3 },
            { t: 1763805600, remaining: -0.8 },
          ],
        },
        {
          sli: 'errors',
          objective: 0.995,
          allowedBadRatio: 0.005,
          promql: { bad: 'bad', total: 'total' },
          points: [
            { t: 1761213600, remaining: null },
            { t: 1763805600, remaining: 0.6 },
          ],
        },
      ],
    },
  ],
});
