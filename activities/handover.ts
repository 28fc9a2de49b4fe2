import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { createHandoverCrm, type HandoverCrm } from '../src/handover/crm';
import { HandoverService, type HandoverServiceDeps } from '../src/handover/service';
import { withActivityFailures as adapt } from './failures';
import type { HandoverActivities } from './handover-types';

/**
 * The handover's activities: src/handover's steps (src/handover/service.ts), adapted to
 * Temporal. Built over injected clients (src/worker.ts builds the real ones) or, in tests,
 * over a HandoverCrm of their own.
 */
export type HandoverDeps = Omit<HandoverServiceDeps, 'crm'> &
  ({ crm: HandoverCrm } | { hubspot: HubSpotClient; salesforce: Connection });

export function createHandoverActivities(deps: HandoverDeps): HandoverActivities {
  const crm = 'crm' in deps ? deps.crm : createHandoverCrm(deps.hubspot, deps.salesforce);
  const steps = new HandoverService({ ...deps, crm });
  return {
    loadHandoverContext: adapt((input) => steps.loadHandoverContext(input)),
    writeDossier: adapt((input) => steps.writeDossier(input)),
    assignOwner: adapt((input) => steps.assignOwner(input)),
    upsertLeadWithOwner: adapt((input) => steps.upsertLeadWithOwner(input)),
    stopCampaigns: adapt((input) => steps.stopCampaigns(input)),
    checkFirstTouch: adapt((input) => steps.checkFirstTouch(input)),
    checkOutcome: adapt((input) => steps.checkOutcome(input)),
    escalate: adapt((input) => steps.escalate(input)),
    writeOutcomeToHubSpot: adapt((input) => steps.writeOutcomeToHubSpot(input)),
    recordHandoverEvent: adapt((input) => steps.recordHandoverEvent(input)),
  };
}
