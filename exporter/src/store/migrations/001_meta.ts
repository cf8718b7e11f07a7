import type { Knex } from 'knex';

/** Key/value facts about the store itself (schema version, created-at, instance id). */
export const meta001 = {
  name: '001_meta',
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('perfwatch_meta', (t) => {
      t.string('key', 100).primary();
      t.text('value').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('perfwatch_meta');
  },
};
