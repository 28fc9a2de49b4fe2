import { CAMPAIGN_SCOPE_ALL, type HandoverPolicy } from '../config/handover-file';

/**
 * Which of marketing's campaigns a handover stops (`campaign_stop` in mappings/handover.yaml):
 * every active one or those listed, minus the ones to keep. Entries name a campaign by id,
 * or by name ignoring case and surrounding spaces. Pure, so the rules are tested without a CRM.
 */

export type CampaignStopPolicy = HandoverPolicy['campaign_stop'];
export type CampaignScope = CampaignStopPolicy['lists'];

export interface Campaign {
  id: string;
  name: string | null;
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const names = (entry: string, c: Campaign) => entry === c.id || (c.name !== null && sameName(entry, c.name));

/** In scope and not kept. */
export function inCampaignScope(campaign: Campaign, scope: CampaignScope, keep: readonly string[]): boolean {
  if (keep.some((k) => names(k, campaign))) return false;
  return scope === CAMPAIGN_SCOPE_ALL || scope.some((k) => names(k, campaign));
}

export interface ListCampaign extends Campaign {
  /** MANUAL, SNAPSHOT or DYNAMIC. */
  processingType: string | null;
}

/**
 * The lists to take the lead out of. Active (DYNAMIC) lists cannot be left through the API:
 * their filters decide, and the suppression property is what those filters react to.
 */
export function listsToLeave<L extends ListCampaign>(lists: readonly L[], stop: CampaignStopPolicy): L[] {
  return lists.filter((l) => l.processingType !== 'DYNAMIC' && inCampaignScope(l, stop.lists, stop.keep_lists));
}

/** The workflows to unenroll the lead from. */
export function workflowsToLeave<W extends Campaign>(workflows: readonly W[], stop: CampaignStopPolicy): W[] {
  return workflows.filter((w) => inCampaignScope(w, stop.workflows, stop.keep_workflows));
}
