import type { Side } from '../mapping/sync-plan';
import type { RecordLink, Store } from '../store';

/** The links of these records on `side`; ids without a link are absent. */
export function findLinks(store: Store, mapping: string, side: Side, ids: string[]): Promise<RecordLink[]> {
  return side === 'hubspot'
    ? store.links.findByHubSpotIds(mapping, ids)
    : store.links.findBySalesforceIds(mapping, ids);
}

/** A link's record on `side`. */
export function idOn(link: Pick<RecordLink, 'hubspotId' | 'salesforceId'>, side: Side): string {
  return side === 'hubspot' ? link.hubspotId : link.salesforceId;
}

/** The partner of a link's record on `side`: its record on the other side. */
export function partnerOf(link: Pick<RecordLink, 'hubspotId' | 'salesforceId'>, side: Side): string {
  return side === 'hubspot' ? link.salesforceId : link.hubspotId;
}
