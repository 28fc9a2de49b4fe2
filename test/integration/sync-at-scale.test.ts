import fs from 'node:fs';
import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection } from 'jsforce';
import type { Store } from '../../src/store';
import { createMappingProvider } from '../../src/config/mapping-provider';
import { retryOpenErrors } from '../../src/sync/once';
import { createBatonWorker } from '../../src/worker';
import { deltaSync } from '../../workflows';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The sync under the conditions that broke other integrations: more than 10,000 records
 * sharing one lastmodifieddate, an unreliable network with partial batch failures and
 * search-index lag, and a mapping edited between cycles.
 */
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'mappings', 'two-way', 'contact.yaml');

describe('delta sync at scale and under faults', () => {
  const clock = Date.now() - 3_600_000;
  let frozen = true;
  let stack: TestStack;
  let env: TestWorkflowEnvironment;
  let hubspotSandbox: TestStack['hubspotSandbox'];
  let salesforceSandbox: TestStack['salesforceSandbox'];
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  let mappingsDir: string;

  beforeAll(async () => {
    // HubSpot's clock can be frozen, so that a bulk import shares one lastmodifieddate.
    stack = await startTestStack({ temporal: 'local', hubspot: { now: () => (frozen ? clock : Date.now()) } });
    ({ env, hubspotSandbox, salesforceSandbox, hubspot, salesforce, store } = stack);
    mappingsDir = path.join(stack.tmp, 'mappings');
    fs.mkdirSync(mappingsDir);
    fs.copyFileSync(FIXTURE, path.join(mappingsDir, 'contact.yaml'));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function runSync(searchLagMs = 0) {
    const worker = await createBatonWorker({
      temporal: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: uniqueId('scale'),
      hubspot,
      salesforce,
      store,
      mappingsDir,
      workflowBundle: await workflowBundle(),
    });
    return worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: uniqueId('delta-sync'),
        taskQueue: worker.options.taskQueue,
        args: [{ mapping: 'contact', searchLagMs }],
      }),
    );
  }

  async function createContacts(n: number, prefix: string, extra: Record<string, string> = {}) {
    for (let i = 0; i < n; i += 100) {
      const inputs = Array.from({ length: Math.min(100, n - i) }, (_, j) => ({
        properties: {
          email: `${prefix}${i + j}@scale.example`,
          firstname: `F${i + j}`,
          lastname: `L${i + j}`,
          company: 'Scale Co',
          ...extra,
        },
        associations: [],
      }));
      await hubspot.crm.contacts.batchApi.create({ inputs });
    }
  }

  const leadEmails = async (prefix: string): Promise<string[]> =>
    (
      await salesforce
        .query<{ Email: string }>(`SELECT Email FROM Lead WHERE Email LIKE '${prefix}%'`)
        .autoFetch(true)
        .maxFetch(1_000_000)
        .execute()
    ).records.map((r) => r.Email);

  const stats = async (url: string) =>
    ((await (await fetch(`${url}/__sandbox/stats`)).json()) as { requests: Record<string, number> }).requests;

  it('syncs 10,001 contacts sharing one lastmodifieddate exactly once', async () => {
    await createContacts(10_001, 'same');
    frozen = false;
    const before = await stats(hubspotSandbox.url);
    const result = await runSync();
    expect(result.to_salesforce).toMatchObject({ read: 10_001, created: 10_001, rejected: 0 });
    const emails = await leadEmails('same');
    expect(emails).toHaveLength(10_001);
    expect(new Set(emails).size).toBe(10_001);
    // Searching by id within the timestamp never pages past HubSpot's 10,000 cap.
    const after = await stats(hubspotSandbox.url);
    const searches =
      (after['POST /crm/v3/objects/contacts/search'] ?? 0) - (before['POST /crm/v3/objects/contacts/search'] ?? 0);
    expect(searches).toBeLessThanOrEqual(Math.ceil(10_001 / 200) + 3);
  }, 240_000);

  it('ends consistent under the flaky profile with partial batch failures, every rejection recorded, and a retry fixes them', async () => {
    await createContacts(600, 'flaky');
    const flaky = { profile: 'flaky', seed: 11, searchLagMs: 1500, recordFailures: [{ route: '*', rate: 0.1 }] };
    for (const url of [hubspotSandbox.url, salesforceSandbox.url]) {
      const res = await fetch(`${url}/__sandbox/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(url === salesforceSandbox.url ? { ...flaky, searchLagMs: undefined } : flaky),
      });
      expect(res.status).toBe(200);
    }
    try {
      // The window stops short of the search lag, so nothing search does not show yet is passed.
      await new Promise((r) => setTimeout(r, 1600));
      await runSync(1500);
    } finally {
      for (const url of [hubspotSandbox.url, salesforceSandbox.url]) {
        await fetch(`${url}/__sandbox/config`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ profile: 'ideal' }),
        });
      }
    }
    const open = await store.syncErrors.list({ mapping: 'contact', status: 'open' });
    const synced = await leadEmails('flaky');
    // Nothing lost: every contact is in Salesforce or recorded as rejected, never both, never twice.
    expect(new Set(synced).size).toBe(synced.length);
    const rejected = open.filter((e) => e.direction === 'to_salesforce');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((e) => e.errorCode !== null && e.reason.length > 0)).toBe(true);
    expect(synced.length + rejected.length).toBe(600);

    const mapping = createMappingProvider(mappingsDir).get('contact');
    await retryOpenErrors({ hubspot, salesforce, store }, mapping);
    expect(await leadEmails('flaky')).toHaveLength(600);
    expect(await store.syncErrors.list({ mapping: 'contact', status: 'open' })).toEqual([]);
  }, 240_000);

  it('takes an edited mapping file into account on the next cycle', async () => {
    await runSync();
    const file = path.join(mappingsDir, 'contact.yaml');
    // RevOps stop syncing job titles.
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      text.replace(
        / {2}- hubspot: jobtitle\n {4}salesforce: Title\n {4}direction: both\n {4}conflict: hubspot_wins\n/,
        '',
      ),
    );
    await createContacts(1, 'edited', { jobtitle: 'Head of Ops' });
    await runSync();
    const [lead] = (
      await salesforce.query<{ Title: string | null }>("SELECT Title FROM Lead WHERE Email = 'edited0@scale.example'")
    ).records;
    expect(lead).toEqual(expect.objectContaining({ Title: null }));

    fs.writeFileSync(file, text);
    await createContacts(1, 'restored', { jobtitle: 'Head of Sales' });
    await runSync();
    const [restored] = (
      await salesforce.query<{ Title: string | null }>("SELECT Title FROM Lead WHERE Email = 'restored0@scale.example'")
    ).records;
    expect(restored).toEqual(expect.objectContaining({ Title: 'Head of Sales' }));
  }, 120_000);
});
