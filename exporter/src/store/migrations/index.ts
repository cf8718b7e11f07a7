import type { Knex } from 'knex';
import { meta001 } from './001_meta';
import { slowQueries002 } from './002_slow_queries';
import { incidents003 } from './003_incidents';
import { slowQueryService004 } from './004_slow_query_service';
import { slowQueryRequestId005 } from './005_slow_query_request_id';

export interface Migration {
  /** `NNN_name`; the number is the schema version the migration brings the store to. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Written once with knex's schema builder, so SQLite and PostgreSQL get the
 * same tables. Issues add theirs at the end: 002 slow queries, 003 incidents, …
 */
export const MIGRATIONS: Migration[] = [
  meta001,
  slowQueries002,
  incidents003,
  slowQueryService004,
  slowQueryRequestId005,
];
