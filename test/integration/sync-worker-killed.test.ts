import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHubSpotClient } from '../../src/crm/hubspot/client';
import { createSalesforceConnection } from '../../src/crm/salesforce/client';
import { startHubSpotSandbox } from '@baton/crm-sandbox';
import { startSalesforceSandbox } from '@baton/crm-sandbox';
import { createLocalEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/processes';

/**
 * `baton worker` (the compiled CLI, built by `npm test`) is killed with SIGKILL in the
 * middle of a 5,000-record sync and started again: nothing is lost, nothing duplicated.
 */
const ROOT = path.join(__dirname, '..', '..');

describe('a worker killed mid-sync', () => {
  let env: TestWorkflowEnvironment;
  let hubspotSandbox: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  let salesforceSandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  let tmp: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-kill-'));
    fs.mkdirSync(path.join(tmp, 'mappings'));
    fs.copyFileSync(
      path.join(ROOT, 'test', 'fixtures', 'mappings', 'two-way', 'contact.yaml'),
      path.join(tmp, 'mappings', 'contact.yaml'),
    );
    env = await createLocalEnv();
    hubspotSandbox = await startHubSpotSandbox({ preset: 'empty' });
    salesforceSandbox = await startSalesforceSandbox({ preset: 'empty' });
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await hubspotSandbox?.close();
    await salesforceSandbox?.close();
    await env?.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'baton.js'), 'worker'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.connection.options.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        BATON_TASK_QUEUE: 'killed-worker',
        BATON_DATABASE_URL: `sqlite://${path.join(tmp, 'baton.db')}`,
        BATON_MAPPINGS_DIR: path.join(tmp, 'mappings'),
        BATON_SYNC_INTERVAL_SECONDS: '1',
        BATON_LOG_LEVEL: 'warn',
        HUBSPOT_BASE_PATH: hubspotSandbox.url,
        HUBSPOT_ACCESS_TOKEN: hubspotSandbox.accessToken,
        SALESFORCE_INSTANCE_URL: salesforceSandbox.url,
        SALESFORCE_ACCESS_TOKEN: salesforceSandbox.accessToken,
      },
    });
    children.push(child);
    return child;
  }

  it('loses and duplicates nothing when the worker is SIGKILLed and restarted', async () => {
    const hubspot = createHubSpotClient({
      basePath: hubspotSandbox.url,
      accessToken: hubspotSandbox.accessToken,
      retries: 0,
    });
    const salesforce = createSalesforceConnection({
      instanceUrl: salesforceSandbox.url,
      accessToken: salesforceSandbox.accessToken,
      version: '62.0',
    });
    for (let i = 0; i < 5000; i += 100) {
      await hubspot.crm.contacts.batchApi.create({
        inputs: Array.from({ length: 100 }, (_, j) => ({
          properties: { email: `k${i + j}@killed.example`, firstname: 'K', lastname: `L${i + j}`, company: 'Kill Co' },
          associations: [],
        })),
      });
    }
    // Past the default search-lag margin, so the first cycle sees every contact.
    await new Promise((r) => setTimeout(r, 5500));
    const leadCount = async () => (await salesforce.query('SELECT COUNT() FROM Lead')).totalSize;

    const first = startWorker();
    await waitFor('the sync to be under way', async () => ((await leadCount()) >= 600 ? true : undefined), 90_000, 20);
    first.kill('SIGKILL');
    const atKill = await leadCount();
    expect(atKill).toBeLessThan(5000);

    startWorker();
    await waitFor(
      'every contact as a Lead',
      async () => ((await leadCount()) >= 5000 ? true : undefined),
      120_000,
      250,
    );
    // A few more cycles: nothing may be created twice afterwards.
    await new Promise((r) => setTimeout(r, 4000));
    const emails = (
      await salesforce.query<{ Email: string }>('SELECT Email FROM Lead').autoFetch(true).maxFetch(100_000).execute()
    ).records.map((r) => r.Email);
    expect(emails).toHaveLength(5000);
    expect(new Set(emails).size).toBe(5000);
  }, 240_000);
});
