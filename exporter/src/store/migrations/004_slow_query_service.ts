import type { Knex } from 'knex';

/**
 * The service a slow-query sample came from (queries.service in-process, an ingested batch's `app`):
 * the Slow queries page groups and filters by it. Nullable, as samples stored before it have none.
 * Added after 005 in time; knex runs it on stores already at 005 as a pending migration.
 */
export const slowQueryService004 = {
  name: '004_slow_query_service',
  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('slow_query_samples', (t) => {
      t.string('service', 64).nullable();
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.alterTable('slow_query_samples', (t) => {
      t.dropColumn('service');
    });
  },
};
