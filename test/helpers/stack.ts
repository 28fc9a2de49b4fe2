import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection } from 'jsforce';
import { createHubSpotClient } from '../../src/crm/hubspot/client';
import { createSalesforceConnection } from '../../src/crm/salesforce/client';
import { startHubSpotSandbox, type HubSpotSandboxOptions } from '@baton/crm-sandbox';
import { startSalesforceSandbox, type SalesforceSandboxOptions } from '@baton/crm-sandbox';
import { openStore, type Store } from '../../src/store';
import { createLocalEnv, createTimeSkippingEnv } from './temporal';

export const POSTGRES_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface CrmStackOptions {
  hubspot?: HubSpotSandboxOptions;
  salesforce?: SalesforceSandboxOptions;
  /** The store's database; PostgreSQL gets a schema of its own, dropped on close. */
  store?: 'sqlite' | 'postgres';
}

export interface StackOptions extends CrmStackOptions {
  /** `local`: a real dev server; `time-skipping`: the test server whose timers skip. */
  temporal: 'local' | 'time-skipping';
}

/**
 * What the sync tests run on: both sandboxes reached through the official clients, a
 * store and a temporary folder. `close` takes it all down.
 */
export interface CrmStack {
  hubspotSandbox: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  salesforceSandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  hubspot: HubSpotClient;
  salesforce: Connection;
  store: Store;
  /** A temporary folder that `close` removes. */
  tmp: string;
  close(): Promise<void>;
}

/** A CrmStack with Temporal, for the workflow and worker tests. */
export interface TestStack extends CrmStack {
  env: TestWorkflowEnvironment;
}

export async function startCrmStack(options: CrmStackOptions = {}): Promise<CrmStack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-stack-'));
  const schema = `baton_test_${process.pid}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const opened: Partial<CrmStack> = { tmp };
  const close = async () => {
    if (options.store === 'postgres') await opened.store?.schema.dropSchema(schema);
    await opened.store?.close();
    await opened.hubspotSandbox?.close();
    await opened.salesforceSandbox?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    opened.hubspotSandbox = await startHubSpotSandbox({ preset: 'empty', ...options.hubspot });
    opened.salesforceSandbox = await startSalesforceSandbox({ preset: 'empty', ...options.salesforce });
    opened.hubspot = createHubSpotClient({
      basePath: opened.hubspotSandbox.url,
      accessToken: opened.hubspotSandbox.accessToken,
      retries: 0,
    });
    opened.salesforce = createSalesforceConnection({
      instanceUrl: opened.salesforceSandbox.url,
      accessToken: opened.salesforceSandbox.accessToken,
      version: '62.0',
    });
    opened.store =
      options.store === 'postgres'
        ? await openStore(POSTGRES_URL, { schema })
        : await openStore(`sqlite://${path.join(tmp, 'baton.db')}`);
  } catch (err) {
    // Whatever did start must not outlive a failed setup.
    await close().catch(() => undefined);
    throw err;
  }
  return { ...(opened as Omit<CrmStack, 'close'>), close };
}

export async function startTestStack(options: StackOptions): Promise<TestStack> {
  const env = options.temporal === 'local' ? await createLocalEnv() : await createTimeSkippingEnv();
  try {
    const crm = await startCrmStack(options);
    return {
      ...crm,
      env,
      close: async () => {
        await crm.close();
        await env.teardown();
      },
    };
  } catch (err) {
    await env.teardown().catch(() => undefined);
    throw err;
  }
}
