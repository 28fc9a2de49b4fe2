/**
 * The contract of the `leadHandover` workflow: its type name, id, input and state, and the
 * signals, updates and query admins and sales use. The webhook server, the delta sync's
 * qualification sweep, the CLI, the worker and the workflow itself import it from here, so
 * no caller retypes a name that the committed replay histories depend on.
 *
 * Importing this file outside a workflow is safe: `defineSignal` and its kin only build
 * descriptors, and the Temporal client is imported as a type. The workflow's code stays in
 * workflow.ts, which nothing but the worker's bundle loads.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HandoverOutcome, OwnerVia, TouchSource } from '../../src/handover/types';

/** The workflow type, as `workflows/index.ts` exports the function and as histories record it. */
export const HANDOVER_WORKFLOW_TYPE = 'leadHandover';

/** One handover per lead at a time: the id is the HubSpot contact's. */
export function handoverWorkflowId(hubspotId: string): string {
  return `handover:${hubspotId}`;
}

export type HandoverTrigger = 'webhook' | 'sync' | 'manual';

/**
 * Only ids cross into workflow history: no names, emails or property values of the lead
 * (the activities re-read what they need).
 */
export interface LeadHandoverInput {
  hubspotId: string;
  trigger: HandoverTrigger;
}

// The vocabulary the workflow shares with its steps (src/handover): outcomes, touches, how owners were chosen.
export type { HandoverOutcome, OwnerVia, TouchSource };

export type HandoverStage =
  | 'qualifying'
  | 'not_qualified'
  | 'dossier'
  | 'presales'
  | 'assigning'
  | 'handed_over'
  | 'campaigns_stopped'
  | 'awaiting_first_touch'
  | 'escalated'
  | 'awaiting_outcome'
  | HandoverOutcome;

/** What `handoverStateQuery` and the updates answer, and what the run returns. */
export interface HandoverState {
  hubspotId: string;
  trigger: HandoverTrigger;
  stage: HandoverStage;
  leadId: string | null;
  /** Salesforce User (005…) or queue (00G…) id. */
  ownerId: string | null;
  /** The rep's work email; null for a queue. */
  ownerEmail: string | null;
  ownerVia: OwnerVia | null;
  /** Every rep who had this lead, oldest first (never assigned it again on a breach). */
  previousOwners: string[];
  /** Epoch ms of the current first-touch deadline, null when no SLA timer runs. */
  slaDueAt: number | null;
  breaches: number;
  reassignments: number;
  escalated: boolean;
  contactedAt: number | null;
  contactSource: TouchSource | null;
  /** Latest score sent with `scoreChangedSignal`. */
  score: number | null;
  outcome: HandoverOutcome | 'not_qualified' | null;
  reason: string | null;
  history: { stage: HandoverStage; at: number }[];
}

/** The workflow function's signature; workflow.ts implements it, typed clients name it. */
export type LeadHandoverWorkflow = (input: LeadHandoverInput) => Promise<HandoverState>;

export interface ScoreChanged {
  score: number | null;
  /** When HubSpot saw the change (epoch ms), so the workflow can order late signals. */
  at: number;
}
export interface Contacted {
  at: number;
  source: TouchSource;
}
export interface RejectInput {
  reason: string;
  /** Back to nurture as recycled (bad timing) instead of rejected. */
  recycle?: boolean;
}
/** `{}` lets routing pick the next eligible rep; `toEmail` names one. */
export interface ReassignInput {
  toEmail?: string;
}
export interface AcceptInput {
  note?: string;
}

// The names below are recorded in every history: changing one breaks running handovers.
export const scoreChangedSignal = defineSignal<[ScoreChanged]>('scoreChanged');
export const contactedSignal = defineSignal<[Contacted]>('contacted');
export const presalesDoneSignal = defineSignal<[]>('presalesDone');
export const acceptUpdate = defineUpdate<HandoverState, [AcceptInput]>('accept');
export const rejectUpdate = defineUpdate<HandoverState, [RejectInput]>('reject');
export const reassignUpdate = defineUpdate<HandoverState, [ReassignInput]>('reassign');
export const handoverStateQuery = defineQuery<HandoverState>('handoverState');

/** A score as the `scoreChanged` signal carries it: a number, or null when blank or not a number (`1,200` reads as 1200). */
export function scoreValue(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const n = Number(raw.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/**
 * Starts the lead's handover or signals the running one. One handover per lead at a time:
 * - running → USE_EXISTING: the running handover only receives the signal;
 * - closed → ALLOW_DUPLICATE: a lead that was handed over and later recycled to nurture
 *   may qualify again and deserves a new run. A score event for a lead that is already
 *   with sales starts a run that ends at its own qualify step (lifecycle stage excludes it),
 *   and one sales sent back recently ends there too (qualification > requalify_after),
 *   so no lead is handed over twice by a stray event. ALLOW_DUPLICATE_FAILED_ONLY would
 *   lock recycled leads out forever.
 * Redeliveries of one webhook never reach this point (see the server's DeliveryLedger).
 */
export async function signalHandover(
  client: Client,
  taskQueue: string,
  hubspotId: string,
  change: ScoreChanged,
  trigger: HandoverTrigger = 'webhook',
): Promise<string> {
  const input: LeadHandoverInput = { hubspotId, trigger };
  // By name, not by function: callers never load the workflow's code.
  const handle = await client.workflow.signalWithStart<LeadHandoverWorkflow, [ScoreChanged]>(HANDOVER_WORKFLOW_TYPE, {
    workflowId: handoverWorkflowId(hubspotId),
    taskQueue,
    args: [input],
    signal: scoreChangedSignal,
    signalArgs: [change],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return handle.signaledRunId;
}

/** Whether the lead's handover is running now; a closed or never started one is not. */
export async function handoverRunning(client: Client, hubspotId: string): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(handoverWorkflowId(hubspotId)).describe();
    return description.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export type StartOutcome = 'started' | 'running';

/**
 * Starts a handover unless one is running: the sweep finds the same lead on every change
 * and must neither restart nor keep signalling a running handover. A run that starts
 * between the check and the call only receives the signal (USE_EXISTING), so a race
 * costs one signal, never a second run.
 */
export async function startHandoverUnlessRunning(
  client: Client,
  taskQueue: string,
  hubspotId: string,
  change: ScoreChanged,
  trigger: HandoverTrigger,
): Promise<StartOutcome> {
  if (await handoverRunning(client, hubspotId)) return 'running';
  await signalHandover(client, taskQueue, hubspotId, change, trigger);
  return 'started';
}
