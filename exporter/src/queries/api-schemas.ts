import { z } from 'zod';
import { AUTH_ERRORS, ErrorBody, operation } from '../contract/operation';
import { timeParam } from '../kit/params';
import { explainRequestSchema, explainResponseSchema } from './explain.schemas';

/** GET /api/v1/slow-queries[/{id}]: what they accept and what they answer. */

export const slowQueryFilter = z
  .object({
    from: timeParam.describe('start of the range (ISO 8601 or epoch ms); default to - 24 h'),
    to: timeParam.describe('end of the range (ISO 8601 or epoch ms); default now'),
    database: z.string().max(128).optional().describe('database name or db system (postgresql, mysql)'),
    route: z.string().max(512).optional().describe('route template or queue:job'),
    operation: z.string().max(32).optional().meta({ example: 'SELECT' }),
    service: z
      .string()
      .max(64)
      .optional()
      .describe(
        "the app the queries came from (queries.service, or an ingested batch's app); (none) for samples naming none",
      ),
    q: z.string().max(200).optional().describe('case-insensitive text in the fingerprint'),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

/** Sparkline resolution cap: a row is a few hundred pixels wide; more buckets only cost reads. */
export const MAX_SERIES_BUCKETS = 120;

const SORTS = ['totalTime', 'count', 'mean', 'p95', 'max', 'lastSeen'] as const;

const listPaging = z.object({
  sort: z.enum(SORTS).default('totalTime'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  buckets: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_SERIES_BUCKETS)
    .default(0)
    .describe('with N > 0, each row of the page carries its load over the range in N buckets (a sparkline)'),
});

export const slowQueryListQuery = slowQueryFilter.and(listPaging);

const GROUP_BYS = ['route', 'database', 'service'] as const;

export const slowQueryGroupsQuery = slowQueryFilter.and(listPaging).and(
  z.object({
    by: z
      .enum(GROUP_BYS)
      .describe('the dimension the slow queries are grouped by: route or job, database, service'),
  }),
);

/** Facet values read per facet: a facet panel shows the top ones, never an unbounded list. */
export const MAX_FACET_VALUES = 50;

export const slowQueryFacetsQuery = slowQueryFilter.and(
  z.object({
    top: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_FACET_VALUES)
      .default(10)
      .describe('values per facet, those with the most slow-query time first'),
  }),
);

export const fingerprintIdParam = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'expected a 16-hex-digit fingerprint id');

const fingerprintId = z.string().regex(/^[0-9a-f]{16}$/);
const time = z.iso.datetime();

const loadSeries = z
  .object({
    count: z
      .array(z.number().int().min(0))
      .max(MAX_SERIES_BUCKETS)
      .describe('slow queries per bucket, sampled-out ones included'),
    totalMs: z
      .array(z.number().min(0))
      .max(MAX_SERIES_BUCKETS)
      .describe('time spent per bucket, sampled-out queries included'),
  })
  .optional()
  .describe('load over the range, oldest bucket first (only when the list was asked for buckets)');

export const FingerprintStats = z
  .object({
    id: fingerprintId.describe('stable id of the fingerprint (first 16 hex digits of its SHA-1)'),
    fingerprint: z
      .string()
      .describe('normalised statement: literals as ?, IN lists and multi-row VALUES as (?+)'),
    dbSystem: z.string().describe('db_system of the first sample'),
    database: z.string().nullable().describe('database name of the first sample'),
    operation: z.string(),
    count: z.number().int().min(1).describe('slow queries (kept and sampled out)'),
    sampleCount: z.number().int().min(1).describe('samples kept'),
    totalSeconds: z.number().describe('time spent in these queries'),
    share: z.number().min(0).describe('share of the total time of all fingerprints matching the filter'),
    meanMs: z.number().describe('totalSeconds / count'),
    p95Ms: z.number().describe('95th percentile (nearest rank) of the kept samples'),
    maxMs: z.number(),
    firstSeen: time,
    lastSeen: time,
    nPlusOne: z.boolean().describe('at least one sample was flagged as an N+1 pattern'),
    series: loadSeries,
  })
  .meta({
    id: 'FingerprintStats',
    description:
      "One fingerprint's slow queries in the requested range. Under load only some slow queries are kept\n" +
      "as samples; the others are tallied onto their fingerprint's next sample, so `count` and\n" +
      '`totalSeconds` include them, `maxMs` is exact (the slowest query of every second is always kept)\n' +
      'and `p95Ms` is computed over the kept samples.',
  });

export const SlowQueryGroup = z
  .object({
    value: z
      .string()
      .describe('the route or job, database (its db system when unnamed), or service ((none) when none)'),
    fingerprints: z.number().int().min(1).describe('distinct fingerprints among its slow queries'),
    count: z.number().int().min(1).describe('slow queries (kept and sampled out)'),
    sampleCount: z.number().int().min(1).describe('samples kept'),
    totalSeconds: z.number(),
    share: z.number().min(0).describe('share of the total time of all groups matching the filter'),
    meanMs: z.number(),
    p95Ms: z.number().describe('95th percentile (nearest rank) of the kept samples'),
    maxMs: z.number(),
    firstSeen: time,
    lastSeen: time,
    nPlusOne: z.boolean().describe('at least one of its samples was flagged as an N+1 pattern'),
    series: loadSeries,
  })
  .meta({ id: 'SlowQueryGroup' });

export const SlowQuerySample = z
  .object({
    fingerprintId,
    sample: z
      .string()
      .describe('the statement with literals redacted as ? (raw only when queries.rawLiterals is on)'),
    durationMs: z.number(),
    dbSystem: z.string(),
    database: z.string().nullable(),
    operation: z.string(),
    route: z.string().describe('route template, queue:job for jobs, or __unmatched__ outside any request'),
    service: z
      .string()
      .nullable()
      .describe("the app it came from (queries.service, an ingested batch's app)"),
    requestId: z.string().nullable().describe('X-Request-Id or a generated id'),
    callSite: z
      .string()
      .nullable()
      .describe(
        'file:line of the first application frame (null when no stack was taken: see docs/database.md)',
      ),
    error: z.boolean().describe('the query failed'),
    nPlusOne: z.boolean().describe('this query tipped its request or job into an N+1 pattern'),
    sampledOut: z.number().int().min(0).describe('slow queries of this fingerprint not kept before this one'),
    capturedAt: time,
  })
  .meta({ id: 'SlowQuerySample' });

export const SlowQueryDetail = FingerprintStats.extend({
  from: time,
  to: time,
  newest: z.array(SlowQuerySample).max(10).describe('newest samples first'),
  slowest: z.array(SlowQuerySample).max(10).describe('slowest samples first'),
  routes: z
    .array(z.object({ route: z.string(), count: z.number().int(), totalSeconds: z.number() }))
    .max(50)
    .describe('routes and jobs issuing the fingerprint, by time spent'),
  callSites: z
    .array(
      z.object({
        callSite: z.string(),
        count: z.number().int().describe('kept samples from this call site'),
      }),
    )
    .max(50)
    .describe('call sites of the samples that have one, most frequent first'),
  bucketSeconds: z.number().describe('width of each timeline bucket'),
  timeline: z
    .array(
      z.object({
        start: time,
        count: z.number().int().describe('kept samples in the bucket'),
        meanMs: z.number(),
        p95Ms: z.number(),
        maxMs: z.number(),
      }),
    )
    .describe('duration distribution over time, one entry per bucket that has samples'),
}).meta({ id: 'SlowQueryDetail' });

/** What a ranked page says besides its rows: the range, the totals, the sort and the page. */
const rankedPage = z.object({
  from: time,
  to: time,
  totalSeconds: z.number().describe('time of all matching slow queries'),
  sort: z.enum(SORTS),
  order: z.enum(['asc', 'desc']),
  limit: z.number().int(),
  offset: z.number().int(),
  bucketSeconds: z
    .number()
    .optional()
    .describe("width of each bucket of the rows' series (only when the list was asked for buckets)"),
});

export const SlowQueryList = rankedPage
  .extend({
    total: z.number().int().describe('fingerprints matching (before pagination)'),
    items: z.array(FingerprintStats),
  })
  .meta({ id: 'SlowQueryList' });

export const SlowQueryGroups = rankedPage
  .extend({
    by: z.enum(GROUP_BYS),
    total: z.number().int().describe('groups matching (before pagination)'),
    items: z.array(SlowQueryGroup),
  })
  .meta({ id: 'SlowQueryGroups' });

/** The request id as the store keeps it (request_id is 128 wide); control characters are never an id. */
export const requestIdParam = z
  .string()
  .min(1, 'requestId must not be empty')
  .max(128, 'requestId is at most 128 characters')
  // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'requestId must not contain control characters');

export const MAX_REQUEST_SAMPLES = 500;

export const requestSamplesQuery = z.object({
  requestId: requestIdParam.describe('exact X-Request-Id (or generated id) of the request or job'),
  limit: z.coerce.number().int().min(1).max(MAX_REQUEST_SAMPLES).default(200),
});

export const RequestSamples = z
  .object({
    requestId: z.string(),
    total: z.number().int().min(0).describe('stored samples with this request id'),
    items: z
      .array(SlowQuerySample.extend({ fingerprint: z.string() }))
      .max(MAX_REQUEST_SAMPLES)
      .describe('the first `limit` samples, oldest first'),
    fingerprints: z
      .array(
        z.object({
          fingerprintId,
          fingerprint: z.string(),
          count: z
            .number()
            .int()
            .min(1)
            .describe('samples of this fingerprint in the request (of the items)'),
          totalMs: z.number(),
          nPlusOne: z.boolean(),
        }),
      )
      .max(MAX_REQUEST_SAMPLES)
      .describe('the items grouped by fingerprint, most samples first: an N+1 loop stands out at the top'),
  })
  .meta({ id: 'RequestSamples' });
const FACET_NAMES = ['database', 'route', 'operation', 'service'] as const;
export type FacetName = (typeof FACET_NAMES)[number];

export const SlowQueryFacets = z
  .object({
    from: time,
    to: time,
    facets: z.array(
      z.object({
        name: z.enum(FACET_NAMES).describe('the list filter this facet sets'),
        values: z
          .array(
            z.object({
              value: z
                .string()
                .describe(
                  'database name (or db system when none), route, operation, or service ((none) for samples naming none)',
                ),
              count: z.number().int().min(1).describe('slow queries (kept and sampled out)'),
              totalSeconds: z.number().min(0),
            }),
          )
          .max(MAX_FACET_VALUES)
          .describe('most slow-query time first'),
        truncated: z.boolean().describe('more values exist than the top asked for'),
      }),
    ),
  })
  .meta({
    id: 'SlowQueryFacets',
    description:
      'Values of each facet in the range with their slow-query counts and time. Each facet applies every\n' +
      'filter but its own, so the panel shows the alternatives to the current choice.',
  });

export type SlowQueryListBody = z.input<typeof SlowQueryList>;
export type SlowQueryGroupsBody = z.input<typeof SlowQueryGroups>;
export type RequestSamplesBody = z.input<typeof RequestSamples>;
export type SlowQueryDetailBody = z.input<typeof SlowQueryDetail>;
export type SlowQueryFacetsBody = z.input<typeof SlowQueryFacets>;

export const slowQueryOperations = [
  operation({
    method: 'get',
    path: '/slow-queries',
    operationId: 'listSlowQueries',
    scope: 'read',
    summary: 'Slow-query fingerprints ranked over a time range',
    query: slowQueryListQuery,
    responses: {
      200: { description: 'One row per fingerprint', schema: SlowQueryList },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      503: 'StoreUnavailable',
    },
  }),
  operation({
    method: 'get',
    path: '/slow-queries/groups',
    operationId: 'listSlowQueryGroups',
    scope: 'read',
    summary: 'Slow queries grouped by route, database or service over a time range',
    description:
      'The list of /slow-queries with another dimension than the fingerprint, as PMM Query Analytics groups by\n' +
      'service or database: one row per value, with how many fingerprints it spans. Filter the list by a\n' +
      "row's value to see its fingerprints.\n",
    query: slowQueryGroupsQuery,
    responses: {
      200: { description: 'One row per route, database or service', schema: SlowQueryGroups },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      503: 'StoreUnavailable',
    },
  }),
  operation({
    method: 'get',
    path: '/slow-queries/samples',
    operationId: 'listRequestSlowQueries',
    scope: 'read',
    summary: "One request's (or job's) stored slow-query samples across fingerprints, oldest first",
    description:
      'The samples share the exact request id. Samples of an N+1 loop share one, so this is where the loop shows.\n',
    query: requestSamplesQuery,
    responses: {
      200: { description: 'The samples (none when no stored sample has the id)', schema: RequestSamples },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      503: 'StoreUnavailable',
    },
  }),
  operation({
    method: 'get',
    path: '/slow-queries/facets',
    operationId: 'getSlowQueryFacets',
    scope: 'read',
    summary:
      'Databases, routes, operations and services of the slow queries in a range, with counts and time',
    query: slowQueryFacetsQuery,
    responses: {
      200: { description: 'The top values of each facet', schema: SlowQueryFacets },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      503: 'StoreUnavailable',
    },
  }),
  operation({
    method: 'get',
    path: '/slow-queries/{id}',
    operationId: 'getSlowQuery',
    scope: 'read',
    summary: 'One fingerprint with its samples, issuers, call sites and latency over time',
    params: z.object({ id: fingerprintIdParam }),
    query: slowQueryFilter,
    responses: {
      200: { description: 'The fingerprint', schema: SlowQueryDetail },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      404: { description: 'No samples of this fingerprint in the range', schema: ErrorBody },
      503: 'StoreUnavailable',
    },
  }),
  operation({
    method: 'post',
    path: '/slow-queries/{id}/explain',
    operationId: 'explainSlowQuery',
    scope: 'read',
    summary:
      "The plan of a fingerprint's statement, from EXPLAIN on the database's configured read-only connection",
    description:
      'PostgreSQL: a generic plan (PREPARE with plan_cache_mode = force_generic_plan, EXECUTE with NULLs) in a\n' +
      'READ ONLY transaction under a statement timeout. MySQL/MariaDB: EXPLAIN FORMAT=JSON with the placeholders\n' +
      'bound to NULL. Only a single SELECT, INSERT, UPDATE or DELETE is explained; nothing but EXPLAIN runs.\n',
    params: z.object({ id: fingerprintIdParam }),
    body: explainRequestSchema,
    responses: {
      200: {
        description: 'The plan as text, as a tree and as the database gave it',
        schema: explainResponseSchema,
      },
      400: 'BadRequest',
      ...AUTH_ERRORS,
      404: { description: 'No samples of this fingerprint', schema: ErrorBody },
      409: {
        description: 'No explain connection is configured for this database (explain_not_configured)',
        schema: ErrorBody,
      },
      422: {
        description:
          'Refused (explain_refused, with details.reason) or rejected by the database (explain_rejected)',
        schema: ErrorBody,
      },
      429: {
        description: 'An EXPLAIN is already running on this connection (explain_busy)',
        schema: ErrorBody,
      },
      502: { description: 'The database could not be reached (explain_unavailable)', schema: ErrorBody },
      504: { description: 'The statement timeout fired (explain_timeout)', schema: ErrorBody },
    },
  }),
];
