import type { Knex } from 'knex';

/**
 * Incidents, their alerts, labels and timeline, and the pointer from an alert group to its current
 * incident. Times are epoch milliseconds (bigint); JSON is stored as text so both stores read it alike.
 */
export const incidents003 = {
  name: '003_incidents',
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('incidents', (t) => {
      t.bigIncrements('id');
      t.string('title', 500).notNullable();
      t.text('description').nullable();
      t.string('severity', 16).notNullable();
      t.integer('severity_rank').notNullable();
      t.string('status', 16).notNullable();
      t.integer('status_rank').notNullable();
      t.string('source', 16).notNullable();
      t.string('alerts_state', 16).notNullable();
      t.text('group_key').nullable();
      t.text('labels').notNullable();
      t.string('acknowledged_by', 200).nullable();
      t.bigInteger('acknowledged_at').nullable();
      t.string('assignee', 200).nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('started_at').notNullable();
      t.bigInteger('resolved_at').nullable();
      t.string('resolved_by', 200).nullable();
      t.text('resolution_note').nullable();
      t.bigInteger('silenced_until').nullable();
      t.integer('reopen_count').notNullable().defaultTo(0);
      t.integer('notification_count').notNullable().defaultTo(0);
      t.bigInteger('last_notification_at').nullable();
      t.text('runbook_url').nullable();
      t.text('generator_url').nullable();
      t.text('external_url').nullable();
      t.string('receiver', 1024).nullable();
      t.index(['created_at']);
      t.index(['status_rank', 'created_at']);
      t.index(['resolved_at']);
    });
    await knex.schema.createTable('incident_groups', (t) => {
      t.string('key_hash', 64).primary();
      t.bigInteger('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
      t.bigInteger('updated_at').notNullable();
      t.index(['incident_id']);
    });
    await knex.schema.createTable('incident_alerts', (t) => {
      t.bigIncrements('id');
      t.bigInteger('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
      t.string('fingerprint', 64).notNullable();
      t.string('status', 16).notNullable();
      t.string('severity', 16).notNullable();
      t.text('labels').notNullable();
      t.text('annotations').notNullable();
      t.bigInteger('starts_at').notNullable();
      t.bigInteger('ends_at').nullable();
      t.text('generator_url').nullable();
      t.text('runbook_url').nullable();
      t.bigInteger('first_seen_at').notNullable();
      t.bigInteger('last_seen_at').notNullable();
      t.unique(['incident_id', 'fingerprint']);
    });
    await knex.schema.createTable('incident_labels', (t) => {
      t.bigInteger('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
      t.string('name', 256).notNullable();
      t.string('value', 1024).notNullable();
      t.primary(['incident_id', 'name']);
      t.index(['name', 'value']);
    });
    await knex.schema.createTable('incident_events', (t) => {
      t.bigIncrements('id');
      t.bigInteger('incident_id').notNullable().references('id').inTable('incidents').onDelete('CASCADE');
      t.string('kind', 32).notNullable();
      t.bigInteger('at').notNullable();
      t.string('author', 200).notNullable();
      t.string('token_name', 200).nullable();
      t.text('message').notNullable();
      t.text('data').nullable();
      /** Set for events a webhook may deliver twice (alert fired/resolved); NULLs never collide. */
      t.string('dedup_key', 200).nullable();
      t.unique(['incident_id', 'dedup_key']);
      t.index(['incident_id', 'at']);
    });
  },
  async down(knex: Knex): Promise<void> {
    for (const table of [
      'incident_events',
      'incident_labels',
      'incident_alerts',
      'incident_groups',
      'incidents',
    ])
      await knex.schema.dropTable(table);
  },
};
