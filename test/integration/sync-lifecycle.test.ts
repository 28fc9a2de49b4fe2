import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection } from 'jsforce';
import { syncPage, SyncRun, type RecordOutcome, type SyncSides } from '../../src/sync';
import type { ObjectMapping } from '../../src/config/mapping-file';
import { HubSpotContactSide } from '../../src/crm/hubspot/contact-side';
import { SalesforceRecordSide } from '../../src/crm/salesforce/record-side';
import type { SideRecord } from '../../src/crm/side';
import type { Store } from '../../src/store';
import { createBatonWorker } from '../../src/worker';
import { deltaSync } from '../../workflows';
import { createLocalEnv, uniqueId, workflowBundle } from '../helpers/temporal';
import { lifecycleHarness, lifecycleMapping, lifecycleYaml, nextMinute } from '../helpers/lifecycle';

/**
 * Lead conversion (`lead_conversion: follow`) and deletions (`on_delete`) through the page
 * engine, without Temporal: both sandboxes through the official clients, SQLite store.
 */

describe('lead conversion and deletions in the delta sync', () => {
  const h = lifecycleHarness();
  const { cycle, createContact, leadsWith, contactsWith, hubspotWith, isArchived, linkOf, linkedPair } = h;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  beforeEach(() => {
    ({ hubspot, salesforce, store } = h);
  });

  async function convert(leadId: string): Promise<string> {
    const result = await salesforce.soap.convertLead({
      leadId,
      convertedStatus: 'Closed - Converted',
      doNotCreateOpportunity: true,
    });
    const one = Array.isArray(result) ? result[0] : result;
    if (!one?.success || !one.contactId) throw new Error(`convertLead failed: ${JSON.stringify(one)}`);
    return one.contactId;
  }

  describe('lead_conversion: follow', () => {
    const mapping = lifecycleMapping('lead_conversion: follow');

    it('moves the link to the Contact when the Lead is converted, then syncs the Contact both ways without a new Lead or contact', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'ann@convert.example');
      const contactId = await convert(leadId);

      // The dry run says what it would do and does nothing.
      const preview = await cycle(mapping, true);
      expect(preview.outcomes.filter((o) => o.action === 'follow')).toEqual([
        expect.objectContaining({ direction: 'to_hubspot', sourceId: leadId, targetId: contactId }),
      ]);
      expect(preview.result.to_hubspot.lifecycle.follow).toBe(1);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: leadId });

      const moved = await cycle(mapping);
      expect(moved.outcomes.filter((o) => o.action === 'follow')).toHaveLength(1);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Contact', salesforceId: contactId });
      // The Contact holds the Lead's values: nothing to write, and Company (not on Contacts) is not cleared in HubSpot.
      expect(moved.writes).toBe(0);
      expect((await hubspotWith('ann@convert.example'))[0]?.properties).toMatchObject({
        company: 'Acme',
        jobtitle: 'CTO',
        city: 'Paris',
      });

      // HubSpot → the Contact (City is MailingCity there), never the read-only Lead.
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'CEO', city: 'Berlin' } });
      const down = await cycle(mapping);
      expect(down.result.to_salesforce).toMatchObject({ updated: 1, created: 0, rejected: 0 });
      expect(await contactsWith('ann@convert.example')).toEqual([
        expect.objectContaining({ Id: contactId, Title: 'CEO', MailingCity: 'Berlin' }),
      ]);
      expect(await leadsWith('ann@convert.example')).toEqual([
        expect.objectContaining({ Id: leadId, Title: 'CTO', City: 'Paris', IsConverted: true }),
      ]);

      // The Contact → HubSpot, read from the Contacts' own watermark.
      await salesforce.sobject('Contact').update({ Id: contactId, FirstName: 'Anna' });
      const up = await cycle(mapping);
      expect(up.result.to_hubspot).toMatchObject({ read: 1, updated: 1, created: 0 });
      expect((await hubspotWith('ann@convert.example'))[0]?.properties.firstname).toBe('Anna');

      // Converged, one of each everywhere.
      await cycle(mapping);
      expect((await cycle(mapping)).writes).toBe(0);
      expect(await leadsWith('ann@convert.example')).toHaveLength(1);
      expect(await contactsWith('ann@convert.example')).toHaveLength(1);
      expect(await hubspotWith('ann@convert.example')).toHaveLength(1);
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([]);
    });

    it('follows a conversion it learns of from a refused write (converted between read and write)', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'race@convert.example');
      const contactId = await convert(leadId);
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'COO' } });

      // A Salesforce side that reads the Lead as it was just before the conversion.
      const real = new SalesforceRecordSide(salesforce);
      const stale = Object.assign(Object.create(real) as SalesforceRecordSide, {
        fetch: async (m: ObjectMapping, ids: string[]) => {
          const found = await real.fetch(m, ids);
          return new Map([...found].map(([id, r]): [string, SideRecord] => [id, { ...r, convertedTo: undefined }]));
        },
      });
      const sides: SyncSides = { hubspot: new HubSpotContactSide(hubspot), salesforce: stale };
      const cursor = (await store.cursors.get<{ mode: 'after'; ts: number }>('lifecycle:hubspot')) ?? {
        mode: 'after' as const,
        ts: 0,
      };
      const outcomes: RecordOutcome[] = [];
      const page = await syncPage(
        new SyncRun({ store, sides, mapping, options: { onRecord: (o) => outcomes.push(o) } }),
        { direction: 'to_salesforce', cursor },
        Date.now(),
      );

      expect(page.counts).toMatchObject({ read: 1, updated: 1, rejected: 0 });
      expect(outcomes.map((o) => o.action)).toEqual(['follow', 'update']);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Contact', salesforceId: contactId });
      expect((await contactsWith('race@convert.example'))[0]?.Title).toBe('COO');
      expect(await leadsWith('race@convert.example')).toHaveLength(1);
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([]);
    });

    it('links a new HubSpot contact whose Lead was converted to the Contact, not a second Lead', async () => {
      const lead = await salesforce
        .sobject('Lead')
        .create({ Email: 'late@convert.example', LastName: 'Late', Company: 'Acme', Title: 'VP' });
      if (!('id' in lead) || !lead.id) throw new Error('no Lead');
      const contactId = await convert(lead.id);
      const hubspotId = await createContact('late@convert.example', { jobtitle: 'VP', lastname: 'Late' });

      await cycle(mapping);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Contact', salesforceId: contactId });
      expect(await leadsWith('late@convert.example')).toHaveLength(1);
      expect(await hubspotWith('late@convert.example')).toHaveLength(1);
      await cycle(mapping);
      expect((await cycle(mapping)).writes).toBe(0);
    });
  });

  describe('without lead_conversion: follow', () => {
    const mapping = lifecycleMapping('');

    it('records a write to a converted Lead as an error that is not retried, and creates no second Lead', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'stay@convert.example');
      const contactId = await convert(leadId);
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'CFO' } });

      const r = await cycle(mapping);
      expect(r.result.to_salesforce).toMatchObject({ read: 1, rejected: 1, created: 0, updated: 0 });
      const [error] = await store.syncErrors.list({ mapping: mapping.name });
      expect(error).toMatchObject({
        sourceId: hubspotId,
        errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
        status: 'gave_up',
        attempts: 1,
      });
      expect(error?.reason).toContain(`Lead ${leadId} was converted into Contact ${contactId}`);
      expect(error?.reason).toContain('lead_conversion: follow');
      expect(await store.syncErrors.due(mapping.name, 'to_salesforce', new Date(Date.now() + 86_400_000), 10)).toEqual(
        [],
      );

      // The same refusal from Salesforce itself (the Lead converted after it was read) lands the same way.
      const real = new SalesforceRecordSide(salesforce);
      const stale = Object.assign(Object.create(real) as SalesforceRecordSide, {
        fetch: async (m: ObjectMapping, ids: string[]) =>
          new Map(
            [...(await real.fetch(m, ids))].map(([id, rec]): [string, SideRecord] => [
              id,
              { ...rec, convertedTo: undefined },
            ]),
          ),
      });
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'CIO' } });
      const sides: SyncSides = { hubspot: new HubSpotContactSide(hubspot), salesforce: stale };
      const page = await syncPage(
        new SyncRun({ store, sides, mapping }),
        { direction: 'to_salesforce', cursor: { mode: 'after', ts: 0 } },
        Date.now(),
      );
      expect(page.counts).toMatchObject({ rejected: 1, updated: 0, created: 0 });
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([
        expect.objectContaining({ errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', status: 'gave_up' }),
      ]);

      expect(await leadsWith('stay@convert.example')).toEqual([expect.objectContaining({ Id: leadId, Title: 'CTO' })]);
      expect(await contactsWith('stay@convert.example')).toEqual([expect.objectContaining({ Title: 'CTO' })]);
    });
  });

  describe('on_delete: clear_link', () => {
    const mapping = lifecycleMapping('on_delete: clear_link');

    it('forgets the link of an archived contact, keeps the Lead, never re-creates the contact, and links one that comes back', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'gone@delete.example');
      await hubspot.crm.contacts.basicApi.archive(hubspotId);

      const preview = await cycle(mapping, true);
      expect(preview.outcomes.filter((o) => o.action === 'unlink')).toEqual([
        expect.objectContaining({ sourceId: hubspotId, targetId: leadId }),
      ]);
      expect(await linkOf(mapping, hubspotId)).toBeDefined();

      const r = await cycle(mapping);
      expect(r.result.to_salesforce.lifecycle.unlink).toBe(1);
      expect(await linkOf(mapping, hubspotId)).toBeUndefined();
      expect(await store.links.getSnapshots(mapping.name, [hubspotId])).toEqual(new Map());
      expect(await leadsWith('gone@delete.example')).toHaveLength(1);

      // The Lead changes: its contact is not created again.
      await salesforce.sobject('Lead').update({ Id: leadId, Title: 'Head of Sales' });
      for (let i = 0; i < 2; i++) {
        const next = await cycle(mapping);
        expect(next.writes).toBe(0);
      }
      expect(await hubspotWith('gone@delete.example')).toEqual([]);

      // Marketing adds the person again: the new contact is matched to the Lead, not duplicated.
      const again = await createContact('gone@delete.example', { jobtitle: 'Head of Sales' });
      await cycle(mapping);
      expect(await linkOf(mapping, again)).toMatchObject({ salesforceId: leadId });
      expect(await leadsWith('gone@delete.example')).toHaveLength(1);
      expect((await cycle(mapping)).writes).toBe(0);
    });

    it('forgets the link of a deleted Lead (read with getDeleted) and never creates the Lead again', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'lead-gone@delete.example');
      await salesforce.sobject('Lead').destroy(leadId);
      nextMinute();

      const r = await cycle(mapping);
      expect(r.outcomes.filter((o) => o.action === 'unlink')).toEqual([
        expect.objectContaining({ direction: 'to_hubspot', sourceId: leadId, targetId: hubspotId }),
      ]);
      expect(await linkOf(mapping, hubspotId)).toBeUndefined();

      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'Founder' } });
      const next = await cycle(mapping);
      expect(next.outcomes.filter((o) => o.action === 'skip')).toEqual([
        expect.objectContaining({ sourceId: hubspotId }),
      ]);
      expect(next.writes).toBe(0);
      expect(await leadsWith('lead-gone@delete.example')).toEqual([]);
      expect(await hubspotWith('lead-gone@delete.example')).toHaveLength(1);
    });

    it('notices a deleted Lead when its contact changes before getDeleted reports it, and does not re-create it', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'quick@delete.example');
      await salesforce.sobject('Lead').destroy(leadId);
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'Owner' } });

      const r = await cycle(mapping);
      expect(r.outcomes.map((o) => o.action)).toContain('unlink');
      expect(r.writes).toBe(0);
      nextMinute();
      // Later edits of the contact do not bring the Lead back either.
      await hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { jobtitle: 'Chair' } });
      for (let i = 0; i < 2; i++) expect((await cycle(mapping)).writes).toBe(0);
      expect(await leadsWith('quick@delete.example')).toEqual([]);
      expect(await store.syncErrors.list({ mapping: mapping.name, status: 'open' })).toEqual([]);
    });
  });

  it('reads the HubSpot recycle bin at most once per recycleBinEveryMs, and finds what was archived in between', async () => {
    const mapping = lifecycleMapping('on_delete: clear_link');
    const requests = async () =>
      ((await (await fetch(`${h.stack.hubspotSandbox.url}/__sandbox/stats`)).json()) as { total: number }).total;
    const side = new HubSpotContactSide(hubspot, { recycleBinEveryMs: 600_000 });
    const a = await createContact('a@bin.example');
    await hubspot.crm.contacts.basicApi.archive(a);
    const t0 = Date.now();
    const first = await side.readDeletions(mapping, null, t0);
    expect(first.ids).toEqual([a]);
    expect(first.next).toEqual({ archived: t0 });

    const b = await createContact('b@bin.example');
    await hubspot.crm.contacts.basicApi.archive(b);
    const before = await requests();
    expect(await side.readDeletions(mapping, first.next, t0 + 60_000)).toEqual({ ids: [], next: first.next });
    // No request reached HubSpot for it.
    expect((await requests()) - before).toBe(0);
    expect((await side.readDeletions(mapping, first.next, t0 + 600_000)).ids.sort()).toEqual([a, b].sort());
    // Without the option (a manual `baton sync --once`), every read goes to the bin.
    expect((await new HubSpotContactSide(hubspot).readDeletions(mapping, first.next, t0 + 1)).ids.sort()).toEqual(
      [a, b].sort(),
    );
  });

  describe('on_delete: archive', () => {
    const mapping = lifecycleMapping('on_delete: archive');

    it('deletes the Lead of an archived contact, and nothing comes back', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'both@archive.example');
      await hubspot.crm.contacts.basicApi.archive(hubspotId);

      const r = await cycle(mapping);
      expect(r.outcomes.filter((o) => o.action === 'archive')).toEqual([
        expect.objectContaining({ direction: 'to_salesforce', sourceId: hubspotId, targetId: leadId }),
      ]);
      expect(await leadsWith('both@archive.example')).toEqual([]);
      expect(await linkOf(mapping, hubspotId)).toBeUndefined();

      // Salesforce now reports the Lead deleted; it has no link any more, so nothing happens.
      nextMinute();
      for (let i = 0; i < 2; i++) expect((await cycle(mapping)).writes).toBe(0);
      expect(await hubspotWith('both@archive.example')).toEqual([]);
      expect(await leadsWith('both@archive.example')).toEqual([]);
    });

    it('archives the contact of a deleted Lead, and nothing comes back', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'sf@archive.example');
      await salesforce.sobject('Lead').destroy(leadId);
      nextMinute();

      const r = await cycle(mapping);
      expect(r.outcomes.filter((o) => o.action === 'archive')).toEqual([
        expect.objectContaining({ direction: 'to_hubspot', sourceId: leadId, targetId: hubspotId }),
      ]);
      expect(await isArchived(hubspotId)).toBe(true);
      for (let i = 0; i < 2; i++) expect((await cycle(mapping)).writes).toBe(0);
      expect(await leadsWith('sf@archive.example')).toEqual([]);
      expect(await hubspotWith('sf@archive.example')).toEqual([]);
    });

    it('removes nothing for a partner that is missing but not archived (merged away, say)', async () => {
      const lead = await salesforce
        .sobject('Lead')
        .create({ Email: 'merged@archive.example', LastName: 'Kept', Company: 'Acme' });
      if (!('id' in lead) || !lead.id) throw new Error('no Lead');
      // Linked to a contact id HubSpot does not know, archived or not.
      await store.links.upsert([
        { mapping: mapping.name, hubspotId: '987654321', salesforceObject: 'Lead', salesforceId: lead.id },
      ]);
      await store.cursors.set('lifecycle:salesforce', { ts: 0, id: '' });

      const r = await cycle(mapping);
      expect(r.outcomes.map((o) => o.action)).not.toContain('archive');
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([
        expect.objectContaining({ sourceId: lead.id, errorCode: 'TARGET_MISSING' }),
      ]);
      expect(await leadsWith('merged@archive.example')).toHaveLength(1);
      expect(await linkOf(mapping, '987654321')).toBeDefined();
    });

    it('deletes the Contact a converted Lead became when the contact is archived', async () => {
      const follow = lifecycleMapping('on_delete: archive\nlead_conversion: follow');
      const { hubspotId, leadId } = await linkedPair(follow, 'conv@archive.example');
      const contactId = await convert(leadId);
      await cycle(follow);
      await hubspot.crm.contacts.basicApi.archive(hubspotId);

      const r = await cycle(follow);
      expect(r.outcomes.filter((o) => o.action === 'archive')).toEqual([
        expect.objectContaining({ sourceId: hubspotId, targetId: contactId }),
      ]);
      expect(await contactsWith('conv@archive.example')).toEqual([]);
      nextMinute();
      expect((await cycle(follow)).writes).toBe(0);
      expect(await hubspotWith('conv@archive.example')).toEqual([]);
    });
  });

  describe('on_delete: ignore', () => {
    const mapping = lifecycleMapping('on_delete: ignore');

    it('keeps the link and the Lead, and reports the Lead’s changes it cannot sync instead of creating a contact', async () => {
      const { hubspotId, leadId } = await linkedPair(mapping, 'kept@ignore.example');
      await hubspot.crm.contacts.basicApi.archive(hubspotId);
      expect((await cycle(mapping)).writes).toBe(0);
      expect(await linkOf(mapping, hubspotId)).toMatchObject({ salesforceId: leadId });

      await salesforce.sobject('Lead').update({ Id: leadId, Title: 'Changed' });
      const r = await cycle(mapping);
      expect(r.writes).toBe(0);
      expect(await store.syncErrors.list({ mapping: mapping.name })).toEqual([
        expect.objectContaining({ sourceId: leadId, errorCode: 'TARGET_MISSING' }),
      ]);
      expect(await hubspotWith('kept@ignore.example')).toEqual([]);
      expect(await leadsWith('kept@ignore.example')).toHaveLength(1);
    });
  });

  describe('through the deltaSync workflow', () => {
    let env: TestWorkflowEnvironment;
    let mappingsDir: string;
    const mapping = lifecycleMapping('on_delete: archive\nlead_conversion: follow');

    beforeAll(async () => {
      env = await createLocalEnv();
      mappingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-lifecycle-mappings-'));
      fs.writeFileSync(
        path.join(mappingsDir, 'lifecycle.yaml'),
        lifecycleYaml('on_delete: archive\nlead_conversion: follow'),
      );
    }, 120_000);
    afterAll(async () => {
      await env?.teardown();
      fs.rmSync(mappingsDir, { recursive: true, force: true });
    });

    async function run() {
      const worker = await createBatonWorker({
        temporal: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: uniqueId('lifecycle'),
        hubspot,
        salesforce,
        store,
        mappingsDir,
        workflowBundle: await workflowBundle(),
      });
      return worker.runUntil(
        env.client.workflow.execute(deltaSync, {
          workflowId: uniqueId('lifecycle-sync'),
          taskQueue: worker.options.taskQueue,
          args: [{ mapping: 'lifecycle', searchLagMs: 0 }],
        }),
      );
    }

    it('follows a conversion and applies a deletion in scheduled runs, then goes quiet', async () => {
      const kept = await createContact('kept@workflow.example');
      const dropped = await createContact('dropped@workflow.example');
      await run();
      const [lead] = await leadsWith('kept@workflow.example');
      expect(await leadsWith('dropped@workflow.example')).toHaveLength(1);
      const contactId = await convert(lead?.Id as string);
      await hubspot.crm.contacts.basicApi.archive(dropped);

      const moved = await run();
      // The run's result says what it did: the archived contact's Lead deleted, the conversion followed.
      expect(moved.to_salesforce.lifecycle).toEqual({ follow: 0, unlink: 0, archive: 1, skip: 0 });
      expect(moved.to_hubspot.lifecycle).toEqual({ follow: 1, unlink: 0, archive: 0, skip: 0 });
      expect(await linkOf(mapping, kept)).toMatchObject({ salesforceObject: 'Contact', salesforceId: contactId });
      expect(await leadsWith('dropped@workflow.example')).toEqual([]);

      await hubspot.crm.contacts.basicApi.update(kept, { properties: { jobtitle: 'Chief of Staff' } });
      const edited = await run();
      expect(edited.to_salesforce).toMatchObject({ read: 1, updated: 1, created: 0, rejected: 0 });
      expect((await contactsWith('kept@workflow.example'))[0]?.Title).toBe('Chief of Staff');
      expect(await leadsWith('kept@workflow.example')).toHaveLength(1);

      nextMinute();
      await run();
      const quiet = await run();
      expect(
        quiet.to_salesforce.created + quiet.to_salesforce.updated + quiet.to_hubspot.created + quiet.to_hubspot.updated,
      ).toBe(0);
      expect(await hubspotWith('dropped@workflow.example')).toEqual([]);
      expect(await leadsWith('dropped@workflow.example')).toEqual([]);
    }, 120_000);
  });
});
