/**
 * The types of the handover's activities: the steps' inputs and results (defined with the
 * steps in src/handover/types.ts). Workflows import
 * them from here, as types only.
 */

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
