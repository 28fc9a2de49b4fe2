import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { RecordOutcome } from '../../activities/sync-page';
import { parseObjectMapping, type ObjectMapping } from '../../src/config/mapping-file';
import { createHubSpotClient } from '../../src/crm/hubspot/client';
import { createSalesforceConnection } from '../../src/crm/salesforce/client';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot';
import { startSalesforceSandbox } from '../../src/sandbox/salesforce';
import { openStore, type Store } from '../../src/store';
import { syncOnce } from '../../src/sync/once';

/**
 * Merged records in the delta sync: a Salesforce Lead merge and a HubSpot contact merge
 * move links to the survivor and remove nothing, under every on_delete policy.
 */

/**
 * Both sandboxes run on one clock half an hour behind the real one, so every record is
 * inside the window a cycle reads (which ends at the real now), and the clock can be moved
 * a minute on: Salesforce reports a deletion only once the minute it happened is over.
 */
let bump = 0;
const clock = () => Date.now() - 30 * 60_000 + bump;
const nextMinute = () => {
  bump += 61_000;
};

function yamlOf(lifecycle: string): string {
  return `name: lifecycle
hubspot: { object: contacts }
salesforce: { object: Lead }
match: { hubspot: email, salesforce: Email }
${lifecycle}
fields:
  - { hubspot: email, salesforce: Email, direction: to_salesforce, transforms: [trim, lowercase] }
  - { hubspot: firstname, salesforce: FirstName, direction: both, conflict: last_write_wins }
  - { hubspot: lastname, salesforce: LastName, direction: both, conflict: last_write_wins, default: "[not provided]" }
  - { hubspot: company, salesforce: Company, direction: both, conflict: salesforce_wins, default: "[not provided]" }
  - { hubspot: jobtitle, salesforce: Title, direction: both, conflict: hubspot_wins }
  - { hubspot: city, salesforce: City, direction: both, conflict: last_write_wins }
`;
}

function mappingOf(lifecycle: string): ObjectMapping {
  const { mapping, problems } = parseObjectMapping(yamlOf(lifecycle), 'lifecycle.yaml');
  if (!mapping) throw new Error(problems.map((p) => p.message).join('\n'));
  return mapping;
}

describe('merged records in the delta sync', () => {
  let hubspotSandbox: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  let salesforceSandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-merges-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  beforeEach(async () => {
    hubspotSandbox = await startHubSpotSandbox({ preset: 'empty', now: clock });
    salesforceSandbox = await startSalesforceSandbox({ preset: 'empty', now: clock });
    hubspot = createHubSpotClient({ basePath: hubspotSandbox.url, accessToken: hubspotSandbox.accessToken, retries: 0 });
    salesforce = createSalesforceConnection({ instanceUrl: salesforceSandbox.url, accessToken: salesforceSandbox.accessToken, version: '62.0' });
    store = await openStore(`sqlite://${path.join(tmp, `${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'x'}.db`)}`);
  });

  afterEach(async () => {
    await store?.close();
    await hubspotSandbox?.close();
    await salesforceSandbox?.close();
  });

  async function cycle(mapping: ObjectMapping, dryRun = false) {
    const outcomes: RecordOutcome[] = [];
    const result = await syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0, dryRun, onRecord: (o) => outcomes.push(o) });
    const writes = result.to_salesforce.created + result.to_salesforce.updated + result.to_hubspot.created + result.to_hubspot.updated;
    return { result, outcomes, writes };
  }

  async function createContact(email: string, properties: Record<string, string> = {}) {
    const made = await hubspot.crm.contacts.basicApi.create({ properties: { email, firstname: 'Ann', lastname: 'Lee', company: 'Acme', jobtitle: 'CTO', city: 'Paris', ...properties }, associations: [] });
    return made.id;
  }

  type Row = { Id: string; Email: string | null; FirstName: string | null; Title: string | null; City?: string | null; MailingCity?: string | null; IsConverted?: boolean };
  const leadsWith = async (email: string) =>
    (await salesforce.query<Row>(`SELECT Id, Email, FirstName, Title, City, IsConverted FROM Lead WHERE Email = '${email}'`).execute()).records;
  const hubspotWith = async (email: string) => {
    const page = await hubspot.crm.contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: email }], properties: ['firstname', 'jobtitle', 'company', 'city'], propertiesWithHistory: [] });
    return page.results;
  };
  const isArchived = async (id: string) => (await hubspot.crm.contacts.batchApi.read({ inputs: [{ id }], properties: [], propertiesWithHistory: [] }, true)).results.length === 1;
  const linkOf = async (mapping: ObjectMapping, hubspotId: string) => (await store.findLinksByHubSpotIds(mapping.name, [hubspotId]))[0];

  /** A linked pair: a HubSpot contact and the Lead the first cycle creates for it. */
  async function linkedPair(mapping: ObjectMapping, email: string) {
    const hubspotId = await createContact(email);
    await cycle(mapping);
    const [lead] = await leadsWith(email);
    if (!lead) throw new Error('no Lead was created');
    expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: lead.Id });
    return { hubspotId, leadId: lead.Id };
  }

  async function mergeLeads(masterId: string, loserId: string) {
    const result = await salesforce.soap.merge({ masterRecord: { type: 'Lead', Id: masterId }, recordToMergeIds: [loserId] });
    const one = Array.isArray(result) ? result[0] : result;
    if (!one?.success) throw new Error(`merge failed: ${JSON.stringify(one)}`);
    nextMinute();
  }
  const leadById = async (id: string) => (await salesforce.query<Row & { LastName: string }>(`SELECT Id, Email, FirstName, LastName, Title, City FROM Lead WHERE Id = '${id}'`).execute()).records[0];
  const newLead = async (email: string, values: Record<string, string> = {}) => {
    const made = await salesforce.sobject('Lead').create({ Email: email, FirstName: 'Bo', LastName: 'Master', Company: 'Acme', ...values });
    if (!('id' in made) || !made.id) throw new Error('no Lead');
    return made.id;
  };

  for (const policy of ['archive', 'clear_link', 'ignore'] as const) {
    it(`Salesforce Lead merge under ${policy}: nothing archived or orphaned, the contact follows the master, changes flow both ways`, async () => {
      const mapping = mappingOf(`on_delete: { in_salesforce: ${policy}, in_hubspot: ${policy} }`);
      const { hubspotId, leadId } = await linkedPair(mapping, `ann-${policy}@merge.example`);
      // The master exists only in Salesforce (the duplicate RevOps merges): under the same
      // email, so it matches the contact, or under another one (ignore), so it matches nothing.
      const masterEmail = policy === 'ignore' ? 'ann-elsewhere@merge.example' : `ann-${policy}@merge.example`;
      const masterId = await newLead(masterEmail, { Title: 'Head of IT' });
      await mergeLeads(masterId, leadId);

      // The dry run previews the move and changes nothing.
      const preview = await cycle(mapping, true);
      expect(preview.outcomes).toContainEqual(expect.objectContaining({ action: 'follow', sourceId: leadId, targetId: masterId }));
      expect(preview.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink' || o.action === 'create')).toEqual([]);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceId: leadId });

      const merged = await cycle(mapping);
      expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink')).toEqual([]);
      expect(merged.outcomes.filter((o) => o.action === 'follow')).toEqual([expect.objectContaining({ sourceId: leadId, targetId: masterId })]);
      expect(await isArchived(hubspotId)).toBe(false);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: masterId });
      expect(await store.findOrphans(mapping.name, 'hubspot', [hubspotId])).toEqual(new Set());
      // The master's values, the merge's outcome, reached the contact.
      expect((await hubspotWith(`ann-${policy}@merge.example`))[0]?.properties).toMatchObject({ jobtitle: 'Head of IT', firstname: 'Bo' });

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
      expect(await store.listSyncErrors({ mapping: mapping.name })).toEqual([]);
    });
  }

  it('a contact change whose Lead was merged away is written to the master in the same cycle', async () => {
    const mapping = mappingOf('on_delete: { in_salesforce: archive, in_hubspot: archive }');
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
    expect(await store.listSyncErrors({ mapping: mapping.name })).toEqual([]);
  });

  it('HubSpot contact merge: the Lead follows the primary contact, nothing is deleted', async () => {
    const mapping = mappingOf('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const { hubspotId, leadId } = await linkedPair(mapping, 'old@merge.example');
    const primaryId = await createContact('new@merge.example', { jobtitle: 'VP' });
    // The primary is new to the sync: it merges before Baton ever sees it.
    await hubspot.crm.contacts.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: hubspotId });
    nextMinute();

    const merged = await cycle(mapping);
    expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink' || o.action === 'create')).toEqual([]);
    expect(await linkOf(mapping, primaryId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: leadId });
    expect(await linkOf(mapping, hubspotId)).toBeUndefined();
    expect(await leadById(leadId)).toMatchObject({ Id: leadId, Email: 'new@merge.example', Title: 'VP' });
    expect(await leadsWith('new@merge.example')).toHaveLength(1);

    await salesforce.sobject('Lead').update({ Id: leadId, FirstName: 'Cy' });
    expect((await cycle(mapping)).result.to_hubspot).toMatchObject({ updated: 1, created: 0 });
    expect((await hubspotWith('new@merge.example'))[0]?.properties.firstname).toBe('Cy');
    await cycle(mapping);
    expect((await cycle(mapping)).writes).toBe(0);
    expect(await store.listSyncErrors({ mapping: mapping.name })).toEqual([]);
  });

  it('a merge of two linked Leads keeps one link, records an error, removes nothing and parks the other contact until it is merged', async () => {
    const mapping = mappingOf('on_delete: { in_salesforce: archive, in_hubspot: archive }');
    const a = await linkedPair(mapping, 'dup-a@merge.example');
    const b = await linkedPair(mapping, 'dup-b@merge.example');
    await mergeLeads(b.leadId, a.leadId);

    const merged = await cycle(mapping);
    expect(merged.outcomes.filter((o) => o.action === 'archive' || o.action === 'unlink')).toEqual([]);
    expect(await isArchived(a.hubspotId)).toBe(false);
    expect(await isArchived(b.hubspotId)).toBe(false);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
    expect(await linkOf(mapping, a.hubspotId)).toBeUndefined();
    expect(await store.findOrphans(mapping.name, 'hubspot', [a.hubspotId])).toEqual(new Set());
    const errors = await store.listSyncErrors({ mapping: mapping.name });
    expect(errors).toEqual([expect.objectContaining({ direction: 'to_salesforce', sourceId: a.hubspotId, errorCode: 'MERGED_INTO_LINKED', status: 'gave_up' })]);
    expect(errors[0]?.reason).toContain(`merge HubSpot contact ${a.hubspotId} into HubSpot contact ${b.hubspotId} in HubSpot`);

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
    expect(await store.listSyncErrors({ mapping: mapping.name, status: ['open', 'gave_up'] })).toEqual([]);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
    expect(await leadsWith('dup-a@merge.example')).toEqual([]);
    expect(await isArchived(b.hubspotId)).toBe(false);
  });

  it('a merge of two linked HubSpot contacts keeps the primary\'s link and asks for the Leads to be merged; nothing is deleted', async () => {
    const mapping = mappingOf('on_delete: { in_salesforce: archive, in_hubspot: archive }');
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
    const errors = await store.listSyncErrors({ mapping: mapping.name });
    expect(errors).toEqual([expect.objectContaining({ direction: 'to_hubspot', sourceId: a.leadId, errorCode: 'MERGED_INTO_LINKED' })]);
    expect(errors[0]?.reason).toContain(`merge Salesforce Lead ${a.leadId} into Salesforce Lead ${b.leadId} in Salesforce`);

    // The Lead left without a link changes: no new HubSpot contact for it.
    await salesforce.sobject('Lead').update({ Id: a.leadId, Title: 'Intern' });
    expect((await cycle(mapping)).writes).toBe(0);

    // RevOps merges the Leads: the error is over and nothing was removed in HubSpot.
    await mergeLeads(b.leadId, a.leadId);
    await cycle(mapping);
    expect(await store.listSyncErrors({ mapping: mapping.name, status: ['open', 'gave_up'] })).toEqual([]);
    expect(await isArchived(b.hubspotId)).toBe(false);
    expect(await linkOf(mapping, b.hubspotId)).toMatchObject({ salesforceId: b.leadId });
  });
});
