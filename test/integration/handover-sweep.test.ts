import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Connection } from 'jsforce';
import { createActivities } from '../../activities';
import { createHandoverSweepActivities, SWEEP_CURSOR } from '../../activities/handover-sweep';
import { loadHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import { createMappingProvider } from '../../src/config/mapping-provider';
import type { HubSpotCursor } from '../../src/crm/hubspot/cursor';
import type { Store } from '../../src/store';
import { deltaSync } from '../../workflows';
import {
  handoverStateQuery,
  handoverWorkflowId,
  rejectUpdate,
  signalHandover,
  type HandoverState,
} from '../../workflows/lead-handover/api';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The delta sync hands over leads that qualify without a webhook: a real Temporal dev
 * server, a worker with the real activities, both sandboxes through the official clients,
 * the shipped handover policy and the store on SQLite and PostgreSQL. The score lives in a
 * property only these tests write, so demo contacts never get in the way.
 */
const MAPPINGS_DIR = path.join(__dirname, '..', 'fixtures', 'mappings', 'two-way');
const SHIPPED_POLICY = path.join(__dirname, '..', '..', 'mappings', 'handover.yaml');
const SCORE = 'baton_sweep_test_score';
const DAY = 86_400_000;

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
])('the qualification sweep of deltaSync on %s', (_label, dialect) => {
  let stack: TestStack;
  let env: TestWorkflowEnvironment;
  let hubspot: HubSpotClient;
  let salesforce: Connection;
  let store: Store;
  let policy: HandoverPolicy;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueId('sweep');
  const domain = `${uniqueId('acme').toLowerCase()}.example`;
  /** Contacts by role, shared by the tests in order. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startTestStack({
      temporal: 'local',
      hubspot: { preset: 'demo' },
      salesforce: { preset: 'demo' },
      store: dialect === 'sqlite' ? 'sqlite' : 'postgres',
    });
    ({ env, hubspot, salesforce, store } = stack);
    const created = await hubspot.apiRequest({
      method: 'POST',
      path: '/crm/v3/properties/contacts',
      body: {
        name: SCORE,
        label: 'Sweep test score',
        type: 'number',
        fieldType: 'number',
        groupName: 'contactinformation',
      },
    });
    expect(created.status).toBe(201);
    const shipped = loadHandoverPolicy(SHIPPED_POLICY);
    policy = { ...shipped, qualification: { ...shipped.qualification, score: { property: SCORE, at_least: 70 } } };

    // The demo data is not what these tests are about: the sync starts from now.
    await store.cursors.set('contact:hubspot', { mode: 'after', ts: Date.now() });
    await store.cursors.set('contact:salesforce', { ts: Date.now(), id: '' });
    const mappings = createMappingProvider(MAPPINGS_DIR);
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        hubspot,
        salesforce,
        store,
        mappings: (name) => mappings.get(name),
        handoverPolicy: () => policy,
      }),
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await stack?.close();
  });

  const runSync = () =>
    env.client.workflow.execute(deltaSync, {
      workflowId: uniqueId('delta-sync'),
      taskQueue,
      args: [{ mapping: 'contact', searchLagMs: 0 }],
    });

  async function createContact(name: string, properties: Record<string, string>): Promise<string> {
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: {
        email: `${name}@${domain}`,
        firstname: name,
        lastname: 'Sweep',
        company: 'Acme',
        country: 'Germany',
        lifecyclestage: 'lead',
        ...properties,
      },
      associations: [],
    });
    ids[name] = contact.id;
    return contact.id;
  }

  const handleOf = (hubspotId: string) => env.client.workflow.getHandle(handoverWorkflowId(hubspotId));

  async function handoverExists(hubspotId: string): Promise<boolean> {
    try {
      await handleOf(hubspotId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  async function waitForStage(hubspotId: string, stages: HandoverState['stage'][]): Promise<HandoverState> {
    const handle = handleOf(hubspotId);
    let state = await handle.query(handoverStateQuery);
    for (let i = 0; i < 300 && !stages.includes(state.stage); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      state = await handle.query(handoverStateQuery);
    }
    expect(stages).toContain(state.stage);
    return state;
  }

  async function searchCalls(): Promise<number> {
    const stats = (await (await fetch(`${stack.hubspotSandbox.url}/__sandbox/stats`)).json()) as {
      total: number;
      requests: Record<string, number>;
    };
    return Object.entries(stats.requests)
      .filter(([route]) => route.includes('/search'))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  const sweepCursor = async (): Promise<HubSpotCursor> =>
    (await store.cursors.get<HubSpotCursor>(SWEEP_CURSOR)) ?? { mode: 'after', ts: 0 };
  const directSweep = (use: HandoverPolicy, clock?: () => Date) =>
    createHandoverSweepActivities({
      hubspot,
      store,
      handoverPolicy: () => use,
      temporal: () => ({ client: env.client, taskQueue }),
      heartbeat: () => undefined,
      ...(clock ? { clock } : {}),
    });

  /** Sweeps every page up to `until`, expecting no handover to start. */
  async function drain(sweep: ReturnType<typeof directSweep>, cursor: HubSpotCursor, until: number) {
    const seen = { read: 0, notQualified: 0, failed: 0, pages: 0, cursor };
    for (;;) {
      const page = await sweep.sweepQualifiedLeads({ cursor: seen.cursor, until });
      expect(page.counts.started).toBe(0);
      seen.read += page.counts.read;
      seen.notQualified += page.counts.notQualified;
      seen.failed += page.counts.failed;
      seen.pages += 1;
      seen.cursor = page.cursor;
      if (page.done) return seen;
    }
  }

  it('starts its cursor on the first run, so leads that qualified before Baton ran are not handed over in one burst', async () => {
    const early = await createContact('early', { [SCORE]: '90' });
    const first = await runSync();
    expect(first.handover_sweep).toBeUndefined();
    expect(await store.cursors.get<HubSpotCursor>(SWEEP_CURSOR)).toEqual({ mode: 'after', ts: expect.any(Number) });
    expect(await handoverExists(early)).toBe(false);
  });

  it('hands over a lead that qualified without a webhook, and neither one below the threshold nor one failing a condition', async () => {
    const mql = await createContact('mql', { [SCORE]: '85' });
    const low = await createContact('low', { [SCORE]: '40' });
    const uncovered = await createContact('uncovered', { [SCORE]: '90', country: 'Antarctica' });

    const result = await runSync();
    // The search leaves out the low score; the uncovered country is judged and skipped.
    expect(result.handover_sweep).toEqual({
      pages: 1,
      read: 2,
      qualified: 1,
      started: 1,
      running: 0,
      coolingDown: 0,
      notQualified: 1,
      failed: 0,
    });

    const state = await waitForStage(mql, ['awaiting_first_touch']);
    expect(state).toMatchObject({ hubspotId: mql, trigger: 'sync' });
    expect(state.ownerId).toMatch(/^00[5G]/);
    const lead = await salesforce.query<{ Id: string; OwnerId: string }>(
      `SELECT Id, OwnerId FROM Lead WHERE Email = 'mql@${domain}'`,
    );
    expect(lead.records).toEqual([expect.objectContaining({ Id: state.leadId, OwnerId: state.ownerId })]);
    expect(await handoverExists(low)).toBe(false);
    expect(await handoverExists(uncovered)).toBe(false);
  });

  it('neither restarts nor signals a running handover, and starts nothing twice', async () => {
    const mql = ids.mql ?? '';
    const before = await handleOf(mql).describe();
    await hubspot.crm.contacts.basicApi.update(mql, { properties: { [SCORE]: '95' } });

    const again = await runSync();
    expect(again.handover_sweep).toMatchObject({ started: 0, failed: 0 });
    expect(again.handover_sweep?.running).toBeGreaterThanOrEqual(1);
    const quiet = await runSync();
    expect(quiet.handover_sweep).toMatchObject({ started: 0 });

    const after = await handleOf(mql).describe();
    expect(after.runId).toBe(before.runId);
    expect(after.status.name).toBe('RUNNING');
    // One signal: the one the sweep started it with.
    const history = await handleOf(mql).fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(1);
  });

  it('is idempotent when a page is retried: the retry finds the handover it started running', async () => {
    const direct = directSweep(policy);
    const cursor = await sweepCursor();
    const retried = await createContact('retried', { [SCORE]: '75' });
    const until = Date.now();

    const first = await direct.sweepQualifiedLeads({ cursor, until });
    expect(first.counts).toMatchObject({ started: 1, failed: 0 });
    const second = await direct.sweepQualifiedLeads({ cursor, until });
    expect(second.counts).toMatchObject({ started: 0, running: first.counts.started + first.counts.running });
    expect(second.cursor).toEqual(first.cursor);
    expect((await waitForStage(retried, ['awaiting_first_touch'])).trigger).toBe('sync');
  });

  it('costs one search call per 200 candidates and nothing for contacts below the threshold', async () => {
    const direct = directSweep(policy);
    const inputs = (n: number, score: string, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        properties: { email: `${prefix}${i}@${domain}`, lastname: 'Bulk', [SCORE]: score, country: 'Antarctica' },
        associations: [],
      }));
    // Whatever the running handovers changed so far is read first.
    const { cursor } = await drain(direct, await sweepCursor(), Date.now());
    for (const batch of [
      inputs(100, '80', 'high'),
      inputs(100, '80', 'higher'),
      inputs(50, '99', 'highest'),
      inputs(100, '10', 'low'),
    ]) {
      await hubspot.crm.contacts.batchApi.create({ inputs: batch });
    }
    const until = Date.now();
    const callsBefore = await searchCalls();
    const swept = await drain(direct, cursor, until);
    // 250 at or above the threshold (failing the country condition), 100 below it never read.
    expect(swept).toMatchObject({ read: 250, notQualified: 250, failed: 0, pages: 2 });
    expect((await searchCalls()) - callsBefore).toBe(2);
  });

  it('does nothing without a handover policy, or for another mapping', async () => {
    const withoutPolicy = createHandoverSweepActivities({
      hubspot,
      store,
      temporal: () => ({ client: env.client, taskQueue }),
      heartbeat: () => undefined,
    });
    const stored = await sweepCursor();
    const callsBefore = await searchCalls();
    expect(await withoutPolicy.readSweepPosition({ mapping: 'contact', until: Date.now() })).toBeNull();
    expect(
      await withoutPolicy.sweepQualifiedLeads({ cursor: { mode: 'after', ts: 0 }, until: Date.now() }),
    ).toMatchObject({ done: true, counts: { read: 0, started: 0 } });
    expect(await withoutPolicy.retrySweepErrors({})).toMatchObject({ read: 0 });
    expect(await directSweep(policy).readSweepPosition({ mapping: 'company', until: Date.now() })).toBeNull();
    expect((await searchCalls()) - callsBefore).toBe(0);
    expect(await sweepCursor()).toEqual(stored);
  });

  it('does not hand a rejected lead over again inside the cool-down, and says why in the qualification event', async () => {
    const mql = ids.mql ?? '';
    const rejected = await handleOf(mql).executeUpdate(rejectUpdate, { args: [{ reason: 'No budget this year' }] });
    expect(rejected.stage).toBe('rejected');
    const closed = await handleOf(mql).describe();

    // Writing the verdict back changed the contact; its score is still high.
    const result = await runSync();
    expect(result.handover_sweep).toMatchObject({ started: 0, failed: 0 });
    expect(result.handover_sweep?.coolingDown).toBeGreaterThanOrEqual(1);
    expect((await handleOf(mql).describe()).runId).toBe(closed.runId);

    // A webhook still starts a run; it ends at its qualify step with the reason.
    const runId = await signalHandover(env.client, taskQueue, mql, { score: 95, at: Date.now() }, 'webhook');
    const state = await env.client.workflow.getHandle(handoverWorkflowId(mql), runId).result();
    expect(state.stage).toBe('not_qualified');
    const events = await store.handoverEvents.list({ hubspotId: mql, type: 'qualification' });
    const last = events.at(-1);
    expect(last?.eventKey).toContain(runId);
    expect(last?.data).toEqual({
      qualified: false,
      reasons: [
        expect.stringMatching(
          /^rejected by sales on \d{4}-\d\d-\d\d \(less than an hour ago\); can qualify again after 90d, from \d{4}-\d\d-\d\d$/,
        ),
      ],
    });
  });

  it('hands over a lead whose cool-down has passed, and not one still inside it', async () => {
    const past = await createContact('past', { [SCORE]: '88' });
    const recent = await createContact('recent', { [SCORE]: '88' });
    const now = Date.now();
    await store.handoverEvents.append([
      {
        workflowId: handoverWorkflowId(past),
        hubspotId: past,
        type: 'rejected',
        occurredAt: new Date(now - 100 * DAY),
        eventKey: uniqueId('verdict'),
      },
      {
        workflowId: handoverWorkflowId(recent),
        hubspotId: recent,
        type: 'recycled',
        occurredAt: new Date(now - 10 * DAY),
        eventKey: uniqueId('verdict'),
      },
    ]);

    const result = await runSync();
    expect(result.handover_sweep).toMatchObject({ started: 1, failed: 0 });
    expect(result.handover_sweep?.coolingDown).toBeGreaterThanOrEqual(1);
    const state = await waitForStage(past, ['awaiting_first_touch']);
    expect(state.trigger).toBe('sync');
    expect(state.ownerId).toMatch(/^00[5G]/);
    const [qualification] = await store.handoverEvents.list({ hubspotId: past, type: 'qualification' });
    expect(qualification?.data).toMatchObject({
      qualified: true,
      reasons: expect.arrayContaining([
        expect.stringMatching(/^rejected by sales on .* \(100 days ago\), longer ago than the 90d cool-down$/),
      ]),
    });
    expect(await handoverExists(recent)).toBe(false);
  });

  it('records a contact it cannot evaluate and moves on, then judges it again once its retry is due', async () => {
    const direct = directSweep(policy);
    const { cursor } = await drain(direct, await sweepCursor(), Date.now());
    // A policy object that slipped past its schema: `not_in` is text, not a list, so judging
    // any contact that has a country throws.
    const broken = {
      ...policy,
      qualification: {
        ...policy.qualification,
        conditions: [{ property: 'country', not_in: 'Antarctica' as unknown as string[] }],
      },
    };
    const odd = await createContact('odd', { [SCORE]: '80' });

    const swept = await drain(directSweep(broken), cursor, Date.now());
    expect(swept).toMatchObject({ read: 1, failed: 1 });
    // The cursor moved past the contact: it waits in sync_errors, not in the window.
    expect(await sweepCursor()).toEqual(swept.cursor);
    const [error] = await store.syncErrors.list({ mapping: 'handover-sweep', status: 'open' });
    expect(error).toMatchObject({ sourceId: odd, errorCode: 'EVALUATION_FAILED', direction: 'to_salesforce' });
    expect(error?.reason).toMatch(/^the qualification criteria could not be evaluated: TypeError/);
    expect(await handoverExists(odd)).toBe(false);

    // Not due yet: nothing happens. Once the backoff is over it is read by id and handed over.
    expect(await direct.retrySweepErrors({})).toMatchObject({ read: 0 });
    const later = directSweep(policy, () => new Date(Date.now() + 2 * 60_000));
    expect(await later.retrySweepErrors({})).toMatchObject({ read: 1, qualified: 1, started: 1, failed: 0 });
    expect(await store.syncErrors.list({ mapping: 'handover-sweep', status: 'open' })).toEqual([]);
    expect((await waitForStage(odd, ['awaiting_first_touch'])).trigger).toBe('sync');
  });
});
