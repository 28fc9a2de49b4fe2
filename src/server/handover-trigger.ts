/**
 * Starting or nudging a lead's handover from outside Temporal. The workflow lives in
 * `workflows/` and is addressed by name only, so the server never bundles workflow code.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';

export const HANDOVER_WORKFLOW_TYPE = 'leadHandover';
export const SCORE_CHANGED_SIGNAL = 'scoreChanged';

export interface HandoverInput {
  hubspotId: string;
  trigger: 'webhook';
}

export interface ScoreChanged {
  score: number | null;
  /** When HubSpot saw the change (epoch ms), so the workflow can order late signals. */
  at: number;
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
 *   so no lead is handed over twice by a stray event. ALLOW_DUPLICATE_FAILED_ONLY would
 *   lock recycled leads out forever.
 * Redeliveries of one webhook never reach this point (see DeliveryLedger).
 */
export async function signalHandover(temporal: Client, taskQueue: string, hubspotId: string, change: ScoreChanged): Promise<string> {
  const input: HandoverInput = { hubspotId, trigger: 'webhook' };
  const handle = await temporal.workflow.signalWithStart(HANDOVER_WORKFLOW_TYPE, {
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
