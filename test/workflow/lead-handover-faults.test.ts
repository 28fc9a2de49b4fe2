import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createHandoverActivities } from '../../activities/handover';
import { loadHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import { createMappingProvider } from '../../src/config/mapping-provider';
import { qualifies } from '../../src/handover/qualify';
import type { Store } from '../../src/store';
import { leadHandover } from '../../workflows';
import { handoverStateQuery, handoverWorkflowId, type HandoverState } from '../../workflows/lead-handover/api';
import { BatonStage } from '../../workflows/search-attributes';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The campaign stop when HubSpot refuses it, with the real activities against both
 * sandboxes on the time-skipping server. A private app without `crm.lists.write` answers
 * 403 to list removals: the handover must fail that step where people look (a failed run
 * whose failure names the missing scope), never report the campaigns as stopped while the
 * lead stays in them. An outage (503) is retried, and the campaigns count as stopped only
 * once the removal went through.
 */
const MAPPINGS_DIR = path.join(__dirname, '..', '..', 'mappings');
const LIST_REMOVAL = 'PUT /crm/v3/lists/*/memberships/remove';
/** A MANUAL campaign list of the demo portal that the shipped policy stops. */
const CAMPAIGN_LIST = '102';
const membershipsSchema = z.object({
  results: z.array(z.object({ listId: z.union([z.string(), z.number()]).transform(String) })),
});

describe('leadHandover when HubSpot refuses the campaign stop', () => {
  let stack: TestStack;
  let env: TestWorkflowEnvironment;
  let hubspot: HubSpotClient;
  let store: Store;
  let policy: HandoverPolicy;
  const used = new Set<string>();

  beforeAll(async () => {
    stack = await startTestStack({
      temporal: 'time-skipping',
      hubspot: { preset: 'demo' },
      salesforce: { preset: 'demo' },
    });
    ({ env, hubspot, store } = stack);
    policy = loadHandoverPolicy(path.join(MAPPINGS_DIR, 'handover.yaml'));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function setFaults(config: unknown): Promise<void> {
    const res = await fetch(`${stack.hubspotSandbox.url}/__sandbox/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    expect(res.status).toBe(200);
  }

  async function listsOf(contactId: string): Promise<string[]> {
    const res = await hubspot.apiRequest({ method: 'GET', path: `/crm/v3/lists/records/0-1/${contactId}/memberships` });
    expect(res.status).toBe(200);
    return membershipsSchema.parse(await res.json()).results.map((r) => r.listId);
  }

  /** A demo contact the shipped policy qualifies, not used by another test, put into a campaign list. */
  async function mqlInCampaign(): Promise<string> {
    const wanted = [
      'email',
      policy.qualification.score.property,
      'lifecyclestage',
      'country',
      'industry',
      'numemployees',
    ];
    let after: string | undefined;
    do {
      const page = await hubspot.crm.contacts.basicApi.getPage(100, after, wanted);
      const found = page.results.find(
        (c) => !used.has(c.id) && c.properties.email && qualifies(policy, c.properties).qualified,
      );
      if (found) {
        used.add(found.id);
        const added = await hubspot.apiRequest({
          method: 'PUT',
          path: `/crm/v3/lists/${CAMPAIGN_LIST}/memberships/add`,
          body: [found.id],
        });
        expect(added.status).toBe(200);
        return found.id;
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
    throw new Error('the demo data has no contact the shipped policy qualifies');
  }

  async function withWorker<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: createHandoverActivities({
        hubspot,
        salesforce: stack.salesforce,
        store,
        mappings: (name) => createMappingProvider(MAPPINGS_DIR).get(name),
        handoverPolicy: () => policy,
        firstTouchPollMs: null,
        outcomePollMs: null,
      }),
    });
    return worker.runUntil(() => body(worker.options.taskQueue));
  }

  async function start(taskQueue: string, hubspotId: string): Promise<WorkflowHandle<typeof leadHandover>> {
    return env.client.workflow.start(leadHandover, {
      workflowId: handoverWorkflowId(`${hubspotId}-${uniqueId('faults')}`),
      taskQueue,
      args: [{ hubspotId, trigger: 'manual' }],
    });
  }

  // The removal's 403 names its scope, as HubSpot does; the membership read's does not, and
  // Baton names the scope the endpoint documents. That read once answered "no lists" to a 403.
  it.each([
    {
      call: 'the list removal',
      refusal: { route: LIST_REMOVAL, status: 403, scopes: ['crm.lists.write'] },
      message:
        'HubSpot answered 403 MISSING_SCOPES to PUT /crm/v3/lists/{listId}/memberships/remove: the private app lacks the crm.lists.write scope; add it in HubSpot (Settings > Integrations > Private apps), then retry',
    },
    {
      call: "the read of the lead's lists",
      refusal: { route: 'GET /crm/v3/lists/records/*/memberships', status: 403 },
      message:
        'HubSpot answered 403 MISSING_SCOPES to GET /crm/v3/lists/records/{objectTypeId}/{recordId}/memberships: the private app lacks the crm.lists.read scope; add it in HubSpot (Settings > Integrations > Private apps), then retry',
    },
  ])(
    'fails the campaign stop when $call answers 403, naming the missing scope, and never reports campaigns stopped',
    async ({ refusal, message }) => {
      const contactId = await mqlInCampaign();
      await setFaults({ refusals: [refusal] });
      try {
        await withWorker(async (taskQueue) => {
          const handle = await start(taskQueue, contactId);
          const failed = await handle.result().then(
            () => undefined,
            (err: unknown) => err,
          );

          // The run fails where admins look, with the activity's failure as its cause.
          expect(failed).toBeInstanceOf(WorkflowFailedError);
          const activity = (failed as WorkflowFailedError).cause;
          expect(activity).toBeInstanceOf(ActivityFailure);
          expect((activity as ActivityFailure).activityType).toBe('stopCampaigns');
          const cause = (activity as ActivityFailure).cause;
          expect(cause).toBeInstanceOf(ApplicationFailure);
          expect(cause).toMatchObject({ type: 'HubSpotForbidden', nonRetryable: true });
          expect((cause as ApplicationFailure).message).toBe(message);

          // Retrying cannot grant a scope: one attempt, then the failure, in the history for all to see.
          const events = (await handle.fetchHistory()).events ?? [];
          const scheduled = events.filter(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'stopCampaigns',
          );
          expect(scheduled).toHaveLength(1);
          const failures = events.filter((e) => e.activityTaskFailedEventAttributes);
          expect(failures).toHaveLength(1);
          expect(failures[0]?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type).toBe(
            'HubSpotForbidden',
          );

          // The handover stopped before "campaigns stopped": its state, search attribute and events say so.
          const state: HandoverState = await handle.query(handoverStateQuery);
          expect(state.stage).toBe('handed_over');
          expect(state.history.map((h) => h.stage)).not.toContain('campaigns_stopped');
          expect((await handle.describe()).typedSearchAttributes.get(BatonStage)).toBe('handed_over');
          const recorded = (await store.handoverEvents.list({ hubspotId: contactId })).map((e) => e.type);
          expect(recorded).toContain('handed_over');
          expect(recorded).not.toContain('campaigns_stopped');
        });
        // And the lead is in fact still in the campaign (read once HubSpot answers again).
        await setFaults({ profile: 'ideal' });
        expect(await listsOf(contactId)).toContain(CAMPAIGN_LIST);
      } finally {
        await setFaults({ profile: 'ideal' });
      }
    },
    120_000,
  );

  it('retries the campaign stop through an outage and reports campaigns stopped only once the lead left', async () => {
    const contactId = await mqlInCampaign();
    await setFaults({ errors: [{ route: LIST_REMOVAL, rate: 1, statuses: [503] }] });
    try {
      await withWorker(async (taskQueue) => {
        const handle = await start(taskQueue, contactId);
        // The step keeps failing while HubSpot is down: retried, each failure typed.
        let pending: { attempt?: number | null; lastFailure?: { message?: string | null } | null } | undefined;
        for (let i = 0; i < 200 && (pending?.attempt ?? 0) < 2; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          pending = (await handle.describe()).raw.pendingActivities?.find(
            (a) => a.activityType?.name === 'stopCampaigns',
          );
        }
        expect(pending?.attempt).toBeGreaterThanOrEqual(2);
        expect(pending?.lastFailure?.message).toBe(
          'HubSpot answered 503 to PUT /crm/v3/lists/{listId}/memberships/remove: HubSpot failed or is unavailable; retried',
        );
        expect((await handle.query(handoverStateQuery)).stage).toBe('handed_over');
        expect(await listsOf(contactId)).toContain(CAMPAIGN_LIST);

        // HubSpot is back: the next attempt removes the lead, and only then are campaigns stopped.
        await setFaults({ profile: 'ideal' });
        let state: HandoverState = await handle.query(handoverStateQuery);
        for (let i = 0; i < 300 && state.stage !== 'awaiting_first_touch'; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          state = await handle.query(handoverStateQuery);
        }
        expect(state.stage).toBe('awaiting_first_touch');
        expect(state.history.map((h) => h.stage)).toContain('campaigns_stopped');
        expect(await listsOf(contactId)).not.toContain(CAMPAIGN_LIST);
        await handle.terminate('test done');
      });
    } finally {
      await setFaults({ profile: 'ideal' });
    }
  }, 120_000);
});
