import type { Knex } from 'knex';

// Timestamps are bigint epoch milliseconds on both dialects, so comparisons and report
// arithmetic (time to first touch, SLA compliance) are the same SQL everywhere.
// JSON is stored as text and (de)serialised by the store for the same reason.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cursors', (t) => {
    t.string('name', 255).primary();
    t.text('value').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('record_links', (t) => {
    t.string('mapping', 255).notNullable();
    t.string('hubspot_id', 255).notNullable();
    t.string('salesforce_object', 255).notNullable();
    t.string('salesforce_id', 255).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['mapping', 'hubspot_id']);
    t.index(['mapping', 'salesforce_id'], 'record_links_mapping_salesforce_id_index');
  });

  await knex.schema.createTable('snapshots', (t) => {
    t.string('mapping', 255).notNullable();
    t.string('hubspot_id', 255).notNullable();
    t.text('hubspot_values').notNullable();
    t.text('salesforce_values').notNullable();
    t.bigInteger('synced_at').notNullable();
    t.primary(['mapping', 'hubspot_id']);
    // A snapshot only means something for a linked pair; unlinking drops it.
    t.foreign(['mapping', 'hubspot_id'], 'snapshots_link_foreign')
      .references(['mapping', 'hubspot_id'])
      .inTable('record_links')
      .onDelete('CASCADE');
  });

  await knex.schema.createTable('sync_errors', (t) => {
    t.bigIncrements('id').primary();
    t.string('mapping', 255).notNullable();
    t.string('direction', 32).notNullable();
    t.string('source_id', 255).notNullable();
    t.text('reason').notNullable();
    t.string('error_code', 255).nullable();
    t.text('payload').notNullable();
    t.integer('attempts').notNullable();
    t.string('status', 16).notNullable();
    t.bigInteger('first_seen_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('resolved_at').nullable();
    // One row per record and direction: a repeat failure updates it (attempts, backoff),
    // a failure after it was resolved reopens it.
    t.unique(['mapping', 'direction', 'source_id'], { indexName: 'sync_errors_source_unique' });
    t.index(['mapping', 'direction', 'status', 'next_attempt_at'], 'sync_errors_due_index');
    t.index(['status', 'last_seen_at'], 'sync_errors_status_index');
  });

  await knex.schema.createTable('handover_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('workflow_id', 255).notNullable();
    t.string('hubspot_id', 255).notNullable();
    t.string('type', 64).notNullable();
    t.string('owner_id', 255).nullable();
    t.text('data').notNullable();
    t.bigInteger('occurred_at').notNullable();
    t.string('event_key', 255).nullable();
    t.unique(['event_key'], { indexName: 'handover_events_event_key_unique' });
    t.index(['workflow_id'], 'handover_events_workflow_id_index');
    t.index(['hubspot_id'], 'handover_events_hubspot_id_index');
    t.index(['type', 'occurred_at'], 'handover_events_type_occurred_at_index');
  });

  await knex.schema.createTable('routing_counters', (t) => {
    t.string('team', 255).notNullable();
    t.string('rep_id', 255).notNullable();
    t.string('period_key', 64).notNullable();
    t.integer('count').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['team', 'rep_id', 'period_key']);
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('event_id', 255).primary();
    t.bigInteger('received_at').notNullable();
    t.index(['received_at'], 'webhook_deliveries_received_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'webhook_deliveries',
    'routing_counters',
    'handover_events',
    'sync_errors',
    'snapshots',
    'record_links',
    'cursors',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
