import { CAMPAIGN_SCOPE_ALL } from '../../src/config/handover-file';
import {
  inCampaignScope,
  listsToLeave,
  workflowsToLeave,
  type CampaignStopPolicy,
} from '../../src/handover/campaign-scope';
import { stopCampaigns } from '../../src/handover/campaigns';
import type { HandoverCrm } from '../../src/handover/crm';
import { CrmError } from '../../src/crm/errors';

/** Which campaigns a handover stops, and how the stop meets HubSpot's answers. */

const stop = (over: Partial<CampaignStopPolicy> = {}): CampaignStopPolicy => ({
  lists: CAMPAIGN_SCOPE_ALL,
  keep_lists: [],
  workflows: CAMPAIGN_SCOPE_ALL,
  keep_workflows: [],
  ...over,
});

describe('campaign scope', () => {
  it.each<{
    scope: CampaignStopPolicy['lists'];
    keep: string[];
    campaign: { id: string; name: string | null };
    stops: boolean;
  }>([
    { scope: CAMPAIGN_SCOPE_ALL, keep: [], campaign: { id: '7', name: 'Webinar' }, stops: true },
    { scope: CAMPAIGN_SCOPE_ALL, keep: ['7'], campaign: { id: '7', name: 'Webinar' }, stops: false },
    { scope: CAMPAIGN_SCOPE_ALL, keep: [' newsletter '], campaign: { id: '1', name: 'Newsletter' }, stops: false },
    { scope: ['Webinar'], keep: [], campaign: { id: '7', name: 'webinar' }, stops: true },
    { scope: ['7'], keep: [], campaign: { id: '7', name: null }, stops: true },
    { scope: ['Webinar'], keep: [], campaign: { id: '8', name: 'Trial' }, stops: false },
    // Kept wins over listed.
    { scope: ['7'], keep: ['Webinar'], campaign: { id: '7', name: 'Webinar' }, stops: false },
  ])('$campaign.name ($campaign.id) in $scope keeping $keep: $stops', ({ scope, keep, campaign, stops }) => {
    expect(inCampaignScope(campaign, scope, keep)).toBe(stops);
  });

  it('leaves active lists to the suppression property, and keeps what the policy keeps', () => {
    const lists = [
      { id: '1', listId: '1', name: 'Newsletter', processingType: 'MANUAL' },
      { id: '2', listId: '2', name: 'Webinar', processingType: 'MANUAL' },
      { id: '3', listId: '3', name: 'Engaged', processingType: 'DYNAMIC' },
      { id: '4', listId: '4', name: 'Import', processingType: 'SNAPSHOT' },
    ];
    expect(listsToLeave(lists, stop({ keep_lists: ['Newsletter'] })).map((l) => l.id)).toEqual(['2', '4']);
    expect(workflowsToLeave([{ id: '9', name: 'Nurture' }], stop({ workflows: ['Onboarding'] }))).toEqual([]);
  });
});

/** A HubSpot side that answers from memory; `refuse` makes one method throw as src/crm does. */
function fakeHubSpot(refuse?: keyof HandoverCrm['hubspot']) {
  const calls: string[] = [];
  const forbidden = new CrmError({
    system: 'HubSpot',
    endpoint: 'PUT /crm/v3/lists/{listId}/memberships/remove',
    status: 403,
    type: 'HubSpotForbidden',
    hint: 'the private app lacks the crm.lists.write scope',
  });
  const call = async <T>(name: keyof HandoverCrm['hubspot'], value: T): Promise<T> => {
    calls.push(name);
    if (name === refuse) throw forbidden;
    return value;
  };
  const hubspot = {
    listMemberships: () => call('listMemberships', ['1', '2']),
    listsByIds: () =>
      call('listsByIds', [
        { listId: '1', name: 'Newsletter', processingType: 'MANUAL' },
        { listId: '2', name: 'Webinar', processingType: 'MANUAL' },
      ]),
    removeFromList: (listId: string) => call('removeFromList', undefined).then(() => void calls.push(`left ${listId}`)),
    workflowEnrollments: () => call('workflowEnrollments', [{ id: '5100001', name: 'Nurture' }]),
    unenroll: () => call('unenroll', true),
    updateContact: () => call('updateContact', undefined),
  } as unknown as HandoverCrm['hubspot'];
  return { hubspot, calls };
}

describe('stopCampaigns', () => {
  const policy = stop({
    keep_lists: ['Newsletter'],
    suppression: { property: 'baton_in_sales_handover', value: 'true' },
  });

  it('leaves the lists and workflows in scope and sets the suppression property', async () => {
    const { hubspot, calls } = fakeHubSpot();
    const ensured: string[] = [];
    const result = await stopCampaigns(hubspot, policy, { id: '1001', email: 'ada@example.com' }, async (name) => {
      ensured.push(name);
    });
    expect(result).toEqual({ listsLeft: 1, workflowsLeft: 1, suppressed: true });
    expect(calls).toContain('left 2');
    expect(calls).not.toContain('left 1');
    expect(ensured).toEqual(['baton_in_sales_handover']);
  });

  it.each(['listMemberships', 'listsByIds', 'removeFromList', 'workflowEnrollments', 'unenroll'] as const)(
    'fails when %s is refused instead of reporting nothing to leave',
    async (refused) => {
      const { hubspot } = fakeHubSpot(refused);
      await expect(
        stopCampaigns(hubspot, policy, { id: '1001', email: 'ada@example.com' }, async () => undefined),
      ).rejects.toMatchObject({ type: 'HubSpotForbidden' });
    },
  );

  it('skips workflows for a contact without an email: the legacy API unenrolls by email', async () => {
    const { hubspot, calls } = fakeHubSpot();
    const result = await stopCampaigns(hubspot, stop(), { id: '1001', email: null }, async () => undefined);
    expect(result).toEqual({ listsLeft: 2, workflowsLeft: 0, suppressed: false });
    expect(calls).not.toContain('workflowEnrollments');
  });
});
