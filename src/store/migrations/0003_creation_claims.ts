import type { Knex } from 'knex';

/**
 * Who is creating the Salesforce partner of a HubSpot contact right now. The delta sync
 * and a handover can both find a contact unlinked at the same moment; the one that holds
 * the claim creates the partner, the other waits for the link. A claim expires, so a
 * holder that died never blocks the contact for long.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('creation_claims', (t) => {
    t.string('mapping', 255).notNullable();
    t.string('hubspot_id', 255).notNullable();
    t.string('holder', 255).notNullable();
    t.bigInteger('claimed_at').notNullable();
    t.primary(['mapping', 'hubspot_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('creation_claims');
}
