import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  HandoverActivities,
  HandoverContext,
  OwnerRef,
  RecordHandoverEventInput,
} from '../../activities/handover-types';
import { BatonOutcome, BatonOwner, BatonSlaDueAt, BatonStage } from '../search-attributes';
import {
  acceptUpdate,
  contactedSignal,
  handoverStateQuery,
  presalesDoneSignal,
  reassignUpdate,
  rejectUpdate,
  scoreChangedSignal,
  type HandoverOutcome,
  type HandoverStage,
  type HandoverState,
  type LeadHandoverInput,
} from './api';

/**
 * One marketing → sales handover per lead (workflow id `handover:<hubspot id>`): qualify,
 * dossier, optional pre-sales, owner, Lead, campaign stop, SLA with reassignment and
 * escalation, sales' verdict back to HubSpot. History holds ids and stage data only; the
 * activities read and write the CRMs. Durations come from the policy through
 * `loadHandoverContext`, so the workflow never reads a file or a clock of its own.
 * The contract (names, input, state, signals, updates, query) is in api.ts.
 */

// Activity profiles: reads are cheap to retry; writes are idempotent (matched by link,
// key or subject) so retrying them is safe too. Errors no retry can fix fail fast.
const NON_RETRYABLE = ['InvalidPolicy', 'InvalidLead', 'UnknownOwner'];
const crmRead = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});
const crmWrite = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 20,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});
const storeWrite = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Stages in which the lead has an owner and sales can still decide. */
const OPEN_STAGES: readonly HandoverStage[] = [
  'handed_over',
  'campaigns_stopped',
  'awaiting_first_touch',
  'escalated',
  'awaiting_outcome',
];
/** The longest pause between two polls of Salesforce while nothing is due. */
const MAX_OUTCOME_POLL_MS = 24 * 3_600_000;
const MAX_REASON_LENGTH = 1_000;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

interface ReassignRequest {
  toEmail?: string;
  done: boolean;
  error: string | null;
}

export async function leadHandover(input: LeadHandoverInput): Promise<HandoverState> {
  const { workflowId, runId } = workflowInfo();
  const state: HandoverState = {
    hubspotId: input.hubspotId,
    trigger: input.trigger,
    stage: 'qualifying',
    leadId: null,
    ownerId: null,
    ownerEmail: null,
    ownerVia: null,
    previousOwners: [],
    slaDueAt: null,
    breaches: 0,
    reassignments: 0,
    escalated: false,
    contactedAt: null,
    contactSource: null,
    score: null,
    outcome: null,
    reason: null,
    history: [],
  };
  let presalesDone = false;
  const reassignRequests: ReassignRequest[] = [];
  let eventSeq = 0;
  let assignments = 0;

  const publish = () =>
    upsertSearchAttributes([
      { key: BatonStage, value: state.stage },
      { key: BatonOwner, value: state.ownerId },
      { key: BatonSlaDueAt, value: state.slaDueAt === null ? null : new Date(state.slaDueAt) },
      { key: BatonOutcome, value: state.outcome },
    ]);
  const enter = (stage: HandoverStage) => {
    state.stage = stage;
    state.history.push({ stage, at: Date.now() });
    publish();
  };
  const record = (type: string, data?: RecordHandoverEventInput['data']) => {
    eventSeq += 1;
    // The run id keeps keys apart when a later run reuses the workflow id (a re-qualified lead).
    return storeWrite.recordHandoverEvent({
      workflowId,
      hubspotId: input.hubspotId,
      type,
      ownerId: state.ownerId,
      at: Date.now(),
      eventKey: `${workflowId}:${runId}:${eventSeq}:${type}`,
      data,
    });
  };
  const isOpen = () => OPEN_STAGES.includes(state.stage) && state.outcome === null;
  const setOwner = (owner: OwnerRef) => {
    state.ownerId = owner.ownerId;
    state.ownerEmail = owner.email;
    state.ownerVia = owner.via;
    if (owner.email !== null && !state.previousOwners.includes(owner.email)) state.previousOwners.push(owner.email);
  };

  setHandler(handoverStateQuery, () => state);
  setHandler(scoreChangedSignal, ({ score }) => {
    state.score = score;
  });
  setHandler(contactedSignal, ({ at, source }) => {
    // A touch counts once someone owns the lead; the first one is kept.
    if (state.ownerId === null || state.contactedAt !== null) return;
    state.contactedAt = at;
    state.contactSource = source;
  });
  setHandler(presalesDoneSignal, () => {
    presalesDone = true;
  });

  const decide = async (outcome: HandoverOutcome, reason: string | null): Promise<HandoverState> => {
    state.outcome = outcome;
    state.reason = reason;
    await condition(() => state.stage === outcome);
    return state;
  };
  setHandler(acceptUpdate, (args) => decide('accepted', args?.note?.trim() || null), {
    validator: (_args) => {
      if (!isOpen()) throw new Error(`the handover cannot be accepted in stage ${state.stage}`);
    },
  });
  setHandler(rejectUpdate, (args) => decide(args.recycle === true ? 'recycled' : 'rejected', args.reason.trim()), {
    validator: (args) => {
      if (typeof args?.reason !== 'string' || args.reason.trim() === '') throw new Error('a rejection needs a reason');
      if (args.reason.length > MAX_REASON_LENGTH)
        throw new Error(`the reason must be at most ${MAX_REASON_LENGTH} characters`);
      if (!isOpen()) throw new Error(`the handover cannot be rejected in stage ${state.stage}`);
    },
  });
  setHandler(
    reassignUpdate,
    async (args) => {
      const request: ReassignRequest = {
        done: false,
        error: null,
        ...(args?.toEmail ? { toEmail: args.toEmail.trim().toLowerCase() } : {}),
      };
      reassignRequests.push(request);
      await condition(() => request.done);
      if (request.error !== null) throw ApplicationFailure.nonRetryable(request.error, 'ReassignRefused');
      return state;
    },
    {
      validator: (args) => {
        if (args?.toEmail !== undefined && !EMAIL.test(args.toEmail.trim()))
          throw new Error('toEmail must be an email address like dana@example.com');
        if (!isOpen()) throw new Error(`the handover cannot be reassigned in stage ${state.stage}`);
      },
    },
  );

  const assign = async (exclude: string[], toEmail?: string): Promise<OwnerRef> => {
    const attempt = assignments;
    assignments += 1;
    return crmWrite.assignOwner({
      workflowId,
      runId,
      hubspotId: input.hubspotId,
      attempt,
      exclude,
      ...(toEmail !== undefined ? { toEmail } : {}),
    });
  };
  const handTo = async (owner: OwnerRef, leadId: string) => {
    setOwner(owner);
    await crmWrite.upsertLeadWithOwner({ hubspotId: input.hubspotId, leadId, ownerId: owner.ownerId });
  };

  // ---- qualify ----
  enter('qualifying');
  const ctx = await crmRead.loadHandoverContext({ workflowId, runId, hubspotId: input.hubspotId });
  if (!ctx.qualified) {
    state.outcome = 'not_qualified';
    enter('not_qualified');
    await record('not_qualified');
    return state;
  }
  await record('qualified', { trigger: input.trigger });

  // ---- dossier ----
  enter('dossier');
  const dossier = await crmWrite.writeDossier({ workflowId, hubspotId: input.hubspotId, leadId: ctx.leadId });
  const leadId = dossier.leadId;
  state.leadId = leadId;
  await record('dossier_written', { leadId, taskId: dossier.taskId });

  // ---- pre-sales ----
  let owner: OwnerRef | null = null;
  if (ctx.presales !== null) {
    enter('presales');
    await handTo({ ownerId: ctx.presales.queueId, kind: 'queue', email: null, via: 'presales_queue' }, leadId);
    const released = await condition(() => presalesDone, ctx.presales.releaseWithinMs);
    await record(released ? 'presales_released' : 'presales_timeout');
    if (!released && ctx.presales.onTimeout === 'escalate') {
      owner = await crmWrite.escalate({
        workflowId,
        runId,
        hubspotId: input.hubspotId,
        leadId,
        breaches: 0,
        why: 'presales_timeout',
      });
      state.escalated = true;
    }
  }

  // ---- owner, Lead, campaigns ----
  if (owner === null) {
    enter('assigning');
    owner = await assign([]);
  }
  await handTo(owner, leadId);
  enter('handed_over');
  await record('handed_over', { via: owner.via, kind: owner.kind });
  const stopped = await crmWrite.stopCampaigns({ workflowId, hubspotId: input.hubspotId });
  enter('campaigns_stopped');
  await record('campaigns_stopped', { ...stopped });

  // ---- first touch ----
  await awaitFirstTouch(ctx, leadId);
  failPendingReassigns('the first touch is recorded; reassign again once the lead waits for an outcome');

  // ---- sales' verdict ----
  if (state.outcome === null) {
    enter('awaiting_outcome');
    await awaitOutcome(ctx, leadId);
  }
  failPendingReassigns('sales has decided on this lead');
  const outcome = state.outcome as HandoverOutcome;
  await crmWrite.writeOutcomeToHubSpot({ workflowId, hubspotId: input.hubspotId, outcome, reason: state.reason });
  await record(outcome, { hasReason: state.reason !== null });
  state.slaDueAt = null;
  enter(outcome);
  // Update handlers return the final state: let them finish before the run completes.
  await condition(allHandlersFinished);
  return state;

  function failPendingReassigns(why: string) {
    for (const r of reassignRequests.splice(0)) {
      r.error = why;
      r.done = true;
    }
  }

  /** Handles one admin reassignment: a new owner and, before the first touch, a new SLA timer. */
  async function reassign(request: ReassignRequest, leadId: string): Promise<void> {
    enter('assigning');
    const next = await assign(request.toEmail !== undefined ? [] : [...state.previousOwners], request.toEmail);
    await handTo(next, leadId);
    state.reassignments += 1;
    state.escalated = false;
    await record('reassigned', { via: next.via, manual: true });
    request.done = true;
  }

  async function awaitFirstTouch(ctx: HandoverContext, leadId: string): Promise<void> {
    const { sla } = ctx;
    for (;;) {
      const since = Date.now();
      const deadline = state.escalated ? null : since + sla.firstTouchWithinMs;
      state.slaDueAt = deadline;
      enter(state.escalated ? 'escalated' : 'awaiting_first_touch');
      const result = await waitForTouch(deadline, since, sla.pollEveryMs, leadId);
      if (result === 'touched' || result === 'outcome') {
        state.slaDueAt = null;
        if (state.contactedAt === null) {
          // Sales decided without a recorded touch: deciding is a touch.
          state.contactedAt = Date.now();
          state.contactSource = 'manual';
        }
        await record('first_touch', {
          source: state.contactSource,
          withinSla: deadline === null ? null : state.contactedAt <= deadline,
        });
        return;
      }
      if (result === 'reassign') {
        const request = reassignRequests.shift();
        if (request !== undefined) await reassign(request, leadId);
        continue;
      }
      // Breached: the next eligible rep, never one who had the lead; after N reassignments escalate.
      state.breaches += 1;
      await record('sla_breached', { breaches: state.breaches });
      if (state.reassignments >= sla.reassignmentsBeforeEscalation) {
        enter('assigning');
        const target = await crmWrite.escalate({
          workflowId,
          runId,
          hubspotId: input.hubspotId,
          leadId,
          breaches: state.breaches,
          why: 'sla_breached',
        });
        await handTo(target, leadId);
        state.escalated = true;
        await record('escalated', { breaches: state.breaches });
      } else {
        enter('assigning');
        const next = await assign([...state.previousOwners]);
        await handTo(next, leadId);
        state.reassignments += 1;
        await record('reassigned', { via: next.via, manual: false });
      }
    }
  }

  async function waitForTouch(
    deadline: number | null,
    since: number,
    pollEveryMs: number | null,
    leadId: string,
  ): Promise<'touched' | 'outcome' | 'reassign' | 'breached'> {
    const woken = () => state.contactedAt !== null || state.outcome !== null || reassignRequests.length > 0;
    let poll = pollEveryMs;
    for (;;) {
      const remaining = deadline === null ? null : deadline - Date.now();
      if (remaining !== null && remaining <= 0) return 'breached';
      const wait = poll === null ? remaining : remaining === null ? poll : Math.min(remaining, poll);
      if (wait === null) await condition(woken);
      else await condition(woken, wait);
      if (state.outcome !== null) return 'outcome';
      if (state.contactedAt !== null) return 'touched';
      if (reassignRequests.length > 0) return 'reassign';
      // Without a deadline (escalated) the wait can be long: back off so history stays short.
      if (deadline === null && poll !== null)
        poll = Math.min(poll * 2, Math.max(MAX_OUTCOME_POLL_MS, pollEveryMs ?? 0));
      if (pollEveryMs !== null && state.ownerId !== null) {
        // The signal is the fast path; a Task logged without it is found by this check.
        const touch = await crmRead.checkFirstTouch({ leadId, since, ownerId: state.ownerId });
        if (touch.touched && state.contactedAt === null) {
          state.contactedAt = touch.at ?? Date.now();
          state.contactSource = touch.source;
          return 'touched';
        }
      }
    }
  }

  async function awaitOutcome(ctx: HandoverContext, leadId: string): Promise<void> {
    let interval = ctx.outcomePollEveryMs;
    const woken = () => state.outcome !== null || reassignRequests.length > 0;
    while (state.outcome === null) {
      if (interval === null) await condition(woken);
      else if (!(await condition(woken, interval))) {
        const found = await crmRead.checkOutcome({ leadId });
        if (found.outcome !== null && state.outcome === null) {
          state.outcome = found.outcome;
          state.reason = found.reason;
        }
        // Verdicts can take weeks: back off so a long wait keeps history short.
        interval = Math.min(interval * 2, Math.max(MAX_OUTCOME_POLL_MS, ctx.outcomePollEveryMs ?? 0));
      }
      const request = state.outcome === null ? reassignRequests.shift() : undefined;
      if (request !== undefined) {
        await reassign(request, leadId);
        enter('awaiting_outcome');
      }
    }
  }
}
