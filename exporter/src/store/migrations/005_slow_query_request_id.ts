import type { Knex } from 'knex';

/**
 * "That request's other queries" looks samples up by exact request id; without an index it scans
 * the whole table on every look-up. captured_at second, so the answer comes out in order.
 * Numbered 005: 004 is the `service` column, which landed later.
 */
export const slowQueryRequestId005 = {
  name: '005_slow_query_request_id',
  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('slow_query_samples', (t) => {
      t.index(['request_id', 'captured_at'], 'slow_query_samples_request_id_index');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.alterTable('slow_query_samples', (t) => {
      t.dropIndex(['request_id', 'captured_at'], 'slow_query_samples_request_id_index');
    });
  },
};
