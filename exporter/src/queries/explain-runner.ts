import type { ExplainableStatement } from './explain-statement';
import { mysqlPlanTree, postgresPlanTree, tableText, type PlanNode } from './explain-plan';

export interface ExplainedPlan {
  text: string;
  tree: PlanNode;
  /** The database's own JSON plan, for tools that read it. */
  json: unknown;
  /** What the operator should know to read this plan right. */
  notes: string[];
}

/**
 * MySQL and MariaDB have no generic plan: they plan for the bound values, and `col = NULL` is never
 * true, so an equality on a parameter plans as "Impossible WHERE" (seen on MariaDB 10.11 here).
 */
const IMPOSSIBLE_WHERE =
  'MySQL/MariaDB plan for the bound values and every parameter is bound to NULL, which no equality matches: "Impossible WHERE" is an artefact of the NULLs, not the plan the application gets. Run EXPLAIN with real values by hand for that.';

/** Why an EXPLAIN did not produce a plan; `message` never holds the connection URL. */
export class ExplainFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'unavailable' | 'rejected',
    message: string,
  ) {
    super(message);
  }
}

export interface ExplainTarget {
  url: string;
  statementTimeoutMs: number;
}

/** Time for connecting and for the client's own backstop beyond the server-side statement timeout. */
const CLIENT_SLACK_MS = 2_000;
const PREPARED = 'perfwatch_explain';

const nulls = (n: number) => Array.from({ length: n }, () => 'NULL').join(', ');

function pgFailure(err: unknown, timeoutMs: number): ExplainFailure {
  const e = err as { code?: string; message?: string };
  if (e.code === '57014') return new ExplainFailure('timeout', `EXPLAIN took longer than ${timeoutMs} ms`);
  // SQLSTATE classes 08 (connection), 28 (authorisation), 3D (no such database), 53/57 (resources,
  // shutdown) and socket errors mean the connection, not the statement, is the problem.
  if (!e.code || /^(08|28|3D|53|57)/.test(e.code) || e.code.startsWith('E'))
    return new ExplainFailure('unavailable', `the explain connection failed: ${e.message ?? String(err)}`);
  return new ExplainFailure('rejected', `PostgreSQL could not plan the statement: ${e.message}`);
}

/**
 * PostgreSQL: PREPARE the statement with its parameters untyped, force the generic plan (so NULLs
 * stand for every value) and EXPLAIN EXECUTE it, inside a READ ONLY transaction with a statement
 * timeout; EXPLAIN without ANALYZE never executes the statement. A fresh connection per explain so
 * no session state (the prepared statement, settings) outlives it, even when ROLLBACK fails.
 */
export async function explainPostgres(
  target: ExplainTarget,
  stmt: ExplainableStatement,
): Promise<ExplainedPlan> {
  const { Client } = await import('pg');
  const client = new Client({
    connectionString: target.url,
    application_name: 'perfwatch-explain',
    connectionTimeoutMillis: CLIENT_SLACK_MS + target.statementTimeoutMs,
    query_timeout: CLIENT_SLACK_MS + target.statementTimeoutMs,
  });
  // An idle client's socket error must not become an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(target.statementTimeoutMs)}`);
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    // The extended protocol refuses a second statement server-side, whatever the scanner missed.
    await client.query({ text: `PREPARE ${PREPARED} AS ${stmt.sql}`, queryMode: 'extended' } as {
      text: string;
    });
    const execute = `EXECUTE ${PREPARED}${stmt.parameters > 0 ? `(${nulls(stmt.parameters)})` : ''}`;
    const json = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON, VERBOSE) ${execute}`);
    const text = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${execute}`);
    const plan = json.rows[0]['QUERY PLAN'];
    return {
      json: plan,
      tree: postgresPlanTree(plan),
      text: text.rows.map((r) => r['QUERY PLAN']).join('\n'),
      notes: [],
    };
  } catch (err) {
    throw pgFailure(err, target.statementTimeoutMs);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query(`DEALLOCATE ${PREPARED}`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

function mysqlFailure(err: unknown, timeoutMs: number): ExplainFailure {
  const e = err as { code?: string; errno?: number; fatal?: boolean; message?: string };
  // MariaDB ER_STATEMENT_TIMEOUT (1969), MySQL ER_QUERY_TIMEOUT (3024), the client's backstop.
  if (e.errno === 1969 || e.errno === 3024 || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT')
    return new ExplainFailure('timeout', `EXPLAIN took longer than ${timeoutMs} ms`);
  if (e.fatal || e.errno === 1045 || e.errno === 1049 || !e.errno)
    return new ExplainFailure('unavailable', `the explain connection failed: ${e.message ?? String(err)}`);
  return new ExplainFailure('rejected', `the database could not plan the statement: ${e.message}`);
}

/**
 * MySQL/MariaDB: EXPLAIN through a server-side prepared statement with every placeholder bound to
 * NULL (a prepared statement is one statement by construction), in a READ ONLY transaction, with the
 * server's statement time limit: MariaDB's max_statement_time covers every statement, MySQL's
 * max_execution_time only SELECT, which is why the connection should also be a read-only user.
 */
export async function explainMysql(
  target: ExplainTarget,
  stmt: ExplainableStatement,
): Promise<ExplainedPlan> {
  const mysql = await import('mysql2/promise');
  let conn: import('mysql2/promise').Connection | undefined;
  const timeout = CLIENT_SLACK_MS + target.statementTimeoutMs;
  try {
    conn = await mysql.createConnection({
      uri: target.url,
      connectTimeout: timeout,
      multipleStatements: false,
    });
    const [versionRows] = await conn.query<import('mysql2').RowDataPacket[]>('SELECT VERSION() AS v');
    const mariadb = String(versionRows[0]?.v ?? '').includes('MariaDB');
    await conn.query(
      mariadb
        ? `SET SESSION max_statement_time = ${target.statementTimeoutMs / 1000}`
        : `SET SESSION max_execution_time = ${Math.trunc(target.statementTimeoutMs)}`,
    );
    // MariaDB refuses EXPLAIN of INSERT/UPDATE/DELETE inside a READ ONLY transaction ("Cannot execute
    // statement in a READ ONLY transaction"), so those run in a transaction that is only rolled back.
    const reads = stmt.operation === 'select' || stmt.operation === 'with';
    await conn.query(reads ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
    const params = Array.from({ length: stmt.parameters }, () => null);
    const [jsonRows] = await conn.execute<import('mysql2').RowDataPacket[]>(
      {
        sql: `EXPLAIN FORMAT=JSON ${stmt.sql}`,
        timeout,
      },
      params,
    );
    const [tableRows] = await conn.execute<import('mysql2').RowDataPacket[]>(
      { sql: `EXPLAIN ${stmt.sql}`, timeout },
      params,
    );
    const raw = Object.values(jsonRows[0] ?? {})[0];
    const json: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const text = tableText(tableRows);
    return {
      json,
      tree: mysqlPlanTree(json),
      text,
      notes: /Impossible WHERE/i.test(text) ? [IMPOSSIBLE_WHERE] : [],
    };
  } catch (err) {
    throw mysqlFailure(err, target.statementTimeoutMs);
  } finally {
    await conn?.query('ROLLBACK').catch(() => undefined);
    await conn?.end().catch(() => undefined);
  }
}
