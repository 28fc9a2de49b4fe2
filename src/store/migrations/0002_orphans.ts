import type { Knex } from 'knex';

/**
 * Records whose linked partner was deleted (Salesforce) or archived (HubSpot) under the
 * `clear_link` policy. The link is forgotten, so a partner that comes back is matched
 * afresh; the orphan row is what stops the sync from creating a new partner for the
 * survivor on its next change. Linking the record again removes the row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_orphans', (t) => {
    t.string('mapping', 255).notNullable();
    t.string('side', 16).notNullable();
    t.string('record_id', 255).notNullable();
    t.string('partner_id', 255).notNullable();
    t.bigInteger('orphaned_at').notNullable();
    t.primary(['mapping', 'side', 'record_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('record_orphans');
}
