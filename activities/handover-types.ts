/**
 * The types of the handover's activities: the steps' inputs and results (defined with the
 * steps in src/handover/types.ts) and the delta sync's qualification sweep. Workflows import
 * them from here, as types only.
 */

import type { HubSpotCursor } from '../src/crm/hubspot/cursor';
import type { HandoverSteps } from '../src/handover/types';

export type {
  OwnerRef,
  HandoverContext,
  LoadHandoverContextInput,
  WriteDossierInput,
  WriteDossierResult,
  AssignOwnerInput,
  UpsertLeadWithOwnerInput,
  StopCampaignsInput,
  StopCampaignsResult,
  CheckFirstTouchInput,
  FirstTouch,
  CheckOutcomeInput,
  OutcomeCheck,
  EscalateInput,
  WriteOutcomeInput,
  RecordHandoverEventInput,
} from '../src/handover/types';

/** The handover's activities; `createHandoverActivities` builds them, tests fake them with this type. */
export type HandoverActivities = HandoverSteps;

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
