import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { createHandoverActivities } from '../../activities/handover';
import type { HandoverActivities } from '../../activities/handover-types';
import { loadHandoverPolicy } from '../../src/config/handover-file';
import { createMappingProvider } from '../../src/config/mapping-provider';
import type { Store } from '../../src/store';
import { retryOpenErrors, syncOnce } from '../../src/sync/once';
import { startCrmStack, type CrmStack } from '../helpers/stack';

/**
 * The delta sync and a handover can find the same new contact unlinked at the same moment.
 * Exactly one of them creates its Lead; the other waits for the link. Without that, the
 * contact would get two Leads in Salesforce.
 */
const MAPPINGS_DIR = path.join(__dirname, '..', '..', 'mappings');

describe('one Lead per contact when the sync and a handover create at once', () => {
  let stack: CrmStack;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  let activities: HandoverActivities;
  const mapping = createMappingProvider(MAPPINGS_DIR).get('contact');

  beforeEach(async () => {
    stack = await startCrmStack();
    ({ hubspot, salesforce, store } = stack);
    const policy = loadHandoverPolicy(path.join(MAPPINGS_DIR, 'handover.yaml'));
    activities = createHandoverActivities({
      hubspot,
      salesforce,
      store,
      mappings: (name) => createMappingProvider(MAPPINGS_DIR).get(name),
      handoverPolicy: () => policy,
    });
  });

  afterEach(async () => {
    await stack?.close();
  });

  async function createContacts(n: number, prefix: string): Promise<{ id: string; email: string }[]> {
    const inputs = Array.from({ length: n }, (_, i) => ({
      properties: { email: `${prefix}${i}@acme.example`, firstname: 'Kim', lastname: `${prefix}${i}`, company: 'Acme' },
      associations: [],
    }));
    const created = await hubspot.crm.contacts.batchApi.create({ inputs });
    return created.results.map((c) => ({ id: c.id, email: c.properties.email as string }));
  }

  async function leadsByEmail(): Promise<Map<string, string[]>> {
    const rows = (await salesforce.query<{ Id: string; Email: string }>('SELECT Id, Email FROM Lead')).records;
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.Email.toLowerCase(), [...(out.get(r.Email.toLowerCase()) ?? []), r.Id]);
    return out;
  }

  /** writeDossier as Temporal runs it: retried while it fails with a retryable error. */
  async function writeDossier(hubspotId: string, workflowId: string): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await activities.writeDossier({ workflowId, hubspotId, leadId: null })).leadId;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  it('gives every contact exactly one Lead when both run concurrently', async () => {
    const contacts = await createContacts(30, 'race');
    const [, dossiers] = await Promise.all([
      syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0 }),
      Promise.all(contacts.map((c) => writeDossier(c.id, `handover:${c.id}`))),
    ]);
    // The sync errors of contacts a handover was creating are retried once linked.
    await retryOpenErrors({ hubspot, salesforce, store }, mapping);
    const leads = await leadsByEmail();
    for (const [i, c] of contacts.entries()) {
      expect({ email: c.email, leads: leads.get(c.email) }).toEqual({ email: c.email, leads: [dossiers[i]] });
    }
    const links = await store.links.findByHubSpotIds(
      'contact',
      contacts.map((c) => c.id),
    );
    expect(links.map((l) => l.salesforceId).sort()).toEqual([...dossiers].sort());
    expect(await store.syncErrors.list({ mapping: 'contact', status: ['open', 'gave_up'] })).toEqual([]);
  });

  it('leaves a contact whose Lead a handover is creating to the handover, and syncs it once linked', async () => {
    const [contact] = await createContacts(1, 'held');
    await store.claims.claim('contact', [contact!.id], `handover:handover:${contact!.id}`, 600_000);
    const first = await syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0 });
    expect(first.to_salesforce.created).toBe(0);
    expect((await leadsByEmail()).size).toBe(0);
    const [error] = await store.syncErrors.list({ mapping: 'contact' });
    expect(error).toEqual(
      expect.objectContaining({ sourceId: contact!.id, errorCode: 'CREATE_IN_PROGRESS', status: 'open' }),
    );
    expect(error?.reason).toContain('a handover is creating');

    // The handover holding the claim creates the Lead, links it and lets go.
    const leadId = await writeDossier(contact!.id, `handover:${contact!.id}`);
    await retryOpenErrors({ hubspot, salesforce, store }, mapping);
    expect([...(await leadsByEmail()).values()]).toEqual([[leadId]]);
    expect(await store.syncErrors.list({ mapping: 'contact', status: 'open' })).toEqual([]);
  });

  it('makes a handover wait while the sync holds the claim, then use the Lead the sync created', async () => {
    const [contact] = await createContacts(1, 'synced');
    await store.claims.claim('contact', [contact!.id], 'sync:elsewhere', 600_000);
    await expect(
      activities.writeDossier({ workflowId: `handover:${contact!.id}`, hubspotId: contact!.id, leadId: null }),
    ).rejects.toThrow(/the delta sync is creating the Lead/);
    expect((await leadsByEmail()).size).toBe(0);

    await store.claims.release('contact', [contact!.id], 'sync:elsewhere');
    await syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0 });
    const [synced] = [...(await leadsByEmail()).values()];
    expect(synced).toHaveLength(1);
    expect(await writeDossier(contact!.id, `handover:${contact!.id}`)).toBe(synced![0]);
    expect([...(await leadsByEmail()).values()]).toEqual([synced]);
  });
});
