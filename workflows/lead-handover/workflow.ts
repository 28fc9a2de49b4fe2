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
  type AcceptInput,
  type HandoverOutcome,
  type HandoverStage,
  type HandoverState,
  type LeadHandoverInput,
  type ReassignInput,
  type RejectInput,
  type TouchSource,
} from './api';

/**
 * One marketing → sales handover per lead (workflow id `handover:<hubspot id>`): qualify,
 * dossier, optional pre-sales, owner, Lead, campaign stop, SLA with reassignment and
 * escalation, sales' verdict back to HubSpot. History holds ids and stage data only; the
 * activities read and write the CRMs. Durations come from the policy through
 * `loadHandoverContext`, so the workflow never reads a file or a clock of its own.
 * The contract (names, input, state, signals, updates, query) is in api.ts.
 *
 * Committed histories (test/histories) replay against this code: the commands it issues,
 * and their order, must not change without `patched()`.
 */

// One proxy per retry profile, each exposing only its activities. Reads are cheap to
// retry; writes are idempotent (matched by link, key or subject) so retrying them is safe
// too. Errors no retry can fix are non-retryable failures and fail fast.
const NON_RETRYABLE = ['InvalidPolicy', 'InvalidLead', 'UnknownOwner'];
const { loadHandoverContext, checkFirstTouch, checkOutcome } = proxyActivities<
  Pick<HandoverActivities, 'loadHandoverContext' | 'checkFirstTouch' | 'checkOutcome'>
>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});
const { writeDossier, assignOwner, upsertLeadWithOwner, stopCampaigns, escalate, writeOutcomeToHubSpot } =
  proxyActivities<
    Pick<
      HandoverActivities,
      'writeDossier' | 'assignOwner' | 'upsertLeadWithOwner' | 'stopCampaigns' | 'escalate' | 'writeOutcomeToHubSpot'
    >
  >({
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: 20,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
const { recordHandoverEvent } = proxyActivities<Pick<HandoverActivities, 'recordHandoverEvent'>>({
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

type TouchWait = 'touched' | 'outcome' | 'reassign' | 'breached';

export async function leadHandover(input: LeadHandoverInput): Promise<HandoverState> {
  const handover = new Handover(input);
  setHandler(handoverStateQuery, () => handover.state);
  setHandler(scoreChangedSignal, (change) => handover.scoreChanged(change.score));
  setHandler(contactedSignal, ({ at, source }) => handover.contacted(at, source));
  setHandler(presalesDoneSignal, () => handover.presalesReleased());
  setHandler(acceptUpdate, (args) => handover.accept(args), { validator: (_args) => handover.validateAccept() });
  setHandler(rejectUpdate, (args) => handover.reject(args), { validator: (args) => handover.validateReject(args) });
  setHandler(reassignUpdate, (args) => handover.reassign(args), {
    validator: (args) => handover.validateReassign(args),
  });
  return handover.run();
}

/** The handover's state and steps; `run` is the main line, the message handlers feed it. */
class Handover {
  readonly state: HandoverState;
  private readonly workflowId: string;
  private readonly runId: string;
  private presalesDone = false;
  private readonly reassignRequests: ReassignRequest[] = [];
  private eventSeq = 0;
  private assignments = 0;

  constructor(private readonly input: LeadHandoverInput) {
    ({ workflowId: this.workflowId, runId: this.runId } = workflowInfo());
    this.state = {
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
  }

  async run(): Promise<HandoverState> {
    const { state } = this;
    this.enter('qualifying');
    const ctx = await loadHandoverContext({ ...this.ids(), hubspotId: this.input.hubspotId });
    if (!ctx.qualified) {
      state.outcome = 'not_qualified';
      this.enter('not_qualified');
      await this.record('not_qualified');
      return state;
    }
    await this.record('qualified', { trigger: this.input.trigger });

    const leadId = await this.dossier(ctx);
    const escalated = await this.presales(ctx, leadId);
    await this.handOver(escalated ?? (await this.firstAssignment()), leadId);

    await this.awaitFirstTouch(ctx, leadId);
    this.failPendingReassigns('the first touch is recorded; reassign again once the lead waits for an outcome');
    if (state.outcome === null) {
      this.enter('awaiting_outcome');
      await this.awaitOutcome(ctx, leadId);
    }
    this.failPendingReassigns('sales has decided on this lead');
    await this.close();
    return state;
  }

  // ---- messages ----

  scoreChanged(score: number | null): void {
    this.state.score = score;
  }

  contacted(at: number, source: TouchSource): void {
    // A touch counts once someone owns the lead; the first one is kept.
    if (this.state.ownerId === null || this.state.contactedAt !== null) return;
    this.state.contactedAt = at;
    this.state.contactSource = source;
  }

  presalesReleased(): void {
    this.presalesDone = true;
  }

  validateAccept(): void {
    if (!this.isOpen()) throw new Error(`the handover cannot be accepted in stage ${this.state.stage}`);
  }

  accept(args: AcceptInput | undefined): Promise<HandoverState> {
    return this.decide('accepted', args?.note?.trim() || null);
  }

  validateReject(args: RejectInput | undefined): void {
    if (typeof args?.reason !== 'string' || args.reason.trim() === '') throw new Error('a rejection needs a reason');
    if (args.reason.length > MAX_REASON_LENGTH)
      throw new Error(`the reason must be at most ${MAX_REASON_LENGTH} characters`);
    if (!this.isOpen()) throw new Error(`the handover cannot be rejected in stage ${this.state.stage}`);
  }

  reject(args: RejectInput): Promise<HandoverState> {
    return this.decide(args.recycle === true ? 'recycled' : 'rejected', args.reason.trim());
  }

  validateReassign(args: ReassignInput | undefined): void {
    if (args?.toEmail !== undefined && !EMAIL.test(args.toEmail.trim()))
      throw new Error('toEmail must be an email address like dana@example.com');
    if (!this.isOpen()) throw new Error(`the handover cannot be reassigned in stage ${this.state.stage}`);
  }

  /** Queued for the main line, which owns every activity call; answers once it is done. */
  async reassign(args: ReassignInput | undefined): Promise<HandoverState> {
    const request: ReassignRequest = {
      done: false,
      error: null,
      ...(args?.toEmail ? { toEmail: args.toEmail.trim().toLowerCase() } : {}),
    };
    this.reassignRequests.push(request);
    await condition(() => request.done);
    if (request.error !== null) throw ApplicationFailure.nonRetryable(request.error, 'ReassignRefused');
    return this.state;
  }

  /** Sales' verdict: the main line writes it back; the update answers when the run got there. */
  private async decide(outcome: HandoverOutcome, reason: string | null): Promise<HandoverState> {
    this.state.outcome = outcome;
    this.state.reason = reason;
    await condition(() => this.state.stage === outcome);
    return this.state;
  }

  // ---- steps ----

  private async dossier(ctx: HandoverContext): Promise<string> {
    this.enter('dossier');
    const dossier = await writeDossier({
      workflowId: this.workflowId,
      hubspotId: this.input.hubspotId,
      leadId: ctx.leadId,
    });
    this.state.leadId = dossier.leadId;
    await this.record('dossier_written', { leadId: dossier.leadId, taskId: dossier.taskId });
    return dossier.leadId;
  }

  /** The research queue first, when the policy says so; the escalation target if it timed out and escalates. */
  private async presales(ctx: HandoverContext, leadId: string): Promise<OwnerRef | null> {
    if (ctx.presales === null) return null;
    this.enter('presales');
    await this.handTo({ ownerId: ctx.presales.queueId, kind: 'queue', email: null, via: 'presales_queue' }, leadId);
    const released = await condition(() => this.presalesDone, ctx.presales.releaseWithinMs);
    await this.record(released ? 'presales_released' : 'presales_timeout');
    if (released || ctx.presales.onTimeout !== 'escalate') return null;
    const owner = await escalate({
      ...this.ids(),
      hubspotId: this.input.hubspotId,
      leadId,
      breaches: 0,
      why: 'presales_timeout',
    });
    this.state.escalated = true;
    return owner;
  }

  private async firstAssignment(): Promise<OwnerRef> {
    this.enter('assigning');
    return this.assign([]);
  }

  /** The owner gets the Lead, and marketing lets go of the lead. */
  private async handOver(owner: OwnerRef, leadId: string): Promise<void> {
    await this.handTo(owner, leadId);
    this.enter('handed_over');
    await this.record('handed_over', { via: owner.via, kind: owner.kind });
    const stopped = await stopCampaigns({ workflowId: this.workflowId, hubspotId: this.input.hubspotId });
    this.enter('campaigns_stopped');
    await this.record('campaigns_stopped', { ...stopped });
  }

  private async close(): Promise<void> {
    const { state } = this;
    const outcome = state.outcome as HandoverOutcome;
    await writeOutcomeToHubSpot({
      workflowId: this.workflowId,
      hubspotId: this.input.hubspotId,
      outcome,
      reason: state.reason,
    });
    await this.record(outcome, { hasReason: state.reason !== null });
    state.slaDueAt = null;
    this.enter(outcome);
    // Update handlers return the final state: let them finish before the run completes.
    await condition(allHandlersFinished);
  }

  private async assign(exclude: string[], toEmail?: string): Promise<OwnerRef> {
    const attempt = this.assignments;
    this.assignments += 1;
    return assignOwner({
      ...this.ids(),
      hubspotId: this.input.hubspotId,
      attempt,
      exclude,
      ...(toEmail !== undefined ? { toEmail } : {}),
    });
  }

  private async handTo(owner: OwnerRef, leadId: string): Promise<void> {
    this.setOwner(owner);
    await upsertLeadWithOwner({ hubspotId: this.input.hubspotId, leadId, ownerId: owner.ownerId });
  }

  /** Handles one admin reassignment: a new owner and, before the first touch, a new SLA timer. */
  private async reassignNow(request: ReassignRequest, leadId: string): Promise<void> {
    this.enter('assigning');
    const next = await this.assign(
      request.toEmail !== undefined ? [] : [...this.state.previousOwners],
      request.toEmail,
    );
    await this.handTo(next, leadId);
    this.state.reassignments += 1;
    this.state.escalated = false;
    await this.record('reassigned', { via: next.via, manual: true });
    request.done = true;
  }

  private failPendingReassigns(why: string): void {
    for (const r of this.reassignRequests.splice(0)) {
      r.error = why;
      r.done = true;
    }
  }

  // ---- waiting for sales ----

  private async awaitFirstTouch(ctx: HandoverContext, leadId: string): Promise<void> {
    const { state } = this;
    const { sla } = ctx;
    for (;;) {
      const since = Date.now();
      const deadline = state.escalated ? null : since + sla.firstTouchWithinMs;
      state.slaDueAt = deadline;
      this.enter(state.escalated ? 'escalated' : 'awaiting_first_touch');
      const result = await this.waitForTouch(deadline, since, sla.pollEveryMs, leadId);
      if (result === 'touched' || result === 'outcome') {
        state.slaDueAt = null;
        if (state.contactedAt === null) {
          // Sales decided without a recorded touch: deciding is a touch.
          state.contactedAt = Date.now();
          state.contactSource = 'manual';
        }
        await this.record('first_touch', {
          source: state.contactSource,
          withinSla: deadline === null ? null : state.contactedAt <= deadline,
        });
        return;
      }
      if (result === 'reassign') {
        const request = this.reassignRequests.shift();
        if (request !== undefined) await this.reassignNow(request, leadId);
        continue;
      }
      await this.breached(sla, leadId);
    }
  }

  /** Breached: the next eligible rep, never one who had the lead; after N reassignments escalate. */
  private async breached(sla: HandoverContext['sla'], leadId: string): Promise<void> {
    const { state } = this;
    state.breaches += 1;
    await this.record('sla_breached', { breaches: state.breaches });
    this.enter('assigning');
    if (state.reassignments >= sla.reassignmentsBeforeEscalation) {
      const target = await escalate({
        ...this.ids(),
        hubspotId: this.input.hubspotId,
        leadId,
        breaches: state.breaches,
        why: 'sla_breached',
      });
      await this.handTo(target, leadId);
      state.escalated = true;
      await this.record('escalated', { breaches: state.breaches });
    } else {
      const next = await this.assign([...state.previousOwners]);
      await this.handTo(next, leadId);
      state.reassignments += 1;
      await this.record('reassigned', { via: next.via, manual: false });
    }
  }

  private async waitForTouch(
    deadline: number | null,
    since: number,
    pollEveryMs: number | null,
    leadId: string,
  ): Promise<TouchWait> {
    const { state } = this;
    const woken = () => state.contactedAt !== null || state.outcome !== null || this.reassignRequests.length > 0;
    let poll = pollEveryMs;
    for (;;) {
      const remaining = deadline === null ? null : deadline - Date.now();
      if (remaining !== null && remaining <= 0) return 'breached';
      const wait = poll === null ? remaining : remaining === null ? poll : Math.min(remaining, poll);
      if (wait === null) await condition(woken);
      else await condition(woken, wait);
      if (state.outcome !== null) return 'outcome';
      if (state.contactedAt !== null) return 'touched';
      if (this.reassignRequests.length > 0) return 'reassign';
      // Without a deadline (escalated) the wait can be long: back off so history stays short.
      if (deadline === null && poll !== null)
        poll = Math.min(poll * 2, Math.max(MAX_OUTCOME_POLL_MS, pollEveryMs ?? 0));
      if (pollEveryMs !== null && state.ownerId !== null) {
        // The signal is the fast path; a Task logged without it is found by this check.
        const touch = await checkFirstTouch({ leadId, since, ownerId: state.ownerId });
        if (touch.touched && state.contactedAt === null) {
          state.contactedAt = touch.at ?? Date.now();
          state.contactSource = touch.source;
          return 'touched';
        }
      }
    }
  }

  private async awaitOutcome(ctx: HandoverContext, leadId: string): Promise<void> {
    const { state } = this;
    let interval = ctx.outcomePollEveryMs;
    const woken = () => state.outcome !== null || this.reassignRequests.length > 0;
    while (state.outcome === null) {
      if (interval === null) await condition(woken);
      else if (!(await condition(woken, interval))) {
        const found = await checkOutcome({ leadId });
        if (found.outcome !== null && state.outcome === null) {
          state.outcome = found.outcome;
          state.reason = found.reason;
        }
        // Verdicts can take weeks: back off so a long wait keeps history short.
        interval = Math.min(interval * 2, Math.max(MAX_OUTCOME_POLL_MS, ctx.outcomePollEveryMs ?? 0));
      }
      const request = state.outcome === null ? this.reassignRequests.shift() : undefined;
      if (request !== undefined) {
        await this.reassignNow(request, leadId);
        this.enter('awaiting_outcome');
      }
    }
  }

  // ---- bookkeeping ----

  private ids(): { workflowId: string; runId: string } {
    return { workflowId: this.workflowId, runId: this.runId };
  }

  private isOpen(): boolean {
    return OPEN_STAGES.includes(this.state.stage) && this.state.outcome === null;
  }

  private setOwner(owner: OwnerRef): void {
    const { state } = this;
    state.ownerId = owner.ownerId;
    state.ownerEmail = owner.email;
    state.ownerVia = owner.via;
    if (owner.email !== null && !state.previousOwners.includes(owner.email)) state.previousOwners.push(owner.email);
  }

  /** Every stage is visible in the Web UI through search attributes: stages and ids, no personal data. */
  private enter(stage: HandoverStage): void {
    const { state } = this;
    state.stage = stage;
    state.history.push({ stage, at: Date.now() });
    upsertSearchAttributes([
      { key: BatonStage, value: state.stage },
      { key: BatonOwner, value: state.ownerId },
      { key: BatonSlaDueAt, value: state.slaDueAt === null ? null : new Date(state.slaDueAt) },
      { key: BatonOutcome, value: state.outcome },
    ]);
  }

  private record(type: string, data?: RecordHandoverEventInput['data']): Promise<void> {
    this.eventSeq += 1;
    // The run id keeps keys apart when a later run reuses the workflow id (a re-qualified lead).
    return recordHandoverEvent({
      workflowId: this.workflowId,
      hubspotId: this.input.hubspotId,
      type,
      ownerId: this.state.ownerId,
      at: Date.now(),
      eventKey: `${this.workflowId}:${this.runId}:${this.eventSeq}:${type}`,
      data,
    });
  }
}
