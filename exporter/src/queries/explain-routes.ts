import { Counter } from 'prom-client';
import type { Router } from 'express';
import { ApiError, parseOr400 } from '../kit/errors';
import type { ServiceContext } from '../kit/module';
import type { ExplainConnectionConfig } from './explain-config';
import { ExplainFailure, explainMysql, explainPostgres } from './explain-runner';
import { explainableStatement, StatementRefused } from './explain-statement';
import { explainIdSchema, explainRequestSchema, type ExplainResponse } from './explain.schemas';
import type { SlowQueryRepository } from './repository';

const PG_SYSTEMS = new Set(['postgresql', 'postgres', 'pgsql']);
const MYSQL_SYSTEMS = new Set(['mysql', 'mariadb']);

const FAILURE_STATUS = { timeout: 504, unavailable: 502, rejected: 422 } as const;

/** The connection for a sample: by its database label, else by its db_system (as queries.thresholds). */
function connectionFor(
  connections: Record<string, ExplainConnectionConfig>,
  sample: { database: string | null; dbSystem: string },
): [string, ExplainConnectionConfig] | undefined {
  for (const key of [sample.database, sample.dbSystem])
    if (key && Object.hasOwn(connections, key)) return [key, connections[key]];
  return undefined;
}

/**
 * POST /slow-queries/{id}/explain: the plan of a stored fingerprint on the read-only connection
 * configured for its database. Scope `read`: EXPLAIN reads no rows, its plan shows no more than the
 * fingerprint already does (tables, columns) plus indexes and estimates, and the Grafana app's viewers
 * are the ones who need it; what guards the database is the per-database limit of one explain at a
 * time, the statement timeout and the READ ONLY transaction, not the token.
 */
export function explainRoutes(
  router: Router,
  ctx: ServiceContext,
  repository: () => SlowQueryRepository | undefined,
  flush: () => Promise<unknown>,
): void {
  // Routes may be mounted twice on one context (the openapi test does); the metric exists once.
  const existing = ctx.registry.getSingleMetric('perfwatch_explain_requests_total') as
    Counter<'outcome'> | undefined;
  const outcomes =
    existing ??
    new Counter({
      name: 'perfwatch_explain_requests_total',
      help: 'EXPLAIN requests on slow-query fingerprints by outcome (ok, refused, not_configured, busy, timeout, unavailable, rejected, not_found).',
      labelNames: ['outcome'] as const,
      registers: [ctx.registry],
    });
  // One explain at a time per connection: a burst of clicks must not become a burst on the database.
  const busy = new Set<string>();
  const fail = (outcome: string, err: ApiError): never => {
    outcomes.inc({ outcome });
    throw err;
  };

  router.post('/slow-queries/:id/explain', ctx.auth.require('read'), async (req, res) => {
    const id = parseOr400(explainIdSchema, req.params.id, 'fingerprint id');
    const body = parseOr400(explainRequestSchema, req.body ?? {}, 'explain request');
    await flush().catch(() => undefined);
    const repo = repository();
    if (!repo) throw new ApiError(503, 'store_unavailable', 'the slow-query module is not running');
    const sample = await repo.latest(id, body.database).catch((err: Error) => {
      throw new ApiError(503, 'store_unavailable', `the slow-query store cannot be read (${err.message})`);
    });
    if (!sample)
      fail(
        'not_found',
        new ApiError(
          404,
          'not_found',
          `no stored sample of fingerprint ${id}${body.database ? ` on database ${body.database}` : ''}`,
        ),
      );
    const found = sample!;
    const { connections, statementTimeoutMs } = ctx.config.queries.explain;
    const chosen = connectionFor(connections, found);
    const label = found.database ?? found.dbSystem;
    if (!chosen)
      fail(
        'not_configured',
        new ApiError(
          409,
          'explain_not_configured',
          `no EXPLAIN connection is configured for database "${label}"${found.database ? ` (db_system ${found.dbSystem})` : ''}: add one under queries.explain.connections in perfwatch.yml (see docs/database.md)`,
        ),
      );
    const [key, conn] = chosen!;
    if (
      (conn.client === 'pg' && MYSQL_SYSTEMS.has(found.dbSystem)) ||
      (conn.client === 'mysql2' && PG_SYSTEMS.has(found.dbSystem))
    )
      fail(
        'not_configured',
        new ApiError(
          409,
          'explain_not_configured',
          `the EXPLAIN connection "${key}" uses ${conn.client} but the fingerprint was seen on ${found.dbSystem}`,
        ),
      );
    const url = conn.url ?? process.env[conn.urlEnv!];
    if (!url)
      fail(
        'not_configured',
        new ApiError(
          409,
          'explain_not_configured',
          `the EXPLAIN connection "${key}" reads its URL from $${conn.urlEnv}, which is not set`,
        ),
      );
    const dialect = conn.client === 'pg' ? 'postgresql' : 'mysql';
    let stmt;
    try {
      stmt = explainableStatement(found.fingerprint, dialect);
    } catch (err) {
      if (err instanceof StatementRefused)
        fail(
          'refused',
          new ApiError(422, 'explain_refused', `not explained: ${err.message}`, { reason: err.reason }),
        );
      throw err;
    }
    if (busy.has(key))
      fail(
        'busy',
        new ApiError(
          429,
          'explain_busy',
          `an EXPLAIN is already running on "${key}"; try again when it ends`,
        ),
      );
    busy.add(key);
    const started = performance.now();
    try {
      const target = { url: url!, statementTimeoutMs: conn.statementTimeoutMs ?? statementTimeoutMs };
      const plan =
        dialect === 'postgresql' ? await explainPostgres(target, stmt) : await explainMysql(target, stmt);
      outcomes.inc({ outcome: 'ok' });
      const answer: ExplainResponse = {
        fingerprintId: id,
        fingerprint: found.fingerprint,
        database: found.database,
        dbSystem: found.dbSystem,
        connection: key,
        client: conn.client,
        statement: stmt.sql,
        parameters: stmt.parameters,
        genericPlan: dialect === 'postgresql',
        text: plan.text,
        tree: plan.tree,
        json: plan.json,
        notes: plan.notes,
        explainedAt: new Date().toISOString(),
        durationMs: Math.round(performance.now() - started),
      };
      res.json(answer);
    } catch (err) {
      if (err instanceof ExplainFailure)
        fail(err.kind, new ApiError(FAILURE_STATUS[err.kind], `explain_${err.kind}`, err.message));
      throw err;
    } finally {
      busy.delete(key);
    }
  });
}
