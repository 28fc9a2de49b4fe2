import { listsToLeave, workflowsToLeave, type CampaignStopPolicy } from './campaign-scope';
import type { HandoverCrm } from './crm';
import type { StopCampaignsResult } from './types';

/**
 * Takes a handed-over lead out of marketing: out of the lists and workflows in scope, and
 * marked with the suppression property that sequences and active lists react to. Any
 * answer HubSpot gives that is not one of the planned ones fails the step (a CrmError):
 * a lead left in a campaign must never be reported as stopped.
 */
export async function stopCampaigns(
  hubspot: HandoverCrm['hubspot'],
  stop: CampaignStopPolicy,
  contact: { id: string; email: string | null },
  ensureProperty: (name: string) => Promise<void>,
): Promise<StopCampaignsResult> {
  // Lists, workflows and the property are independent, and so is each removal: they go
  // out together, so the lead leaves marketing in a few round trips however many
  // campaigns it is in.
  const leaveLists = async (): Promise<number> => {
    const memberOf = await hubspot.listMemberships(contact.id);
    if (memberOf.length === 0) return 0;
    const lists = (await hubspot.listsByIds(memberOf)).map((l) => ({ ...l, id: l.listId }));
    const leaving = listsToLeave(lists, stop);
    await Promise.all(leaving.map((list) => hubspot.removeFromList(list.listId, contact.id)));
    return leaving.length;
  };

  // The legacy API unenrolls by email: a contact without one cannot be in a workflow's way.
  const leaveWorkflows = async (): Promise<number> => {
    const email = contact.email;
    if (email === null) return 0;
    const enrolled = await hubspot.workflowEnrollments(contact.id);
    const left = await Promise.all(workflowsToLeave(enrolled, stop).map((wf) => hubspot.unenroll(wf.id, email)));
    return left.filter(Boolean).length;
  };

  // Sequences and active lists have no API to leave: a property their filters react to.
  const suppress = async (): Promise<boolean> => {
    if (!stop.suppression) return false;
    await ensureProperty(stop.suppression.property);
    await hubspot.updateContact(contact.id, { [stop.suppression.property]: stop.suppression.value });
    return true;
  };

  const [listsLeft, workflowsLeft, suppressed] = await Promise.all([leaveLists(), leaveWorkflows(), suppress()]);
  return { listsLeft, workflowsLeft, suppressed };
}
