import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection } from 'jsforce';
import type { Store } from '../../src/store';
import { createBatonWorker } from '../../src/worker';
import { createMappingProvider } from '../../src/config/mapping-provider';
import { syncOnce } from '../../src/sync/once';
import type { RecordOutcome } from '../../src/sync';
import { deltaSync } from '../../workflows';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * One-way delta sync through the whole stack: a real Temporal dev server, both sandboxes
 * through the official clients, and the store on SQLite and PostgreSQL.
 */
const MAPPINGS_DIR = path.join(__dirname, '..', 'fixtures', 'mappings', 'two-way');

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
])('deltaSync HubSpot → Salesforce on %s', (_label, dialect) => {
  let stack: TestStack;
  let env: TestWorkflowEnvironment;
  let salesforceSandbox: TestStack['salesforceSandbox'];
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;

  beforeAll(async () => {
    stack = await startTestStack({ temporal: 'local', store: dialect === 'sqlite' ? 'sqlite' : 'postgres' });
    ({ env, salesforceSandbox, hubspot, salesforce, store } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function runSync() {
    const worker = await createBatonWorker({
      temporal: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: uniqueId('sync'),
      hubspot,
      salesforce,
      store,
      mappingsDir: MAPPINGS_DIR,
      workflowBundle: await workflowBundle(),
    });
    return worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: uniqueId('delta-sync'),
        taskQueue: worker.options.taskQueue,
        args: [{ mapping: 'contact', searchLagMs: 0 }],
      }),
    );
  }

  async function createContacts(n: number, prefix: string) {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 100) {
      const inputs = Array.from({ length: Math.min(100, n - i) }, (_, j) => ({
        properties: {
          email: `${prefix}${i + j}@sync.example`,
          firstname: `First${i + j}`,
          lastname: `Last${i + j}`,
          company: `Company ${(i + j) % 7}`,
        },
        associations: [],
      }));
      const res = await hubspot.crm.contacts.batchApi.create({ inputs });
      ids.push(...res.results.map((r) => r.id));
    }
    return ids;
  }

  type Lead = { Id: string; Email: string; FirstName: string | null; LastName: string; Company: string };
  const allLeads = async (): Promise<Lead[]> =>
    (
      await salesforce
        .query<Lead>('SELECT Id, Email, FirstName, LastName, Company FROM Lead')
        .autoFetch(true)
        .maxFetch(100_000)
        .execute()
    ).records;
  const collectionCalls = async () => {
    const stats = (await (await fetch(`${salesforceSandbox.url}/__sandbox/stats`)).json()) as {
      requests: Record<string, number>;
    };
    return Object.entries(stats.requests)
      .filter(([route]) => route.includes('/composite/sobjects'))
      .reduce((sum, [, n]) => sum + n, 0);
  };

  it('creates a Lead per contact, matches an existing Lead by email instead of duplicating it, and records what it cannot sync', async () => {
    // A Lead that already exists in Salesforce under the same email, in other letter case.
    const existing = await salesforce
      .sobject('Lead')
      .create({ Email: 'Match0@SYNC.example', LastName: 'Old', Company: 'Old Co' });
    await createContacts(450, 'match');
    const noEmail = await hubspot.crm.contacts.basicApi.create({
      properties: { firstname: 'No', lastname: 'Email' },
      associations: [],
    });

    const callsBefore = await collectionCalls();
    const result = await runSync();
    expect(result.to_salesforce).toMatchObject({ read: 451, created: 449, updated: 1, rejected: 1 });
    // Leads written after the run's window opened wait for the next run.
    expect(result.to_hubspot).toMatchObject({ read: 0 });

    const leads = await allLeads();
    expect(leads).toHaveLength(450);
    expect(new Set(leads.map((l) => l.Email.toLowerCase())).size).toBe(450);
    const matched = leads.find((l) => 'id' in existing && l.Id === existing.id);
    // Matched on first sight, both sides hold values: the newer HubSpot record wins last_write_wins
    // fields, Salesforce keeps Company (salesforce_wins) and it flows back to HubSpot.
    expect(matched).toMatchObject({
      Email: 'match0@sync.example',
      FirstName: 'First0',
      LastName: 'Last0',
      Company: 'Old Co',
    });
    expect(result.to_salesforce.conflicts).toBeGreaterThanOrEqual(2);
    const match0 = await hubspot.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: 'match0@sync.example' }],
      properties: ['company'],
      propertiesWithHistory: [],
    });
    expect(match0.results[0]?.properties.company).toBe('Old Co');
    expect(leads.find((l) => l.Email === 'match123@sync.example')).toMatchObject({
      FirstName: 'First123',
      LastName: 'Last123',
      Company: 'Company 4',
    });
    // Full batches: 449 creates in 3 collection calls, 1 update in 1.
    expect((await collectionCalls()) - callsBefore).toBe(4);

    const errors = await store.syncErrors.list({ mapping: 'contact', status: 'open' });
    expect(errors).toEqual([
      expect.objectContaining({ sourceId: noEmail.id, errorCode: 'MISSING_MATCH_KEY', direction: 'to_salesforce' }),
    ]);
    expect(errors[0]?.reason).toContain('has no email');
  });

  it('writes nothing when nothing changed, and only the changed fields after an edit', async () => {
    // The Leads and the write-back of the last run come back as changes: echoes, not writes.
    const echoes = await runSync();
    expect(echoes.to_hubspot).toMatchObject({ read: 450, created: 0, updated: 0, rejected: 0 });
    expect(echoes.to_salesforce).toMatchObject({ read: 1, created: 0, updated: 0, rejected: 0 });
    const quiet = await runSync();
    expect(quiet.to_salesforce).toMatchObject({ read: 0, created: 0, updated: 0 });
    expect(quiet.to_hubspot).toMatchObject({ read: 0, created: 0, updated: 0 });

    const [id] = await createContacts(1, 'edit');
    await runSync();
    await hubspot.crm.contacts.basicApi.update(id as string, { properties: { company: 'Renamed Inc' } });
    const edited = await runSync();
    expect(edited.to_salesforce).toMatchObject({ read: 1, created: 0, updated: 1 });
    expect(edited.to_hubspot).toMatchObject({ created: 0, updated: 0 });
    const lead = (await allLeads()).find((l) => l.Email === 'edit0@sync.example');
    expect(lead).toMatchObject({ Company: 'Renamed Inc', FirstName: 'First0' });
  });

  it('carries Salesforce edits to HubSpot, creates contacts for new Leads, settles conflicts by the rules, then goes quiet', async () => {
    const [id] = await createContacts(1, 'twoway');
    await runSync();
    const [lead] = (await allLeads()).filter((l) => l.Email === 'twoway0@sync.example');
    expect(lead).toBeDefined();
    const leadId = (lead as Lead).Id;

    // A Salesforce edit flows to HubSpot.
    await salesforce.sobject('Lead').update({ Id: leadId, Title: 'VP Sales' });
    let r = await runSync();
    expect(r.to_hubspot).toMatchObject({ read: 1, updated: 1 });
    expect((await hubspot.crm.contacts.basicApi.getById(id as string, ['jobtitle'])).properties.jobtitle).toBe(
      'VP Sales',
    );

    // A new Lead becomes a HubSpot contact, linked so neither side duplicates it later.
    await salesforce
      .sobject('Lead')
      .create({ Email: 'from.sales@sync.example', FirstName: 'From', LastName: 'Sales', Company: 'SF Only' });
    r = await runSync();
    expect(r.to_hubspot).toMatchObject({ created: 1 });
    const made = await hubspot.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: 'from.sales@sync.example' }],
      properties: ['firstname', 'lastname', 'company'],
      propertiesWithHistory: [],
    });
    expect(made.results[0]?.properties).toMatchObject({ firstname: 'From', lastname: 'Sales', company: 'SF Only' });

    // Both sides edit the same fields: company is salesforce_wins, jobtitle hubspot_wins.
    await hubspot.crm.contacts.basicApi.update(id as string, {
      properties: { company: 'HS Company', jobtitle: 'HS Title' },
    });
    await salesforce.sobject('Lead').update({ Id: leadId, Company: 'SF Company', Title: 'SF Title' });
    r = await runSync();
    expect(r.to_salesforce.conflicts + r.to_hubspot.conflicts).toBeGreaterThanOrEqual(2);
    const hs = (await hubspot.crm.contacts.basicApi.getById(id as string, ['company', 'jobtitle'])).properties;
    const sf = (await allLeads()).find((l) => l.Id === leadId);
    expect({ company: hs.company, jobtitle: hs.jobtitle }).toEqual({ company: 'SF Company', jobtitle: 'HS Title' });
    expect(sf).toMatchObject({ Company: 'SF Company' });
    expect((await salesforce.sobject('Lead').retrieve(leadId)).Title).toBe('HS Title');

    // Converged: the next cycles write nothing in either direction.
    await runSync();
    const quiet = await runSync();
    expect([
      quiet.to_salesforce.created + quiet.to_salesforce.updated,
      quiet.to_hubspot.created + quiet.to_hubspot.updated,
    ]).toEqual([0, 0]);
  });

  it('previews a cycle with --dry-run (per field, nothing written), then runs it once without Temporal', async () => {
    await runSync();
    await createContacts(2, 'preview');
    const mapping = createMappingProvider(MAPPINGS_DIR).get('contact');
    const outcomes: RecordOutcome[] = [];
    const dry = await syncOnce({ hubspot, salesforce, store }, mapping, {
      dryRun: true,
      searchLagMs: 0,
      onRecord: (o) => outcomes.push(o),
    });
    expect(dry.to_salesforce).toMatchObject({ read: 2, created: 2, updated: 0 });
    expect(outcomes.filter((o) => o.action === 'create').map((o) => o.fields)).toEqual([
      { Email: 'preview0@sync.example', FirstName: 'First0', LastName: 'Last0', Company: 'Company 0' },
      { Email: 'preview1@sync.example', FirstName: 'First1', LastName: 'Last1', Company: 'Company 1' },
    ]);
    expect((await allLeads()).filter((l) => l.Email.startsWith('preview'))).toEqual([]);

    const real = await syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0 });
    expect(real.to_salesforce).toMatchObject({ read: 2, created: 2 });
    expect((await allLeads()).filter((l) => l.Email.startsWith('preview'))).toHaveLength(2);
    const again = await syncOnce({ hubspot, salesforce, store }, mapping, { searchLagMs: 0 });
    expect(
      again.to_salesforce.created + again.to_salesforce.updated + again.to_hubspot.created + again.to_hubspot.updated,
    ).toBe(0);
  });

  it('gives the blank required Salesforce fields the mapping’s default', async () => {
    await hubspot.crm.contacts.basicApi.create({ properties: { email: 'bare@sync.example' }, associations: [] });
    await runSync();
    expect((await allLeads()).find((l) => l.Email === 'bare@sync.example')).toMatchObject({
      LastName: '[not provided]',
      Company: '[not provided]',
    });
  });
});
