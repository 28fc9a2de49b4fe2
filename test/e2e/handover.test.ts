import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as HubSpot } from '@hubspot/api-client';
import { Client as TemporalClient, Connection as TemporalConnection, WorkflowNotFoundError } from '@temporalio/client';
import { Connection } from 'jsforce';
import { z } from 'zod';
import { loadHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import type { DevInfo } from '../../src/dev/dev-stack';
import { qualifies } from '../../src/handover/qualify';
import { chooseTeam } from '../../src/handover/routing';
import { handoverStateQuery, handoverWorkflowId, type HandoverState } from '../../workflows/lead-handover/api';
import { baton, cleanUpDev, devEnv, readDevInfo, startDev, stopWithSigint, type DevRun } from '../helpers/dev-process';
import { processesMentioning, waitFor } from '../helpers/processes';

/**
 * Issue 5 on `baton dev` as a user runs it: a contact's score raised through the official
 * HubSpot client reaches the server as a signed webhook and hands the lead to sales. The
 * Lead gets the rep the routing rules name and the dossier, marketing stops, a Task logged
 * through jsforce ends the SLA timer, and a rejection with a reason comes back to HubSpot.
 * The simulation is off so that nothing but this test touches the lead.
 */
const POLICY_FILE = path.join(__dirname, '..', '..', 'mappings', 'handover.yaml');

const listsSchema = z.object({
  results: z.array(z.object({ listId: z.union([z.string(), z.number()]).transform(String) })),
});
const enrollmentsSchema = z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }));
const listByNameSchema = z.object({ list: z.object({ listId: z.string() }) });
const deliveriesSchema = z.object({
  results: z.array(
    z.object({
      startedAt: z.string(),
      status: z.string(),
      responseStatus: z.number().optional(),
      eventIds: z.array(z.number()),
    }),
  ),
});
const leadSchema = z.object({ Id: z.string(), OwnerId: z.string(), Status: z.string() });
const taskSchema = z.object({ Id: z.string(), Subject: z.string(), Description: z.string().nullable() });

describe('the lead handover on baton dev (end to end)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-handover-'));
  let env: NodeJS.ProcessEnv;
  let run: DevRun | undefined;
  let info: DevInfo;
  let hubspot: HubSpot;
  let salesforce: Connection;
  let temporal: TemporalConnection;
  let client: TemporalClient;
  let policy: HandoverPolicy;

  beforeAll(async () => {
    policy = loadHandoverPolicy(POLICY_FILE);
    // A first touch is looked for every second instead of every 15 minutes.
    env = await devEnv(home, {
      BATON_DEV_SIMULATE: 'false',
      BATON_FIRST_TOUCH_POLL_SECONDS: '1',
      BATON_SYNC_INTERVAL_SECONDS: '1',
    });
    run = startDev(env);
    info = await readDevInfo(run, home);
    hubspot = new HubSpot({
      basePath: info.hubspot.basePath,
      accessToken: info.hubspot.accessToken,
      numberOfApiCallRetries: 0,
    });
    salesforce = new Connection({
      instanceUrl: info.salesforce.instanceUrl,
      accessToken: info.salesforce.accessToken,
      version: info.salesforce.version,
    });
    temporal = await TemporalConnection.connect({ address: info.temporal.address });
    client = new TemporalClient({ connection: temporal, namespace: info.temporal.namespace });
  }, 150_000);

  afterAll(async () => {
    await temporal?.close();
    if (run && run.child.exitCode === null) await stopWithSigint(run);
    expect(processesMentioning(home)).toEqual([]);
    cleanUpDev(run, home);
  }, 30_000);

  /** A HubSpot API call the generated client has no method for; `apiRequest` never throws, so the status is checked. */
  async function hubspotJson(method: string, urlPath: string, body?: unknown): Promise<unknown> {
    const res = await hubspot.apiRequest({ method, path: urlPath, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${urlPath} answered ${res.status}: ${text}`);
    return text === '' ? null : JSON.parse(text);
  }
  const listsOf = async (id: string) =>
    listsSchema
      .parse(await hubspotJson('GET', `/crm/v3/lists/records/0-1/${id}/memberships`))
      .results.map((r) => r.listId);
  const workflowsOf = async (id: string) =>
    enrollmentsSchema
      .parse(await hubspotJson('GET', `/automation/v2/workflows/enrollments/contacts/${id}`))
      .map((w) => w.id);
  const leadsWithEmail = async (email: string) =>
    (await salesforce.query(`SELECT Id, OwnerId, Status FROM Lead WHERE Email = '${email}'`)).records.map((r) =>
      leadSchema.parse(r),
    );
  const stateOf = (hubspotId: string): Promise<HandoverState> =>
    client.workflow.getHandle(handoverWorkflowId(hubspotId)).query(handoverStateQuery);
  async function handoverExists(hubspotId: string): Promise<boolean> {
    try {
      await client.workflow.getHandle(handoverWorkflowId(hubspotId)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  it('hands a lead whose score was raised through the API to the rep the rules name, and carries the verdict back', async () => {
    const scoreProperty = policy.qualification.score.property;
    const threshold = policy.qualification.score.at_least;
    const email = `quinn.handover.${Date.now()}@handover-e2e.example`;
    // A large US company in retail: the rule for North American enterprises names one team.
    const properties = {
      email,
      firstname: 'Quinn',
      lastname: 'Handover',
      company: 'Handover E2E Inc',
      jobtitle: 'Director of IT',
      country: 'United States',
      industry: 'Retail',
      numemployees: '1000+',
      lifecyclestage: 'lead',
      [scoreProperty]: String(threshold - 35),
    };
    expect(qualifies(policy, properties).qualified).toBe(false);
    expect(qualifies(policy, { ...properties, [scoreProperty]: String(threshold + 15) }).qualified).toBe(true);
    const choice = chooseTeam(policy, properties);
    const reps = choice.team === null ? [] : (policy.routing.teams[choice.team]?.reps ?? []);
    expect({ rule: choice.rule?.name, reps: reps.length }).toEqual({ rule: 'NA enterprise', reps: 1 });
    const repEmail = reps[0]!.email;
    const rep = z
      .object({ Id: z.string() })
      .parse(
        (await salesforce.query(`SELECT Id FROM User WHERE Email = '${repEmail}' AND IsActive = true`)).records[0],
      );

    // Through the official client, as a form or an import would create it.
    const contact = await hubspot.crm.contacts.basicApi.create({ properties, associations: [] });
    const id = contact.id;

    // Marketing runs at it: two campaign lists, the kept newsletter, two workflows.
    const listIdOf = async (name: string) =>
      listByNameSchema.parse(
        await hubspotJson('GET', `/crm/v3/lists/object-type-id/0-1/name/${encodeURIComponent(name)}`),
      ).list.listId;
    const newsletter = await listIdOf('Newsletter');
    const campaigns = [await listIdOf('Webinar: Q4 Launch'), await listIdOf('Event: Field Summit')];
    for (const listId of [newsletter, ...campaigns])
      await hubspotJson('PUT', `/crm/v3/lists/${listId}/memberships/add`, [id]);
    const workflows = ['5100001', '5100002'];
    for (const wf of workflows)
      await hubspotJson('POST', `/automation/v2/workflows/${wf}/enrollments/contacts/${encodeURIComponent(email)}`);
    expect((await listsOf(id)).sort()).toEqual([newsletter, ...campaigns].sort());
    expect((await workflowsOf(id)).sort()).toEqual(workflows);

    // The delta sync brings the contact to Salesforce as a Lead, owned by the integration
    // user and no rep yet; the creation's webhooks, below the threshold, started no handover.
    const [synced] = await waitFor(
      'the synced Lead',
      async () => {
        const found = await leadsWithEmail(email);
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    expect(synced!.OwnerId).not.toBe(rep.Id);
    expect(await handoverExists(id)).toBe(false);

    // A webhook with a wrong signature is refused and starts nothing.
    const forged = JSON.stringify([
      {
        eventId: 1,
        subscriptionId: 1,
        portalId: 1,
        occurredAt: Date.now(),
        subscriptionType: 'contact.propertyChange',
        attemptNumber: 0,
        objectId: Number(id),
        propertyName: scoreProperty,
        propertyValue: '99',
      },
    ]);
    const refused = await fetch(info.server.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': Buffer.from('not the signature').toString('base64'),
        'x-hubspot-request-timestamp': String(Date.now()),
      },
      body: forged,
    });
    expect(refused.status).toBe(401);
    expect(await handoverExists(id)).toBe(false);

    // The score rises through the API; the sandbox signs a webhook to Baton's server.
    const raisedAt = Date.now();
    await hubspot.crm.contacts.basicApi.update(id, { properties: { [scoreProperty]: String(threshold + 15) } });
    let state = await waitFor(
      'the handover waiting for its first touch',
      async () => {
        if (!(await handoverExists(id))) return undefined;
        const s = await stateOf(id);
        if (s.stage === 'not_qualified') throw new Error(`the lead did not qualify:\n${run?.output() ?? ''}`);
        return s.stage === 'awaiting_first_touch' ? s : undefined;
      },
      30_000,
    );
    expect(state).toMatchObject({
      trigger: 'webhook',
      ownerId: rep.Id,
      ownerEmail: repEmail,
      leadId: synced!.Id,
      contactedAt: null,
    });
    // This run, by id: once it ends, a later score event may start another for the same lead.
    const { runId } = await client.workflow.getHandle(handoverWorkflowId(id)).describe();
    expect(state.slaDueAt).toBeGreaterThan(Date.now() + policy.sla.first_touch_within.ms - 60_000);

    // Signed and accepted: every delivery since the raise went through with a 200.
    const deliveries = deliveriesSchema
      .parse(await (await fetch(`${info.hubspot.basePath}/__sandbox/webhooks/deliveries`)).json())
      .results.filter((d) => Date.parse(d.startedAt) >= raisedAt - 1000);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.map((d) => [d.status, d.responseStatus])).toEqual(deliveries.map(() => ['delivered', 200]));

    // One Lead, the same one the sync made, now owned by the rep, with the dossier.
    const leads = await leadsWithEmail(email);
    expect(leads).toEqual([
      expect.objectContaining({ Id: synced!.Id, OwnerId: rep.Id, Status: policy.sla.new_status }),
    ]);
    const tasks = (
      await salesforce.query(`SELECT Id, Subject, Description FROM Task WHERE WhoId = '${synced!.Id}'`)
    ).records.map((r) => taskSchema.parse(r));
    expect(tasks.map((t) => t.Subject)).toEqual([`[Baton] Handover dossier (HubSpot ${id})`]);
    const dossier = tasks[0]!.Description ?? '';
    for (const line of [
      `Email: ${email}`,
      'Country: United States',
      'Company: Handover E2E Inc',
      'Title: Director of IT',
    ])
      expect(dossier).toContain(line);
    // The score's history, newest first: the raise, then the value the contact was created with.
    const history = dossier.split(`${scoreProperty} history (newest first):\n`)[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(history.map((l) => l.trim().split(' ')[1])).toEqual([String(threshold + 15), String(threshold - 35)]);

    // Marketing stopped: out of the campaign lists and workflows, still on the newsletter, suppressed.
    expect(await listsOf(id)).toEqual([newsletter]);
    expect(await workflowsOf(id)).toEqual([]);
    const suppression = policy.campaign_stop.suppression!;
    expect(
      (await hubspot.crm.contacts.basicApi.getById(id, [suppression.property])).properties[suppression.property],
    ).toBe(suppression.value);

    // The rep logs a call through jsforce; the next first-touch check ends the SLA timer.
    const call = await salesforce
      .sobject('Task')
      .create({ WhoId: synced!.Id, OwnerId: rep.Id, Subject: 'Call: intro', Status: 'Completed', TaskSubtype: 'Call' });
    expect(call.success).toBe(true);
    state = await waitFor(
      'the first touch',
      async () => {
        const s = await stateOf(id);
        return s.stage === 'awaiting_outcome' ? s : undefined;
      },
      20_000,
    );
    expect(state).toMatchObject({ contactSource: 'task', slaDueAt: null, breaches: 0 });
    expect(state.contactedAt).toBeGreaterThanOrEqual(raisedAt);
    const shown = JSON.parse(baton(['lead', 'show', email, '--dev'], env)) as HandoverState;
    expect(shown).toMatchObject({
      stage: 'awaiting_outcome',
      trigger: 'webhook',
      contactSource: 'task',
      ownerId: rep.Id,
      leadId: synced!.Id,
    });

    // Sales rejects it with a reason, by email through the CLI; marketing gets it back.
    const reason = 'No budget before next fiscal year';
    const rejectedAt = Date.now();
    const rejected = JSON.parse(baton(['lead', 'reject', email, '--reason', reason, '--dev'], env)) as HandoverState;
    expect(rejected).toMatchObject({ stage: 'rejected', outcome: 'rejected', reason });
    const writeBack = policy.feedback.hubspot;
    const reasonProperty = writeBack.reason_property!;
    const back = await hubspot.crm.contacts.basicApi.getById(
      id,
      [reasonProperty, 'lifecyclestage', 'hs_lead_status', suppression.property],
      ['lifecyclestage'],
    );
    expect(back.properties).toMatchObject({
      [reasonProperty]: reason,
      lifecyclestage: writeBack.rejected.lifecycle_stage,
      hs_lead_status: writeBack.rejected.lead_status,
    });
    expect(back.properties[suppression.property] ?? '').toBe('');
    // Written by the rejection, not left over from creation.
    expect(back.propertiesWithHistory?.lifecyclestage?.[0]?.timestamp.getTime()).toBeGreaterThanOrEqual(
      rejectedAt - 1000,
    );
    expect(await listsOf(id)).toEqual(expect.arrayContaining([await listIdOf(writeBack.rejected.nurture_list!)]));

    const final = (await client.workflow.getHandle(handoverWorkflowId(id), runId).result()) as HandoverState;
    expect(final).toMatchObject({
      stage: 'rejected',
      outcome: 'rejected',
      reason,
      trigger: 'webhook',
      contactSource: 'task',
      ownerId: rep.Id,
      leadId: synced!.Id,
      reassignments: 0,
    });
    expect(await leadsWithEmail(email)).toHaveLength(1);
  }, 120_000);
});
