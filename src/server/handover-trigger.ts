/**
 * Starting or nudging a lead's handover from outside its workflow: the webhook server and
 * the delta sync's qualification sweep both come through here. The workflow lives in
 * `workflows/` and is addressed by name only, so callers never bundle workflow code.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import type { HandoverTrigger } from '../../activities/handover-types';

export const HANDOVER_WORKFLOW_TYPE = 'leadHandover';
export const SCORE_CHANGED_SIGNAL = 'scoreChanged';

export interface HandoverInput {
  hubspotId: string;
  trigger: HandoverTrigger;
}

export interface ScoreChanged {
  score: number | null;
  /** When HubSpot saw the change (epoch ms), so the workflow can order late signals. */
  at: number;
}

/** A score as the `scoreChanged` signal carries it: a number, or null when blank or not a number (`1,200` reads as 1200). */
export function scoreValue(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const n = Number(raw.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

export function handoverWorkflowId(hubspotId: string): string {
  return `handover:${hubspotId}`;
}

/**
 * One handover per lead at a time:
 * - running → USE_EXISTING: the running handover only receives the signal;
 * - closed → ALLOW_DUPLICATE: a lead that was handed over and later recycled to nurture
 *   may qualify again and deserves a new run. A score event for a lead that is already
 *   with sales starts a run that ends at its own qualify step (lifecycle stage excludes it),
 *   and one sales sent back recently ends there too (qualification > requalify_after),
 *   so no lead is handed over twice by a stray event. ALLOW_DUPLICATE_FAILED_ONLY would
 *   lock recycled leads out forever.
 * Redeliveries of one webhook never reach this point (see DeliveryLedger).
 */
export async function signalHandover(
  client: Client,
  taskQueue: string,
  hubspotId: string,
  change: ScoreChanged,
  trigger: HandoverTrigger = 'webhook',
): Promise<string> {
  const input: HandoverInput = { hubspotId, trigger };
  const handle = await client.workflow.signalWithStart(HANDOVER_WORKFLOW_TYPE, {
    workflowId: handoverWorkflowId(hubspotId),
    taskQueue,
    args: [input],
    signal: SCORE_CHANGED_SIGNAL,
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
