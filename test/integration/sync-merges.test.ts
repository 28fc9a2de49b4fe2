import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { Store } from '../../src/store';
import { lifecycleHarness, lifecycleMapping, nextMinute, type LifecycleRow as Row } from '../helpers/lifecycle';

/**
 * Merged records in the delta sync: a Salesforce Lead merge and a HubSpot contact merge
 * move links to the survivor and remove nothing, under every on_delete policy.
 */

describe('merged records in the delta sync', () => {
  const h = lifecycleHarness();
  const { cycle, createContact, leadsWith, hubspotWith, isArchived, linkOf, linkedPair } = h;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  beforeEach(() => {
    ({ hubspot, salesforce, store } = h);
  });

  async function mergeLeads(masterId: string, loserId: string) {
    const result = await salesforce.soap.merge({
      masterRecord: { type: 'Lead', Id: masterId },
      recordToMergeIds: [loserId],
    });
    const one = Array.isArray(result) ? result[0] : result;
    if (!one?.success) throw new Error(`merge failed: ${JSON.stringify(one)}`);
    nextMinute();
  }
  const leadById = async (id: string) =>
    (
      await salesforce
        .query<Row & { LastName: string }>(
          `SELECT Id, Email, FirstName, LastName, Title, City FROM Lead WHERE Id = '${id}'`,
        )
        .execute()
    ).records[0];
  const newLead = async (email: string, values: Record<string, string> = {}) => {
    const made = await salesforce
      .sobject('Lead')
      .create({ Email: email, FirstName: 'Bo', LastName: 'Master', Company: 'Acme', ...values });
    if (!('id' in made) || !made.id) throw new Error('no Lead');
    return made.id;
  };

  for (const policy of ['archive', 'clear_link', 'ignore'] as const) {
    it(`Salesforce Lead merge under ${policy}: nothing archived or orphaned, the contact follows the master, changes flow both ways`, async () => {
      const mapping = lifecycleMapping(`on_delete: { in_salesforce: ${policy}, in_hubspot: ${policy} }`);
      const { hubspotId, leadId } = await linkedPair(mapping, `ann-${policy}@merge.example`);
      // The master exists only in Salesforce (the duplicate RevOps merges): under the same
      // email, so it matches the contact, or under another one (ignore), so it matches nothing.
      const masterEmail = policy === 'ignore' ? 'ann-elsewhere@merge.example' : `ann-${policy}@merge.example`;
      const masterId = await newLead(masterEmail, { Title: 'Head of IT' });
      await mergeLeads(masterId, leadId);

      // The dry run previews the move and changes nothing.
      const preview = await cycle(mapping, true);
      expect(preview.outcomes).toContainEqual(
        expect.objectContaining({ action: 'follow', sourceId: leadId, targetId: masterId }),
      );
      expect(
        preview.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink' || o.action === 'create'),
      ).toEqual([]);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceId: leadId });

      const merged = await cycle(mapping);
      expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink')).toEqual([]);
      expect(merged.outcomes.filter((o) => o.action === 'follow')).toEqual([
        expect.objectContaining({ sourceId: leadId, targetId: masterId }),
      ]);
      expect(await isArchived(hubspotId)).toBe(false);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: masterId });
      expect(await store.links.findOrphans(mapping.name, 'hubspot', [hubspotId])).toEqual(new Set());
      // The master's values, the merge's outcome, reached the contact.
      expect((await hubspotWith(`ann-${policy}@merge.example`))[0]?.properties).toMatchObject({
        jobtitle: 'Head of IT',
        firstname: 'Bo',
      });

      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { city: 'Lyon' } });
      expect((await cycle(mapping)).result.to_salesforce).toMatchObject({ updated: 1, created: 0 });
      expect((await leadById(masterId))?.City).toBe('Lyon');
      await salesforce.sobject('Lead').update({ Id: masterId, FirstName: 'Bea' });
      expect((await cycle(mapping)).result.to_hubspot).toMatchObject({ updated: 1, created: 0 });
      expect((await hubspotWith(`ann-${policy}@merge.example`))[0]?.properties.firstname).toBe('Bea');
      await cycle(mapping);
      expect((await cycle(mapping)).writes).toBe(0);
      // Email flows to Salesforce only: the master ends with the contact's, and nothing was created for the other.
      expect(await leadsWith(`ann-${policy}@merge.example`)).toEqual([expect.objectContaining({ Id: masterId })]);
      expect(await hubspotWith('ann-elsewhere@merge.example')).toEqual([]);
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([]);
    });
  }

  it('a contact change whose Lead was merged away is written to the master in the same cycle', async () => {
    const mapping = lifecycleMapping('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const { hubspotId, leadId } = await linkedPair(mapping, 'race@merge.example');
    const masterId = await newLead('race@merge.example');
    await mergeLeads(masterId, leadId);
    await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'COO' } });

    // HubSpot → Salesforce runs first and finds the Lead missing: it follows the merge and writes there.
    const result = await cycle(mapping);
    expect(result.result.to_salesforce).toMatchObject({ updated: 1, created: 0, rejected: 0 });
    expect(await leadById(masterId)).toMatchObject({ Title: 'COO' });
    expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceId: masterId });
    expect(await isArchived(hubspotId)).toBe(false);
    expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([]);
  });

  it('HubSpot contact merge: the Lead follows the primary contact, nothing is deleted', async () => {
    const mapping = lifecycleMapping('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const { hubspotId, leadId } = await linkedPair(mapping, 'old@merge.example');
    const primaryId = await createContact('new@merge.example', { jobtitle: 'VP' });
    // The primary is new to the sync: it merges before Baton ever sees it.
    await hubspot.crm.contacts.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: hubspotId });
    nextMinute();

    const merged = await cycle(mapping);
    expect(
      merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink' || o.action === 'create'),
    ).toEqual([]);
    expect(await linkOf(mapping, primaryId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: leadId });
    expect(await linkOf(mapping, hubspotId)).toBeUndefined();
    expect(await leadById(leadId)).toMatchObject({ Id: leadId, Email: 'new@merge.example', Title: 'VP' });
    expect(await leadsWith('new@merge.example')).toHaveLength(1);

    await salesforce.sobject('Lead').update({ Id: leadId, FirstName: 'Cy' });
    expect((await cycle(mapping)).result.to_hubspot).toMatchObject({ updated: 1, created: 0 });
    expect((await hubspotWith('new@merge.example'))[0]?.properties.firstname).toBe('Cy');
    await cycle(mapping);
    expect((await cycle(mapping)).writes).toBe(0);
    expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([]);
  });

  it('a merge of two linked Leads keeps one link, records an error, removes nothing and parks the other contact until it is merged', async () => {
    const mapping = lifecycleMapping('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const a = await linkedPair(mapping, 'dup-a@merge.example');
    const b = await linkedPair(mapping, 'dup-b@merge.example');
    await mergeLeads(b.leadId, a.leadId);

    const merged = await cycle(mapping);
    expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink')).toEqual([]);
    expect(await isArchived(a.hubspotId)).toBe(false);
    expect(await isArchived(b.hubspotId)).toBe(false);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
    expect(await linkOf(mapping, a.hubspotId)).toBeUndefined();
    expect(await store.links.findOrphans(mapping.name, 'hubspot', [a.hubspotId])).toEqual(new Set());
    const errors = await store.syncErrors.list({ mapping: mapping.name });
    expect(errors).toEqual([
      expect.objectContaining({
        direction: 'to_salesforce',
        sourceId: a.hubspotId,
        errorCode: 'MERGED_INTO_LINKED',
        status: 'gave_up',
      }),
    ]);
    expect(errors[0]?.reason).toContain(
      `merge HubSpot contact ${a.hubspotId} into HubSpot contact ${b.hubspotId} in HubSpot`,
    );

    // A change to the parked contact neither re-creates the merged-away Lead nor links it to the master.
    await hubspot.crm.contacts.basicApi.update(a.hubspotId, { properties: { city: 'Oslo' } });
    const parked = await cycle(mapping);
    expect(parked.outcomes).toContainEqual(expect.objectContaining({ sourceId: a.hubspotId, action: 'skip' }));
    expect(parked.writes).toBe(0);
    expect(await leadsWith('dup-a@merge.example')).toEqual([]);

    // RevOps merges the two contacts as asked: the error is over, one of each remains.
    await hubspot.crm.contacts.basicApi.merge({ primaryObjectId: b.hubspotId, objectIdToMerge: a.hubspotId });
    nextMinute();
    await cycle(mapping);
    expect(await store.syncErrors.list({ mapping: mapping.name, status: ['open', 'gave_up'] })).toEqual([]);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
    expect(await leadsWith('dup-a@merge.example')).toEqual([]);
    expect(await isArchived(b.hubspotId)).toBe(false);
  });

  it("a merge of two linked HubSpot contacts keeps the primary's link and asks for the Leads to be merged; nothing is deleted", async () => {
    const mapping = lifecycleMapping('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const a = await linkedPair(mapping, 'hs-a@merge.example');
    const b = await linkedPair(mapping, 'hs-b@merge.example');
    await hubspot.crm.contacts.basicApi.merge({ primaryObjectId: b.hubspotId, objectIdToMerge: a.hubspotId });
    nextMinute();

    const merged = await cycle(mapping);
    expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'create')).toEqual([]);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
    expect(await linkOf(mapping, a.hubspotId)).toBeUndefined();
    expect(await leadById(a.leadId)).toBeDefined();
    expect(await leadById(b.leadId)).toBeDefined();
    const errors = await store.syncErrors.list({ mapping: mapping.name });
    expect(errors).toEqual([
      expect.objectContaining({ direction: 'to_hubspot', sourceId: a.leadId, errorCode: 'MERGED_INTO_LINKED' }),
    ]);
    expect(errors[0]?.reason).toContain(
      `merge Salesforce Lead ${a.leadId} into Salesforce Lead ${b.leadId} in Salesforce`,
    );

    // The Lead left without a link changes: no new HubSpot contact for it.
    await salesforce.sobject('Lead').update({ Id: a.leadId, Title: 'Intern' });
    expect((await cycle(mapping)).writes).toBe(0);

    // RevOps merges the Leads: the error is over and nothing was removed in HubSpot.
    await mergeLeads(b.leadId, a.leadId);
    await cycle(mapping);
    expect(await store.syncErrors.list({ mapping: mapping.name, status: ['open', 'gave_up'] })).toEqual([]);
    expect(await isArchived(b.hubspotId)).toBe(false);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
  });
});
