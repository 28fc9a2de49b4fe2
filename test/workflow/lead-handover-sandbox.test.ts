import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { createHandoverActivities } from '../../activities/handover';
import { loadHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import { createMappingProvider } from '../../src/config/mapping-provider';
import { qualifies } from '../../src/handover/qualify';
import type { Store } from '../../src/store';
import { leadHandover } from '../../workflows';
import {
  handoverStateQuery,
  handoverWorkflowId,
  rejectUpdate,
  type HandoverState,
} from '../../workflows/lead-handover/api';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The handover with its real activities against both sandboxes through the official
 * clients, on the time-skipping server: the shipped policy (mappings/handover.yaml), a
 * demo contact that qualifies, a Lead with an owner and a dossier, campaigns stopped, a
 * Task logged through jsforce ending the SLA timer, a rejection written back to HubSpot.
 */
const MAPPINGS_DIR = path.join(__dirname, '..', '..', 'mappings');
const membershipsSchema = z.object({
  results: z.array(z.object({ listId: z.union([z.string(), z.number()]).transform(String) })),
});
const enrollmentsSchema = z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }));

describe('leadHandover against the sandboxes', () => {
  let stack: TestStack;
  let env: TestWorkflowEnvironment;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  let policy: HandoverPolicy;

  beforeAll(async () => {
    stack = await startTestStack({
      temporal: 'time-skipping',
      hubspot: { preset: 'demo' },
      salesforce: { preset: 'demo' },
    });
    ({ env, hubspot, salesforce, store } = stack);
    policy = loadHandoverPolicy(path.join(MAPPINGS_DIR, 'handover.yaml'));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function json(method: string, p: string): Promise<unknown> {
    const res = await hubspot.apiRequest({ method, path: p });
    expect(res.status).toBe(200);
    return res.json();
  }

  /** A demo contact the shipped policy qualifies, preferably one in campaign lists and workflows. */
  async function qualifyingContact(): Promise<{ id: string; email: string }> {
    const wanted = [
      'email',
      policy.qualification.score.property,
      'lifecyclestage',
      'country',
      'industry',
      'numemployees',
    ];
    let after: string | undefined;
    const found: { id: string; email: string; lists: number }[] = [];
    do {
      const page = await hubspot.crm.contacts.basicApi.getPage(100, after, wanted);
      for (const c of page.results) {
        if (qualifies(policy, c.properties).qualified && c.properties.email) {
          const lists = membershipsSchema.parse(await json('GET', `/crm/v3/lists/records/0-1/${c.id}/memberships`))
            .results.length;
          found.push({ id: c.id, email: c.properties.email, lists });
        }
      }
      after = page.paging?.next?.after;
    } while (after !== undefined && found.filter((f) => f.lists > 0).length === 0);
    const best = found.find((f) => f.lists > 0) ?? found[0];
    if (!best) throw new Error('the demo data has no contact the shipped policy qualifies');
    return best;
  }

  it('hands a demo MQL to a rep in Salesforce, stops its campaigns, ends the SLA on a Task and writes a rejection back', async () => {
    const contact = await qualifyingContact();
    // Marketing is running at it: a campaign list, the kept newsletter and a nurture workflow.
    for (const list of ['101', '102'])
      expect(
        (await hubspot.apiRequest({ method: 'PUT', path: `/crm/v3/lists/${list}/memberships/add`, body: [contact.id] }))
          .status,
      ).toBe(200);
    expect(
      (
        await hubspot.apiRequest({
          method: 'POST',
          path: `/automation/v2/workflows/5100001/enrollments/contacts/${encodeURIComponent(contact.email)}`,
        })
      ).status,
    ).toBe(204);
    expect(
      enrollmentsSchema
        .parse(await json('GET', `/automation/v2/workflows/enrollments/contacts/${contact.id}`))
        .map((w) => w.id),
    ).toContain('5100001');
    const activities = createHandoverActivities({
      hubspot,
      salesforce,
      store,
      mappings: (name) => createMappingProvider(MAPPINGS_DIR).get(name),
      handoverPolicy: () => policy,
      firstTouchPollMs: 15 * 60_000,
      outcomePollMs: null,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(leadHandover, {
        workflowId: handoverWorkflowId(`${contact.id}-${uniqueId('it')}`),
        taskQueue: worker.options.taskQueue,
        args: [{ hubspotId: contact.id, trigger: 'manual' }],
      });
      let state: HandoverState = await handle.query(handoverStateQuery);
      for (let i = 0; i < 200 && state.stage !== 'awaiting_first_touch'; i += 1) {
        if (state.stage === 'not_qualified') throw new Error('the contact did not qualify');
        await new Promise((r) => setTimeout(r, 100));
        state = await handle.query(handoverStateQuery);
      }
      expect(state.stage).toBe('awaiting_first_touch');
      expect(state.ownerId).toMatch(/^00[5G]/);
      const leadId = state.leadId ?? '';

      // The Lead is owned by the chosen owner, and carries the dossier.
      const lead = await salesforce.sobject('Lead').retrieve(leadId);
      expect(z.object({ OwnerId: z.string(), Email: z.string() }).parse(lead)).toMatchObject({
        OwnerId: state.ownerId,
      });
      const dossiers = await salesforce.query(`SELECT Id, Description FROM Task WHERE WhoId = '${leadId}'`);
      expect(dossiers.records.length).toBe(1);
      expect(String(z.object({ Description: z.string() }).parse(dossiers.records[0]).Description)).toContain(
        `${policy.qualification.score.property} history`,
      );

      // Campaigns stopped: no MANUAL list but the kept Newsletter, no workflow, suppression set.
      const lists = membershipsSchema
        .parse(await json('GET', `/crm/v3/lists/records/0-1/${contact.id}/memberships`))
        .results.map((r) => r.listId);
      expect(lists.filter((l) => ['102', '103', '104'].includes(l))).toEqual([]);
      expect(lists).toContain('101');
      expect(
        enrollmentsSchema.parse(await json('GET', `/automation/v2/workflows/enrollments/contacts/${contact.id}`)),
      ).toEqual([]);
      const suppressed = await hubspot.crm.contacts.basicApi.getById(contact.id, ['baton_in_sales_handover']);
      expect(suppressed.properties.baton_in_sales_handover).toBe('true');

      // A call logged through jsforce is found by the polling fallback.
      await salesforce
        .sobject('Task')
        .create({ WhoId: leadId, Subject: 'Call', Status: 'Completed', TaskSubtype: 'Call' });
      await env.sleep('20 minutes');
      for (let i = 0; i < 100 && state.stage !== 'awaiting_outcome'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        state = await handle.query(handoverStateQuery);
      }
      expect(state.stage).toBe('awaiting_outcome');
      expect(state.contactSource).toBe('task');
      expect(state.breaches).toBe(0);

      const rejected = await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'No budget this year' }] });
      expect(rejected.stage).toBe('rejected');
      const after = await hubspot.crm.contacts.basicApi.getById(contact.id, [
        'baton_handover_reason',
        'hs_lead_status',
        'lifecyclestage',
        'baton_in_sales_handover',
      ]);
      expect(after.properties).toMatchObject({
        baton_handover_reason: 'No budget this year',
        hs_lead_status: 'UNQUALIFIED',
        lifecyclestage: 'lead',
      });
      expect(after.properties.baton_in_sales_handover ?? '').toBe('');
      const nurture = membershipsSchema
        .parse(await json('GET', `/crm/v3/lists/records/0-1/${contact.id}/memberships`))
        .results.map((r) => r.listId);
      expect(nurture).toContain('103');

      const events = await store.handoverEvents.list({ hubspotId: contact.id });
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'qualification',
          'qualified',
          'owner_assigned',
          'handed_over',
          'campaigns_stopped',
          'first_touch',
          'rejected',
        ]),
      );
    });
  }, 120_000);

  it('repeats nothing when an activity is retried: one Lead, one dossier, one counted assignment, one event', async () => {
    const contact = await qualifyingContact();
    const activities = createHandoverActivities({
      hubspot,
      salesforce,
      store,
      mappings: (name) => createMappingProvider(MAPPINGS_DIR).get(name),
      handoverPolicy: () => policy,
    });
    const workflowId = handoverWorkflowId(uniqueId('retry'));
    const runId = uniqueId('run');
    const first = await activities.writeDossier({ workflowId, hubspotId: contact.id, leadId: null });
    const again = await activities.writeDossier({ workflowId, hubspotId: contact.id, leadId: null });
    expect(again).toEqual(first);
    const byEmail = await salesforce.query(`SELECT Id FROM Lead WHERE Email = '${contact.email}'`);
    expect(byEmail.records.map((r) => r.Id)).toEqual([first.leadId]);

    const input = { workflowId, runId, hubspotId: contact.id, attempt: 0, exclude: [] };
    const owner = await activities.assignOwner(input);
    expect(await activities.assignOwner(input)).toEqual(owner);
    expect((await store.handoverEvents.list({ workflowId, type: 'owner_assigned' })).length).toBe(1);
    // The next attempt, excluding the first owner, goes to someone else.
    if (owner.email !== null) {
      const next = await activities.assignOwner({ ...input, attempt: 1, exclude: [owner.email] });
      expect(next.ownerId).not.toBe(owner.ownerId);
    }

    const event = {
      workflowId,
      hubspotId: contact.id,
      type: 'sla_breached',
      ownerId: owner.ownerId,
      at: Date.now(),
      eventKey: `${workflowId}:${runId}:9:sla_breached`,
    };
    await activities.recordHandoverEvent(event);
    await activities.recordHandoverEvent(event);
    expect((await store.handoverEvents.list({ workflowId, type: 'sla_breached' })).length).toBe(1);

    // Escalation goes to the policy's target and leaves one Task for them, however often it runs.
    const escalation = {
      workflowId,
      runId,
      hubspotId: contact.id,
      leadId: first.leadId,
      breaches: 3,
      why: 'sla_breached' as const,
    };
    const target = await activities.escalate(escalation);
    await activities.escalate(escalation);
    expect(target).toMatchObject({ kind: 'user', email: 'ada.okafor@baton-demo.example', via: 'escalation' });
    const escalations = await salesforce.query(
      `SELECT Id, OwnerId FROM Task WHERE WhoId = '${first.leadId}' AND Subject LIKE '[Baton] Escalation%'`,
    );
    expect(escalations.records.length).toBe(1);

    // Sales' verdict read from the Lead when nobody sends an update: status and reason field.
    expect(await activities.checkOutcome({ leadId: first.leadId })).toEqual({ outcome: null, reason: null });
    await salesforce
      .sobject('Lead')
      .update({ Id: first.leadId, Status: 'Closed - Not Converted', Description: 'Student, no company' });
    expect(await activities.checkOutcome({ leadId: first.leadId })).toEqual({
      outcome: 'rejected',
      reason: 'Student, no company',
    });
  }, 60_000);
});
