import type { Knex } from 'knex';

/** Slow-query samples: one row per kept sample, aggregated per fingerprint at read time. */
export const slowQueries002 = {
  name: '002_slow_queries',
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('slow_query_samples', (t) => {
      t.bigIncrements('id');
      t.string('fingerprint_id', 16).notNullable();
      t.text('fingerprint').notNullable();
      t.text('sample').notNullable();
      t.double('duration_ms').notNullable();
      t.string('db_system', 64).notNullable();
      t.string('database', 128).nullable();
      t.string('operation', 32).notNullable();
      t.string('route', 512).notNullable();
      t.string('request_id', 128).nullable();
      t.string('call_site', 512).nullable();
      t.boolean('error').notNullable().defaultTo(false);
      t.boolean('n_plus_one').notNullable().defaultTo(false);
      // Slow queries of this fingerprint sampled out (not kept) before this sample, and their time.
      t.integer('sampled_out').notNullable().defaultTo(0);
      t.double('sampled_out_ms').notNullable().defaultTo(0);
      t.bigInteger('captured_at').notNullable();
      t.index(['captured_at']);
      t.index(['fingerprint_id', 'captured_at']);
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('slow_query_samples');
  },
};
