import type { z } from 'zod';
import { ApiError, parseOr400 } from '../kit/errors';
import type { ServiceModule } from '../kit/module';
import {
  fingerprintIdParam,
  requestSamplesQuery,
  slowQueryFacetsQuery,
  slowQueryFilter,
  slowQueryGroupsQuery,
  slowQueryListQuery,
  type RequestSamplesBody,
  type SlowQueryGroupsBody,
  type SlowQueryDetailBody,
  type SlowQueryFacetsBody,
  type SlowQueryListBody,
} from './api-schemas';
import { SlowQueryCapture } from '@perfwatch/node/internal';
import { explainRoutes } from './explain-routes';
import {
  type GroupBy,
  type SlowQueryFilter,
  SlowQueryRepository,
  type SortKey,
  summarise,
} from './repository';
import { toSample } from './sample-rows';

const DAY = 86_400_000;

function range(f: { from?: number; to?: number }) {
  const to = f.to ?? Date.now();
  return { from: f.from ?? to - DAY, to };
}

/** The repository's filter from a parsed query: its range (default the last day) and filters. */
function filterOf(p: z.output<typeof slowQueryFilter>): SlowQueryFilter {
  return {
    ...range(p),
    database: p.database,
    route: p.route,
    operation: p.operation,
    service: p.service,
    text: p.q,
  };
}

/** A store read; an unreachable store is a 503 the Grafana app can show, not an internal error. */
async function readStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new ApiError(
      503,
      'store_unavailable',
      `the slow-query store cannot be read (${(err as Error).message}); new samples are kept in memory and written when it is back`,
    );
  }
}

/** A request's samples per fingerprint, most samples first (then most time): the N+1 loop on top. */
function byFingerprint(
  items: Array<{ fingerprintId: string; fingerprint: string; durationMs: number; nPlusOne: boolean }>,
) {
  const groups = new Map<
    string,
    { fingerprintId: string; fingerprint: string; count: number; totalMs: number; nPlusOne: boolean }
  >();
  for (const s of items) {
    const g = groups.get(s.fingerprintId);
    if (g) {
      g.count++;
      g.totalMs += s.durationMs;
      g.nPlusOne ||= s.nPlusOne;
    } else
      groups.set(s.fingerprintId, {
        fingerprintId: s.fingerprintId,
        fingerprint: s.fingerprint,
        count: 1,
        totalMs: s.durationMs,
        nPlusOne: s.nPlusOne,
      });
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || b.totalMs - a.totalMs || a.fingerprintId.localeCompare(b.fingerprintId),
  );
}

/**
 * One page of ranked rows (fingerprints, or routes, databases, services: `by`) as the list answers
 * it: its range, sort and page, and each row's load series when asked for. The series are read for
 * the page's rows only: one grouped read bounded by limit × buckets.
 */
async function rankedPage<T extends object>(
  repository: SlowQueryRepository,
  f: SlowQueryFilter,
  p: { sort: SortKey; order: 'asc' | 'desc'; limit: number; offset: number; buckets: number },
  items: T[],
  totalSeconds: number,
  keyOf: (row: T) => string,
  by?: GroupBy,
) {
  const page = items.slice(p.offset, p.offset + p.limit);
  const load =
    p.buckets > 0 ? await readStore(() => repository.series(f, page.map(keyOf), p.buckets, by)) : undefined;
  return {
    from: new Date(f.from).toISOString(),
    to: new Date(f.to).toISOString(),
    totalSeconds,
    sort: p.sort,
    order: p.order,
    limit: p.limit,
    offset: p.offset,
    ...(load && { bucketSeconds: load.bucketMs / 1000 }),
    items: load ? page.map((i) => ({ ...i, series: load.series.get(keyOf(i)) })) : page,
  };
}

/** Slow-query capture in the service, and GET /api/v1/slow-queries[/{id}]. */
export function slowQueriesModule(): ServiceModule {
  let capture: SlowQueryCapture | undefined;
  let repository: SlowQueryRepository | undefined;
  return {
    name: 'slow-queries',
    provides: ['slowQueries'],
    start(ctx) {
      repository = new SlowQueryRepository(ctx.store);
      capture = new SlowQueryCapture(ctx.recorder, ctx.config.queries, repository, ctx.logger);
      capture.start();
      const repo = repository;
      const cap = capture;
      ctx.provide('slowQueries', {
        commit: () => cap.commit(),
        async top({ sinceMs, limit }) {
          // Include what is still in memory, so diagnostics see the last seconds too.
          await cap.flush(true);
          try {
            return await repo.top(sinceMs, limit);
          } catch (err) {
            // The store is down: answer from the samples still in memory (the flush kept them).
            ctx.logger.warn({ err }, 'slow-query store unreadable; top slow queries from memory only');
            return summarise(cap.sampler.peek(), sinceMs, limit);
          }
        },
      });
    },
    async stop() {
      await capture?.stop();
    },
    routes(router, ctx) {
      router.get('/slow-queries', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(slowQueryListQuery, req.query, 'slow-query filter');
        const f = filterOf(p);
        await capture?.flush(true).catch(() => undefined);
        const { items, totalSeconds } = await readStore(() => repository!.aggregate(f, p.sort, p.order));
        res.json({
          ...(await rankedPage(repository!, f, p, items, totalSeconds, (i) => i.id)),
          total: items.length,
        } satisfies SlowQueryListBody);
      });
      // Before /slow-queries/:id, which would take "groups" for a (malformed) fingerprint id.
      router.get('/slow-queries/groups', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(slowQueryGroupsQuery, req.query, 'slow-query groups');
        const f = filterOf(p);
        await capture?.flush(true).catch(() => undefined);
        const { items, totalSeconds } = await readStore(() => repository!.groups(f, p.by, p.sort, p.order));
        res.json({
          ...(await rankedPage(repository!, f, p, items, totalSeconds, (i) => i.value, p.by)),
          by: p.by,
          total: items.length,
        } satisfies SlowQueryGroupsBody);
      });
      // Before /slow-queries/:id, which would take "samples" for a (malformed) fingerprint id.
      router.get('/slow-queries/samples', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(requestSamplesQuery, req.query, 'request filter');
        await capture?.flush(true).catch(() => undefined);
        const { rows, total } = await readStore(() => repository!.byRequest(p.requestId, p.limit));
        const items = rows.map((r) => ({ ...toSample(r), fingerprint: r.fingerprint }));
        res.json({
          requestId: p.requestId,
          total,
          items,
          fingerprints: byFingerprint(items),
        } satisfies RequestSamplesBody);
      });
      // Before /:id, which would take "facets" for a malformed fingerprint id.
      router.get('/slow-queries/facets', ctx.auth.require('read'), async (req, res) => {
        const p = parseOr400(slowQueryFacetsQuery, req.query, 'slow-query facets');
        const f = filterOf(p);
        const { from, to } = f;
        await capture?.flush(true).catch(() => undefined);
        const facets = await readStore(() => repository!.facets(f, p.top));
        res.json({
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          facets,
        } satisfies SlowQueryFacetsBody);
      });
      router.get('/slow-queries/:id', ctx.auth.require('read'), async (req, res) => {
        const id = parseOr400(fingerprintIdParam, req.params.id, 'fingerprint id');
        const p = parseOr400(slowQueryFilter, req.query, 'slow-query filter');
        // The detail keeps the list's filters (not its text search: the fingerprint is chosen).
        const f = { ...filterOf(p), text: undefined };
        const { from, to } = f;
        await capture?.flush(true).catch(() => undefined);
        const detail = await readStore(() => repository!.detail({ ...f, fingerprintId: id }));
        if (!detail)
          throw new ApiError(
            404,
            'not_found',
            `no samples of fingerprint ${id} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
          );
        res.json({
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          ...detail,
        } satisfies SlowQueryDetailBody);
      });
      explainRoutes(
        router,
        ctx,
        () => repository,
        () => capture?.flush(true) ?? Promise.resolve(),
      );
    },
  };
}
