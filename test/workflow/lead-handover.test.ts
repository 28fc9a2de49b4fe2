import fs from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { HandoverActivities, HandoverContext, OwnerRef } from '../../activities/handover-types';
import { parseHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import { assignOwner, MemoryRoutingLedger, type ContactProperties, type RepStatus } from '../../src/handover/routing';
import {
  acceptUpdate,
  contactedSignal,
  handoverStateQuery,
  handoverWorkflowId,
  presalesDoneSignal,
  reassignUpdate,
  rejectUpdate,
  scoreChangedSignal,
  type HandoverState,
} from '../../workflows/lead-handover/api';
import { leadHandover } from '../../workflows';
import { BatonOutcome, BatonOwner, BatonSlaDueAt, BatonStage } from '../../workflows/search-attributes';
import { createTimeSkippingEnv, uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * Fakes of the handover activities, of the real activities' type. Owner assignment runs
 * the real routing (`assignOwner` over a MemoryRoutingLedger) on the contact given here, so
 * the workflow tests see the same decisions a worker makes.
 */

/** The stages after routing, the same in every test policy. */
const AFTER_ROUTING = `
sla:
  first_touch_within: 4h
  reassignments_before_escalation: 2
  escalate_to: { user: boss@example.com }
feedback:
  statuses:
    accepted: [Closed - Converted]
    rejected: [Closed - Not Converted]
  hubspot:
    accepted: { lifecycle_stage: salesqualifiedlead }
    rejected: { lifecycle_stage: lead }
`;

const TEST_POLICY_YAML = `
qualification:
  score: { property: hubspotscore, at_least: 70 }
routing:
  regions:
    EMEA: [Germany, France]
  rules:
    - when: { region: EMEA }
      team: EMEA
  teams:
    EMEA:
      reps: [dana@example.com, elif@example.com, fred@example.com]
  fallback: { queue: Unassigned Leads }
${AFTER_ROUTING}`;

function testPolicy(): HandoverPolicy {
  const { policy, problems } = parseHandoverPolicy(TEST_POLICY_YAML, 'handover.yaml');
  if (!policy) throw new Error(`test policy is invalid: ${problems.map((p) => p.message).join('; ')}`);
  return policy;
}

/** Rules by region, country, industry and size, a capped team and a team fallback queue. */
const ROUTING_POLICY_YAML = `
qualification:
  score: { property: hubspotscore, at_least: 70 }
routing:
  fields: { country: country, industry: industry, employees: numemployees }
  regions:
    NA: [United States, Canada]
    EMEA: [Germany, France]
  affinity: { previous_owner: true, account_owner: true }
  rules:
    - name: NA enterprise
      when: { region: NA, employees: { min: 1000 } }
      team: NA Enterprise
    - name: NA regulated
      when: { region: NA, industry: [Healthcare, Financial Services] }
      team: NA Enterprise
    - name: NA mid-market
      when: { region: NA }
      team: NA Mid-Market
    - name: France
      when: { country: France }
      team: France
    - name: EMEA
      when: { region: EMEA }
      team: EMEA
  teams:
    NA Enterprise:
      reps: [ada@example.com]
      fallback: { queue: Enterprise Overflow }
    NA Mid-Market:
      caps: { per_day: 1 }
      reps: [gus@example.com, hal@example.com]
    France:
      reps: [fred@example.com]
    EMEA:
      reps: [dana@example.com, elif@example.com]
  fallback: { queue: Unassigned Leads }
${AFTER_ROUTING}`;

function routingPolicy(): HandoverPolicy {
  const { policy, problems } = parseHandoverPolicy(ROUTING_POLICY_YAML, 'handover.yaml');
  if (!policy) throw new Error(`routing policy is invalid: ${problems.map((p) => p.message).join('; ')}`);
  return policy;
}

const HOUR = 3_600_000;

/** Salesforce ids the fake org gives users and queues. */
const USER_IDS: Record<string, string> = {
  'ada@example.com': '0050000000000ADA',
  'gus@example.com': '0050000000000GUS',
  'hal@example.com': '0050000000000HAL',
  'dana@example.com': '005000000000DANA',
  'elif@example.com': '005000000000ELIF',
  'fred@example.com': '005000000000FRED',
  'boss@example.com': '005000000000BOSS',
};
const QUEUE_IDS: Record<string, string> = {
  'Unassigned Leads': '00G0000000000UNA',
  'Lead Research': '00G0000000000RES',
  'Enterprise Overflow': '00G0000000000ENT',
};

interface FakeOptions {
  context?: Partial<HandoverContext>;
  /** The routing policy; the small EMEA one by default. */
  policy?: HandoverPolicy;
  properties?: ContactProperties;
  /** Per-lead properties, by HubSpot id (wins over `properties`). */
  propertiesOf?: Record<string, ContactProperties>;
  previousOwner?: string | null;
  accountOwner?: { email: string; domain?: string } | null;
  availability?: Record<string, RepStatus>;
  /** checkFirstTouch answers touched from this call on (1-based); never by default. */
  touchedOnPoll?: number;
  /** checkOutcome answers this from its first call. */
  outcome?: Awaited<ReturnType<HandoverActivities['checkOutcome']>>;
}

interface Call {
  name: keyof HandoverActivities;
  input: unknown;
}

function fakeHandoverActivities(options: FakeOptions = {}): {
  activities: HandoverActivities;
  calls: Call[];
  of: <K extends keyof HandoverActivities>(name: K) => Parameters<HandoverActivities[K]>[0][];
} {
  const policy = options.policy ?? testPolicy();
  const ledger = new MemoryRoutingLedger();
  const calls: Call[] = [];
  const log = (name: keyof HandoverActivities, input: unknown) => calls.push({ name, input });
  let polls = 0;
  const availability =
    options.availability ?? Object.fromEntries(Object.keys(USER_IDS).map((e) => [e, 'available' as const]));
  const properties = options.properties ?? { hubspotscore: '85', country: 'Germany' };

  const activities: HandoverActivities = {
    async loadHandoverContext(input) {
      log('loadHandoverContext', input);
      return {
        qualified: true,
        leadId: null,
        presales: null,
        sla: { firstTouchWithinMs: 4 * HOUR, reassignmentsBeforeEscalation: 2, pollEveryMs: null },
        outcomePollEveryMs: null,
        ...options.context,
      };
    },
    async writeDossier(input) {
      log('writeDossier', input);
      return { leadId: input.leadId ?? '00Q000000000LEAD', taskId: '00T000000000DOSS' };
    },
    async assignOwner(input) {
      log('assignOwner', input);
      if (input.toEmail !== undefined) {
        const id = USER_IDS[input.toEmail];
        if (id === undefined) throw new Error(`no Salesforce user ${input.toEmail}`);
        return { ownerId: id, kind: 'user', email: input.toEmail, via: 'manual' };
      }
      const assignment = await assignOwner(
        policy,
        {
          properties: options.propertiesOf?.[input.hubspotId] ?? properties,
          now: new Date(),
          availability,
          previousOwner: options.previousOwner ?? null,
          accountOwner: options.accountOwner ?? null,
          exclude: input.exclude,
        },
        ledger,
      );
      const { owner } = assignment;
      const ref: OwnerRef =
        owner.kind === 'user'
          ? { ownerId: USER_IDS[owner.email] ?? 'missing', kind: 'user', email: owner.email, via: assignment.via }
          : { ownerId: QUEUE_IDS[owner.name] ?? 'missing', kind: 'queue', email: null, via: assignment.via };
      return ref;
    },
    async upsertLeadWithOwner(input) {
      log('upsertLeadWithOwner', input);
      return { leadId: input.leadId };
    },
    async stopCampaigns(input) {
      log('stopCampaigns', input);
      return { listsLeft: 2, workflowsLeft: 1, suppressed: true };
    },
    async checkFirstTouch(input) {
      log('checkFirstTouch', input);
      polls += 1;
      const touched = options.touchedOnPoll !== undefined && polls >= options.touchedOnPoll;
      return touched ? { touched, at: input.since + 1, source: 'task' } : { touched: false, at: null, source: null };
    },
    async checkOutcome(input) {
      log('checkOutcome', input);
      return options.outcome ?? { outcome: null, reason: null };
    },
    async escalate(input) {
      log('escalate', input);
      return {
        ownerId: USER_IDS['boss@example.com'] ?? 'missing',
        kind: 'user',
        email: 'boss@example.com',
        via: 'escalation',
      };
    },
    async writeOutcomeToHubSpot(input) {
      log('writeOutcomeToHubSpot', input);
    },
    async recordHandoverEvent(input) {
      log('recordHandoverEvent', input);
    },
  };
  const of = <K extends keyof HandoverActivities>(name: K) =>
    calls.filter((c) => c.name === name).map((c) => c.input as Parameters<HandoverActivities[K]>[0]);
  return { activities, calls, of };
}

/**
 * The handover on the time-skipping server: an SLA of four hours runs in milliseconds.
 * Activities are fakes of the real activities' type; routing is the real one.
 */
describe('leadHandover workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  type Fakes = ReturnType<typeof fakeHandoverActivities>;

  /** Runs a worker with the fakes while `body` drives one handover (id `handover:<unique>`). */
  async function withHandover<T>(
    options: FakeOptions,
    body: (handle: WorkflowHandle<typeof leadHandover>, fakes: Fakes) => Promise<T>,
  ): Promise<T> {
    const fakes = fakeHandoverActivities(options);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakes.activities,
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(leadHandover, {
        workflowId: handoverWorkflowId(uniqueId('hs')),
        taskQueue: worker.options.taskQueue,
        args: [{ hubspotId: '1001', trigger: 'webhook' }],
      });
      try {
        return await body(handle, fakes);
      } catch (err) {
        // A failed expectation must not leave the run waiting on this worker's shutdown.
        await handle.terminate('test failed').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Lets workflow time pass until the handover reaches `stage` (or the time runs out). */
  async function untilStage(
    handle: WorkflowHandle<typeof leadHandover>,
    stage: HandoverState['stage'],
    step: Duration = '10 minutes',
    max = 500,
  ): Promise<HandoverState> {
    for (let i = 0; i < max; i += 1) {
      const state = await handle.query(handoverStateQuery);
      if (state.stage === stage) return state;
      await env.sleep(step);
    }
    throw new Error(`stage ${stage} not reached; now ${(await handle.query(handoverStateQuery)).stage}`);
  }

  /** With BATON_WRITE_HISTORIES=1, stores the run's history in test/histories for the replay test. */
  async function saveHistory(handle: WorkflowHandle<typeof leadHandover>, name: string): Promise<void> {
    if (process.env.BATON_WRITE_HISTORIES !== '1') return;
    const json = JSON.parse(historyToJSON(await handle.fetchHistory())) as unknown;
    fs.writeFileSync(
      path.join(__dirname, '..', 'histories', `lead-handover-${name}.json`),
      `${JSON.stringify(json, null, 1)}\n`,
    );
  }

  it('ends a lead that does not qualify without a dossier, an owner or a write', async () => {
    await withHandover({ context: { qualified: false } }, async (handle, fakes) => {
      const state = await handle.result();
      expect(state.stage).toBe('not_qualified');
      expect(state.outcome).toBe('not_qualified');
      expect(state.history.map((h) => h.stage)).toEqual(['qualifying', 'not_qualified']);
      expect(fakes.calls.map((c) => c.name)).toEqual(['loadHandoverContext', 'recordHandoverEvent']);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(BatonStage)).toBe('not_qualified');
      expect(described.typedSearchAttributes.get(BatonOwner)).toBeUndefined();
    });
  });

  it('hands a qualified lead to a rep, stops campaigns, ends the SLA timer on contact and writes acceptance back', async () => {
    await withHandover({}, async (handle, fakes) => {
      const waiting = await untilStage(handle, 'awaiting_first_touch');
      expect(waiting.ownerId).toBe(USER_IDS['dana@example.com']);
      expect(waiting.ownerVia).toBe('round_robin');
      expect(waiting.leadId).toBe('00Q000000000LEAD');
      const started = waiting.history.find((h) => h.stage === 'awaiting_first_touch')?.at ?? 0;
      expect(waiting.slaDueAt).toBe(started + 4 * HOUR);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(BatonStage)).toBe('awaiting_first_touch');
      expect(attributes.get(BatonOwner)).toBe(USER_IDS['dana@example.com']);
      expect(attributes.get(BatonSlaDueAt)?.getTime()).toBe(waiting.slaDueAt);

      await env.sleep('1 hour');
      await handle.signal(contactedSignal, { at: Date.now(), source: 'task' });
      const outcomeWait = await untilStage(handle, 'awaiting_outcome');
      expect(outcomeWait.breaches).toBe(0);
      expect(outcomeWait.slaDueAt).toBeNull();
      expect(outcomeWait.contactSource).toBe('task');

      const accepted = await handle.executeUpdate(acceptUpdate, { args: [{}] });
      expect(accepted.stage).toBe('accepted');
      const final = await handle.result();
      expect(final.outcome).toBe('accepted');
      expect(final.history.map((h) => h.stage)).toEqual([
        'qualifying',
        'dossier',
        'assigning',
        'handed_over',
        'campaigns_stopped',
        'awaiting_first_touch',
        'awaiting_outcome',
        'accepted',
      ]);
      expect(fakes.of('upsertLeadWithOwner')).toEqual([
        { hubspotId: '1001', leadId: '00Q000000000LEAD', ownerId: USER_IDS['dana@example.com'] },
      ]);
      expect(fakes.of('stopCampaigns')).toHaveLength(1);
      expect(fakes.of('writeOutcomeToHubSpot')).toEqual([
        expect.objectContaining({ outcome: 'accepted', reason: null }),
      ]);
      const types = fakes.of('recordHandoverEvent').map((e) => e.type);
      expect(types).toEqual([
        'qualified',
        'dossier_written',
        'handed_over',
        'campaigns_stopped',
        'first_touch',
        'accepted',
      ]);
      // Idempotency keys are unique per event.
      expect(new Set(fakes.of('recordHandoverEvent').map((e) => e.eventKey)).size).toBe(types.length);
      const attributesAfter = (await handle.describe()).typedSearchAttributes;
      expect(attributesAfter.get(BatonOutcome)).toBe('accepted');
      expect(attributesAfter.get(BatonSlaDueAt)).toBeUndefined();
    });
  });

  it('gives the lead to the previous owner before the round robin', async () => {
    await withHandover({ previousOwner: 'fred@example.com' }, async (handle) => {
      const state = await untilStage(handle, 'awaiting_first_touch');
      expect(state.ownerId).toBe(USER_IDS['fred@example.com']);
      expect(state.ownerVia).toBe('previous_owner');
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'existing customer' }] });
    });
  });

  it('gives the lead to the account owner when the previous owner is away', async () => {
    const availability = {
      'dana@example.com': 'available',
      'elif@example.com': 'available',
      'fred@example.com': 'away',
      'boss@example.com': 'available',
    } as const;
    await withHandover(
      {
        previousOwner: 'fred@example.com',
        accountOwner: { email: 'elif@example.com', domain: 'acme.example' },
        availability,
      },
      async (handle) => {
        const state = await untilStage(handle, 'awaiting_first_touch');
        expect(state.ownerVia).toBe('account_owner');
        expect(state.ownerId).toBe(USER_IDS['elif@example.com']);
        await handle.executeUpdate(acceptUpdate, { args: [{}] });
      },
    );
  });

  it('reassigns on each SLA breach to someone who has not had the lead, then escalates', async () => {
    await withHandover({}, async (handle, fakes) => {
      const escalated = await untilStage(handle, 'escalated', '1 hour', 50);
      // Reassignments before escalation is 2: breach 1 and 2 reassign, breach 3 escalates.
      expect(escalated.breaches).toBe(3);
      expect(escalated.reassignments).toBe(2);
      expect(escalated.previousOwners).toEqual([
        'dana@example.com',
        'elif@example.com',
        'fred@example.com',
        'boss@example.com',
      ]);
      expect(escalated.ownerId).toBe(USER_IDS['boss@example.com']);
      expect(escalated.slaDueAt).toBeNull();
      expect(fakes.of('assignOwner').map((a) => a.exclude)).toEqual([
        [],
        ['dana@example.com'],
        ['dana@example.com', 'elif@example.com'],
      ]);
      expect(fakes.of('assignOwner').map((a) => a.attempt)).toEqual([0, 1, 2]);
      expect(fakes.of('escalate')).toEqual([expect.objectContaining({ breaches: 3, why: 'sla_breached' })]);
      expect(fakes.of('upsertLeadWithOwner').map((u) => u.ownerId)).toEqual(
        ['dana@example.com', 'elif@example.com', 'fred@example.com', 'boss@example.com'].map((e) => USER_IDS[e]),
      );
      // Each breach came after the full four hours.
      const waits = escalated.history.filter((h) => h.stage === 'awaiting_first_touch').map((h) => h.at);
      const breaches = escalated.history
        .filter((h) => h.stage === 'assigning')
        .map((h) => h.at)
        .slice(1);
      // Workflow time also moves by the real milliseconds the activities take.
      breaches.forEach((at, i) => expect(at - (waits[i] ?? 0)).toBeGreaterThanOrEqual(4 * HOUR));
      breaches.forEach((at, i) => expect(at - (waits[i] ?? 0)).toBeLessThan(4 * HOUR + 60_000));
      expect(
        fakes
          .of('recordHandoverEvent')
          .map((e) => e.type)
          .filter((t) => t !== 'qualified' && t !== 'dossier_written'),
      ).toEqual([
        'handed_over',
        'campaigns_stopped',
        'sla_breached',
        'reassigned',
        'sla_breached',
        'reassigned',
        'sla_breached',
        'escalated',
      ]);
      await handle.signal(contactedSignal, { at: Date.now(), source: 'manual' });
      await untilStage(handle, 'awaiting_outcome');
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'no budget', recycle: true }] });
      expect((await handle.result()).outcome).toBe('recycled');
    });
  });

  it('finds a first touch logged in Salesforce without a signal by polling', async () => {
    await withHandover(
      {
        context: { sla: { firstTouchWithinMs: 4 * HOUR, reassignmentsBeforeEscalation: 2, pollEveryMs: HOUR } },
        touchedOnPoll: 2,
      },
      async (handle, fakes) => {
        const state = await untilStage(handle, 'awaiting_outcome', '30 minutes', 50);
        expect(state.breaches).toBe(0);
        expect(state.contactSource).toBe('task');
        expect(fakes.of('checkFirstTouch')).toHaveLength(2);
        await handle.executeUpdate(acceptUpdate, { args: [{}] });
      },
    );
  });

  it('backs off polling once escalated, so a lead nobody touches for weeks keeps a short history', async () => {
    await withHandover(
      { context: { sla: { firstTouchWithinMs: 4 * HOUR, reassignmentsBeforeEscalation: 0, pollEveryMs: HOUR } } },
      async (handle, fakes) => {
        await untilStage(handle, 'escalated', '1 hour', 10);
        const before = fakes.of('checkFirstTouch').length;
        await env.sleep('30 days');
        const during = fakes.of('checkFirstTouch').length - before;
        // Hourly polling would be 720; doubling up to a day is about 35.
        expect(during).toBeGreaterThan(20);
        expect(during).toBeLessThan(40);
        await handle.executeUpdate(acceptUpdate, { args: [{}] });
      },
    );
  });

  it('reads sales’ verdict from the Lead status when no update comes', async () => {
    const context = { outcomePollEveryMs: HOUR };
    await withHandover(
      { context, outcome: { outcome: 'rejected', reason: 'wrong persona' } },
      async (handle, fakes) => {
        await untilStage(handle, 'awaiting_first_touch');
        await handle.signal(contactedSignal, { at: Date.now(), source: 'status_change' });
        const final = await handle.result();
        expect(final.outcome).toBe('rejected');
        expect(fakes.of('writeOutcomeToHubSpot')).toEqual([
          expect.objectContaining({ outcome: 'rejected', reason: 'wrong persona' }),
        ]);
      },
    );
  });

  it('routes a lead the pre-sales queue did not release in time', async () => {
    const presales = {
      queueId: QUEUE_IDS['Lead Research'] ?? '',
      releaseWithinMs: 24 * HOUR,
      onTimeout: 'route' as const,
    };
    await withHandover({ context: { presales } }, async (handle, fakes) => {
      const during = await untilStage(handle, 'presales', '1 minute', 10);
      expect(during.ownerId).toBe(QUEUE_IDS['Lead Research']);
      const state = await untilStage(handle, 'awaiting_first_touch', '2 hours', 20);
      const presalesAt = state.history.find((h) => h.stage === 'presales')?.at ?? 0;
      const assignedAt = state.history.find((h) => h.stage === 'assigning')?.at ?? 0;
      expect(assignedAt - presalesAt).toBeGreaterThanOrEqual(24 * HOUR);
      expect(assignedAt - presalesAt).toBeLessThan(24 * HOUR + 60_000);
      expect(state.ownerId).toBe(USER_IDS['dana@example.com']);
      expect(fakes.of('recordHandoverEvent').map((e) => e.type)).toContain('presales_timeout');
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'bad timing', recycle: true }] });
      await handle.result();
      await saveHistory(handle, 'presales-timeout-recycled');
    });
  });

  it('escalates a lead the pre-sales queue did not release when the policy says so, and routes a released one at once', async () => {
    const escalating = {
      queueId: QUEUE_IDS['Lead Research'] ?? '',
      releaseWithinMs: 24 * HOUR,
      onTimeout: 'escalate' as const,
    };
    await withHandover({ context: { presales: escalating } }, async (handle, fakes) => {
      const state = await untilStage(handle, 'escalated', '2 hours', 20);
      expect(state.ownerId).toBe(USER_IDS['boss@example.com']);
      expect(fakes.of('escalate')).toEqual([expect.objectContaining({ why: 'presales_timeout' })]);
      expect(fakes.of('assignOwner')).toHaveLength(0);
      await handle.executeUpdate(acceptUpdate, { args: [{}] });
    });
    await withHandover({ context: { presales: escalating } }, async (handle, fakes) => {
      await untilStage(handle, 'presales', '1 minute', 10);
      await handle.signal(presalesDoneSignal);
      const state = await untilStage(handle, 'awaiting_first_touch', '1 minute', 10);
      const presalesAt = state.history.find((h) => h.stage === 'presales')?.at ?? 0;
      const assignedAt = state.history.find((h) => h.stage === 'assigning')?.at ?? 0;
      expect(assignedAt - presalesAt).toBeLessThan(HOUR);
      expect(fakes.of('recordHandoverEvent').map((e) => e.type)).toContain('presales_released');
      await handle.executeUpdate(acceptUpdate, { args: [{}] });
    });
  });

  it('refuses a rejection without a reason and writes a rejection with its reason back to HubSpot', async () => {
    await withHandover({}, async (handle, fakes) => {
      await untilStage(handle, 'awaiting_first_touch');
      await expect(handle.executeUpdate(rejectUpdate, { args: [{ reason: '   ' }] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      await expect(handle.executeUpdate(rejectUpdate, { args: [{ reason: '   ' }] })).rejects.toMatchObject({
        cause: { message: 'a rejection needs a reason' },
      });
      expect((await handle.query(handoverStateQuery)).outcome).toBeNull();
      const rejected = await handle.executeUpdate(rejectUpdate, { args: [{ reason: '  Student, no company  ' }] });
      expect(rejected.stage).toBe('rejected');
      expect(rejected.reason).toBe('Student, no company');
      expect(fakes.of('writeOutcomeToHubSpot')).toEqual([
        expect.objectContaining({ outcome: 'rejected', reason: 'Student, no company' }),
      ]);
      // Deciding counts as the first touch.
      expect(rejected.contactSource).toBe('manual');
      // The run is over: nothing accepts it any more.
      await expect(handle.executeUpdate(acceptUpdate, { args: [{}] })).rejects.toThrow();
    });
  });

  it('reassigns on an admin’s request, to a named rep or to the next eligible one, with a fresh SLA', async () => {
    await withHandover({}, async (handle, fakes) => {
      await untilStage(handle, 'awaiting_first_touch');
      await env.sleep('3 hours');
      const named = await handle.executeUpdate(reassignUpdate, { args: [{ toEmail: 'Fred@Example.com' }] });
      expect(named.ownerId).toBe(USER_IDS['fred@example.com']);
      expect(named.ownerVia).toBe('manual');
      const state = await untilStage(handle, 'awaiting_first_touch', '1 minute', 5);
      expect(state.slaDueAt).toBe((state.history.at(-1)?.at ?? 0) + 4 * HOUR);
      const next = await handle.executeUpdate(reassignUpdate, { args: [{}] });
      expect(next.ownerId).toBe(USER_IDS['elif@example.com']);
      expect(fakes.of('assignOwner').at(-1)?.exclude).toEqual(['dana@example.com', 'fred@example.com']);
      await expect(handle.executeUpdate(reassignUpdate, { args: [{ toEmail: 'not an email' }] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      expect((await handle.query(handoverStateQuery)).breaches).toBe(0);
      await handle.executeUpdate(acceptUpdate, { args: [{ note: 'booked a demo' }] });
      expect((await handle.result()).reason).toBe('booked a demo');
      await saveHistory(handle, 'reassigned-by-admin-accepted');
    });
  });

  it('starts one workflow for duplicate signal-with-start deliveries and keeps the latest score', async () => {
    const fakes = fakeHandoverActivities({});
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakes.activities,
    });
    await worker.runUntil(async () => {
      const workflowId = handoverWorkflowId(uniqueId('hs'));
      const start = (score: number) =>
        env.client.workflow.signalWithStart(leadHandover, {
          workflowId,
          taskQueue: worker.options.taskQueue,
          args: [{ hubspotId: '1001', trigger: 'webhook' }],
          signal: scoreChangedSignal,
          signalArgs: [{ score, at: Date.now() }],
        });
      const first = await start(80);
      const second = await start(90);
      expect(second.signaledRunId).toBe(first.signaledRunId);
      const state = await untilStage(first, 'awaiting_first_touch');
      expect(state.score).toBe(90);
      expect(fakes.of('loadHandoverContext')).toHaveLength(1);
      expect(fakes.of('assignOwner')).toHaveLength(1);
      await first.executeUpdate(acceptUpdate, { args: [{}] });
    });
  });

  it('keeps history small and free of contact data', async () => {
    await withHandover({}, async (handle) => {
      await untilStage(handle, 'escalated', '1 hour', 50);
      await handle.signal(contactedSignal, { at: Date.now(), source: 'task' });
      await handle.executeUpdate(acceptUpdate, { args: [{}] });
      await handle.result();
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      expect(events.length).toBeLessThan(200);
      const text = JSON.stringify(history);
      expect(Math.max(...events.map((e) => JSON.stringify(e).length))).toBeLessThan(4_000);
      // The contact's properties never leave the activities.
      expect(text).not.toContain('Germany');
      await saveHistory(handle, 'escalated-accepted');
    });
  });

  /**
   * Hands over each lead in turn on one worker (one routing ledger, so caps and turns carry
   * over) and returns who got it, then rejects it so the run ends.
   */
  async function routeLeads(
    options: FakeOptions,
    hubspotIds: string[],
  ): Promise<{ hubspotId: string; owner: string | null; via: string | null }[]> {
    const fakes = fakeHandoverActivities(options);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakes.activities,
    });
    return worker.runUntil(async () => {
      const routed: { hubspotId: string; owner: string | null; via: string | null }[] = [];
      for (const hubspotId of hubspotIds) {
        const handle = await env.client.workflow.start(leadHandover, {
          workflowId: handoverWorkflowId(uniqueId(`hs-${hubspotId}`)),
          taskQueue: worker.options.taskQueue,
          args: [{ hubspotId, trigger: 'webhook' }],
        });
        try {
          const state = await untilStage(handle, 'awaiting_first_touch');
          const queue = Object.entries(QUEUE_IDS).find(([, id]) => id === state.ownerId)?.[0];
          routed.push({
            hubspotId,
            owner: state.ownerEmail ?? (queue === undefined ? state.ownerId : `queue:${queue}`),
            via: state.ownerVia,
          });
          await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'routing test' }] });
          await handle.result();
        } catch (err) {
          await handle.terminate('test failed').catch(() => undefined);
          throw err;
        }
      }
      return routed;
    });
  }

  describe('routing rules inside the workflow', () => {
    const leads: Record<string, ContactProperties> = {
      'us-big': { hubspotscore: '90', country: 'United States', industry: 'Retail', numemployees: '5000' },
      'ca-bank': { hubspotscore: '90', country: 'Canada', industry: 'Financial Services', numemployees: '40' },
      'us-small': { hubspotscore: '90', country: 'United States', industry: 'Retail', numemployees: '40' },
      'fr-any': { hubspotscore: '90', country: 'France', industry: 'Retail', numemployees: '40' },
      'de-any': { hubspotscore: '90', country: 'Germany', industry: 'Retail', numemployees: '40' },
      'jp-any': { hubspotscore: '90', country: 'Japan', industry: 'Retail', numemployees: '40' },
    };

    it('sends each lead to the team of the first rule its country, industry and size match', async () => {
      const routed = await routeLeads({ policy: routingPolicy(), propertiesOf: leads }, Object.keys(leads));
      expect(routed).toEqual([
        { hubspotId: 'us-big', owner: 'ada@example.com', via: 'round_robin' },
        { hubspotId: 'ca-bank', owner: 'ada@example.com', via: 'round_robin' },
        { hubspotId: 'us-small', owner: 'gus@example.com', via: 'round_robin' },
        // The country rule comes before the region rule that also matches.
        { hubspotId: 'fr-any', owner: 'fred@example.com', via: 'round_robin' },
        { hubspotId: 'de-any', owner: 'dana@example.com', via: 'round_robin' },
        // No rule covers Japan: the routing fallback.
        { hubspotId: 'jp-any', owner: 'queue:Unassigned Leads', via: 'fallback' },
      ]);
    });

    it('skips reps at their cap and ends at the fallback queue when every rep is capped', async () => {
      const small = (n: number) =>
        [`mm-${n}`, { hubspotscore: '90', country: 'United States', numemployees: '10' }] as const;
      const propertiesOf = Object.fromEntries([1, 2, 3].map(small));
      const routed = await routeLeads({ policy: routingPolicy(), propertiesOf }, ['mm-1', 'mm-2', 'mm-3']);
      // per_day: 1 — Gus, then Hal, then nobody of the team is left today.
      expect(routed.map((r) => r.owner)).toEqual(['gus@example.com', 'hal@example.com', 'queue:Unassigned Leads']);
      expect(routed.map((r) => r.via)).toEqual(['round_robin', 'round_robin', 'fallback']);
    });

    it('skips reps who are away or inactive in Salesforce, and uses the team fallback when none is left', async () => {
      const availability = {
        'ada@example.com': 'inactive',
        'gus@example.com': 'away',
        'hal@example.com': 'available',
        'dana@example.com': 'away',
        'elif@example.com': 'available',
        'fred@example.com': 'available',
        'boss@example.com': 'available',
      } as const;
      const routed = await routeLeads({ policy: routingPolicy(), propertiesOf: leads, availability }, [
        'us-small',
        'de-any',
        'de-any',
        'us-big',
      ]);
      expect(routed.map((r) => r.owner)).toEqual([
        'hal@example.com', // Gus is away
        'elif@example.com', // Dana is away
        'elif@example.com', // still the only available EMEA rep
        'queue:Enterprise Overflow', // Ada is inactive: the team's own fallback, not the global one
      ]);
    });
  });
});
