import type { HubSpotCursor } from '../crm/hubspot/cursor';
/**
 * What the `leadHandover` workflow and its steps exchange. Only ids, stage data and
 * durations cross this boundary, so workflow history holds no dossier and no personal data
 * (no names, emails of leads or property values): the steps re-read what they need.
 * The workflow's own contract (input, state, messages) is workflows/lead-handover/api.ts,
 * which takes the vocabulary below from here.
 */

import type { AssignedVia } from './routing';

export type HandoverOutcome = 'accepted' | 'rejected' | 'recycled';
export type TouchSource = 'task' | 'status_change' | 'manual';

/** How an owner was chosen: by routing, or by the stages that set owners themselves. */
export type OwnerVia = AssignedVia | 'presales_queue' | 'escalation' | 'manual';

/** A Salesforce owner: a User (005…) or a queue (00G…). `email` is a rep's work address, never the lead's. */
export interface OwnerRef {
  ownerId: string;
  kind: 'user' | 'queue';
  email: string | null;
  via: OwnerVia;
}

/** The policy as far as the workflow needs it, with durations already parsed (the workflow stays deterministic). */
export interface HandoverContext {
  qualified: boolean;
  /** The Salesforce Lead already linked to this contact, if any. */
  leadId: string | null;
  presales: { queueId: string; releaseWithinMs: number; onTimeout: 'route' | 'escalate' } | null;
  sla: {
    firstTouchWithinMs: number;
    reassignmentsBeforeEscalation: number;
    /** How often the workflow checks Salesforce for a first touch as a fallback to the signal; null: never. */
    pollEveryMs: number | null;
  };
  /** How often the workflow reads the Lead's status for sales' verdict; null: only the updates decide. */
  outcomePollEveryMs: number | null;
}

export interface LoadHandoverContextInput {
  workflowId: string;
  runId: string;
  hubspotId: string;
}

export interface WriteDossierInput {
  workflowId: string;
  hubspotId: string;
  leadId: string | null;
}

export interface WriteDossierResult {
  leadId: string;
  /** The Task that holds the dossier. */
  taskId: string;
}

export interface AssignOwnerInput {
  workflowId: string;
  runId: string;
  hubspotId: string;
  /** Which assignment of this handover (0 first, 1 after the first breach …); keys idempotency. */
  attempt: number;
  /** Reps (emails) who already had this lead. */
  exclude: string[];
  /** An admin's choice (`reassignUpdate`); still checked against Salesforce. */
  toEmail?: string;
}

export interface UpsertLeadWithOwnerInput {
  hubspotId: string;
  leadId: string;
  ownerId: string;
}

export interface StopCampaignsInput {
  workflowId: string;
  hubspotId: string;
}

export interface StopCampaignsResult {
  listsLeft: number;
  workflowsLeft: number;
  suppressed: boolean;
}

export interface CheckFirstTouchInput {
  leadId: string;
  /** Epoch ms of the (re)assignment: only touches after it count. */
  since: number;
  ownerId: string;
}

export interface FirstTouch {
  touched: boolean;
  at: number | null;
  source: TouchSource | null;
}

export interface CheckOutcomeInput {
  leadId: string;
}

export interface OutcomeCheck {
  outcome: HandoverOutcome | null;
  reason: string | null;
}

export interface EscalateInput {
  workflowId: string;
  runId: string;
  hubspotId: string;
  leadId: string;
  breaches: number;
  why: 'sla_breached' | 'presales_timeout';
}

export interface WriteOutcomeInput {
  workflowId: string;
  hubspotId: string;
  outcome: HandoverOutcome;
  reason: string | null;
}

export interface RecordHandoverEventInput {
  workflowId: string;
  hubspotId: string;
  type: string;
  ownerId: string | null;
  /** Epoch ms in workflow time, so a replayed or retried event keeps its time. */
  at: number;
  /** Idempotency: an event with a stored key is not appended again. */
  eventKey: string;
  data?: Record<string, string | number | boolean | null>;
}

/**
 * The handover's steps, one per activity: src/handover implements them over the CRMs and
 * the store, activities/handover.ts adapts them to Temporal, workflow tests fake them.
 */
export interface HandoverSteps {
  loadHandoverContext(input: LoadHandoverContextInput): Promise<HandoverContext>;
  writeDossier(input: WriteDossierInput): Promise<WriteDossierResult>;
  assignOwner(input: AssignOwnerInput): Promise<OwnerRef>;
  upsertLeadWithOwner(input: UpsertLeadWithOwnerInput): Promise<{ leadId: string }>;
  stopCampaigns(input: StopCampaignsInput): Promise<StopCampaignsResult>;
  checkFirstTouch(input: CheckFirstTouchInput): Promise<FirstTouch>;
  checkOutcome(input: CheckOutcomeInput): Promise<OutcomeCheck>;
  escalate(input: EscalateInput): Promise<OwnerRef>;
  writeOutcomeToHubSpot(input: WriteOutcomeInput): Promise<void>;
  recordHandoverEvent(input: RecordHandoverEventInput): Promise<void>;
}

/** What one page of the qualification sweep did; counts only, so the sync's history stays small. */
export interface SweepCounts {
  /** Contacts at or above the score threshold that changed in the window. */
  read: number;
  /** Of those, the ones that meet every criterion, cool-down included. */
  qualified: number;
  started: number;
  /** Qualified, but their handover is running already: left alone. */
  running: number;
  /** Would qualify, but sales sent them back within `requalify_after`. */
  coolingDown: number;
  notQualified: number;
  /** Could not be evaluated; recorded in sync_errors and retried later. */
  failed: number;
}

export const ZERO_SWEEP_COUNTS: SweepCounts = {
  read: 0,
  qualified: 0,
  started: 0,
  running: 0,
  coolingDown: 0,
  notQualified: 0,
  failed: 0,
};

export interface SweepPageInput {
  /** The sweep's own HubSpot read position, of the same kind as the sync's. */
  cursor: HubSpotCursor;
  /** Upper bound of the delta sync run's window (epoch ms). */
  until: number;
}

export interface SweepPageResult {
  cursor: HubSpotCursor;
  done: boolean;
  counts: SweepCounts;
}
