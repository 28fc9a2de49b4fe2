import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as HubSpot } from '@hubspot/api-client';
import { Client as TemporalClient, Connection as TemporalConnection } from '@temporalio/client';
import { Connection } from 'jsforce';
import { freePort } from '../../src/dev/ports';
import type { DevInfo } from '../../src/dev/dev-stack';
import {
  baton as batonCli,
  cleanUpDev,
  devEnv,
  readDevInfo as readDevInfoIn,
  startDev,
  stopWithSigint,
  type DevRun as Run,
} from '../helpers/dev-process';
import { portAcceptsConnections, processesMentioning, waitFor } from '../helpers/processes';

const baton = (args: string[]): string => batonCli(args, currentEnv);
let currentEnv: NodeJS.ProcessEnv = {};

describe('baton dev (end to end)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-'));
  let env: NodeJS.ProcessEnv;
  let run: Run | undefined;

  beforeAll(async () => {
    env = await devEnv(home);
    currentEnv = env;
  });

  afterAll(() => cleanUpDev(run, home));

  const readDevInfo = (r: Run): Promise<DevInfo> => readDevInfoIn(r, home);

  it('syncs a HubSpot contact to a Salesforce Lead, stops cleanly on SIGINT and resumes from its state', async () => {
    run = startDev(env);
    const info = await readDevInfo(run);
    expect(info.temporal.uiUrl).toBe(`http://127.0.0.1:${env.BATON_DEV_TEMPORAL_UI_PORT}`);
    expect(info.temporal.address).toBe(`127.0.0.1:${env.BATON_DEV_TEMPORAL_PORT}`);

    const hubspot = new HubSpot({
      basePath: info.hubspot.basePath,
      accessToken: info.hubspot.accessToken,
      numberOfApiCallRetries: 0,
    });
    const salesforce = new Connection({
      instanceUrl: info.salesforce.instanceUrl,
      accessToken: info.salesforce.accessToken,
      version: info.salesforce.version,
    });
    const email = `e2e.${Date.now()}@walking-skeleton.example`;
    const created = await hubspot.crm.contacts.basicApi.create({
      properties: { email, firstname: 'Walk', lastname: 'Skeleton', company: 'Baton E2E' },
      associations: [],
    });

    type Lead = { Id: string; Email: string; FirstName: string; LastName: string; Company: string };
    const findLeads = async () =>
      (
        await salesforce.query<Lead>(
          `SELECT Id, Email, FirstName, LastName, Company FROM Lead WHERE Email = '${email}'`,
        )
      ).records;
    const leads = await waitFor(
      'the Lead in Salesforce',
      async () => {
        const found = await findLeads();
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    expect(leads).toEqual([
      expect.objectContaining({ Email: email, FirstName: 'Walk', LastName: 'Skeleton', Company: 'Baton E2E' }),
    ]);

    // The demo seed has the sales reps on both sides with the same emails.
    const owners = await hubspot.crm.owners.ownersApi.getPage(undefined, undefined, 100);
    const users = (await salesforce.query<{ Email: string }>('SELECT Email FROM User WHERE IsActive = true')).records;
    const repEmails = owners.results.map((o) => o.email);
    expect(repEmails.length).toBeGreaterThanOrEqual(8);
    expect(users.map((u) => u.Email)).toEqual(expect.arrayContaining(repEmails));

    // The simulation raises scores; the sandbox's signed webhooks start handovers. An admin steers one.
    const admin = await TemporalConnection.connect({ address: info.temporal.address });
    try {
      const client = new TemporalClient({ connection: admin, namespace: info.temporal.namespace });
      const waiting = await waitFor(
        'a handover waiting for its first touch',
        async () => {
          for await (const wf of client.workflow.list({
            query: "WorkflowType = 'leadHandover' AND BatonStage = 'awaiting_first_touch'",
          }))
            return wf.workflowId;
          return undefined;
        },
        60_000,
      );
      const hubspotId = waiting.replace('handover:', '');
      const shown = JSON.parse(baton(['lead', 'show', hubspotId, '--dev'])) as { stage: string; ownerId?: string };
      expect(shown.stage).toBe('awaiting_first_touch');
      expect(shown.ownerId).toMatch(/^005/);
      const rejected = JSON.parse(baton(['lead', 'reject', hubspotId, '--reason', 'No budget this year', '--dev'])) as {
        outcome?: string;
        reason?: string;
      };
      expect(rejected).toMatchObject({ outcome: 'rejected', reason: 'No budget this year' });
      const props = await waitFor(
        'the reason on the HubSpot contact',
        async () => {
          const c = await hubspot.crm.contacts.basicApi.getById(hubspotId, ['baton_handover_reason']);
          return c.properties.baton_handover_reason ? c.properties : undefined;
        },
        30_000,
      );
      expect(props.baton_handover_reason).toContain('No budget this year');
      expect(() => baton(['lead', 'reject', hubspotId, '--dev'])).toThrow(/--reason/);
    } finally {
      await admin.close();
    }

    await stopWithSigint(run);
    expect(processesMentioning(home)).toEqual([]);
    for (const port of [
      'BATON_DEV_TEMPORAL_PORT',
      'BATON_DEV_TEMPORAL_UI_PORT',
      'BATON_DEV_HUBSPOT_PORT',
      'BATON_DEV_SALESFORCE_PORT',
      'BATON_SERVER_PORT',
    ]) {
      expect({ port, open: await portAcceptsConnections(Number(env[port])) }).toEqual({ port, open: false });
    }

    // Second start: sandbox data, store, workflows and schedules come back from BATON_HOME.
    run = startDev(env);
    const again = await readDevInfo(run);
    const hubspot2 = new HubSpot({
      basePath: again.hubspot.basePath,
      accessToken: again.hubspot.accessToken,
      numberOfApiCallRetries: 0,
    });
    const salesforce2 = new Connection({
      instanceUrl: again.salesforce.instanceUrl,
      accessToken: again.salesforce.accessToken,
      version: again.salesforce.version,
    });
    expect((await hubspot2.crm.contacts.basicApi.getById(created.id, ['email'])).properties.email).toBe(email);
    // On an existing database the server ignores --search-attribute: Baton registered them itself.
    const temporal = await TemporalConnection.connect({ address: again.temporal.address });
    try {
      const attributes = await temporal.operatorService.listSearchAttributes({ namespace: again.temporal.namespace });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(
        expect.arrayContaining(['BatonStage', 'BatonOwner', 'BatonSlaDueAt', 'BatonOutcome']),
      );
      const schedule = await new TemporalClient({ connection: temporal, namespace: again.temporal.namespace }).schedule
        .getHandle('delta-sync:contact')
        .describe();
      expect(schedule.action).toMatchObject({ workflowType: 'deltaSync', taskQueue: again.taskQueue });
    } finally {
      await temporal.close();
    }
    await hubspot2.crm.contacts.basicApi.update(created.id, { properties: { company: 'Baton E2E Renamed' } });
    const renamed = await waitFor(
      'the Lead update',
      async () => {
        const found = (await salesforce2.query<Lead>(`SELECT Id, Company FROM Lead WHERE Email = '${email}'`)).records;
        return found[0]?.Company === 'Baton E2E Renamed' ? found : undefined;
      },
      30_000,
    );
    // Updated in place: still one Lead, the same one.
    expect(renamed.map((l) => l.Id)).toEqual(leads.map((l) => l.Id));
    await stopWithSigint(run);
    expect(processesMentioning(home)).toEqual([]);
  }, 300_000);

  it('refuses a busy port with an error naming the setting', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = startDev({ ...env, BATON_DEV_HUBSPOT_PORT: String(port) });
      const code = await r.exited;
      expect(code).toBe(1);
      expect(r.output()).toContain(`Port ${port} is already in use (setting BATON_DEV_HUBSPOT_PORT)`);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
