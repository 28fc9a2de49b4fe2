import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { HubSpotContactSide, type HubSpotContactSideOptions } from '../crm/hubspot/contact-side';
import { SalesforceRecordSide } from '../crm/salesforce/record-side';
import type { CrmSide, LeadConversions, SideRecord } from '../crm/side';
import { sourceSideOf, targetSideOf, type Side } from '../mapping/sync-plan';
import type { DirectionCursor, SyncDirection } from './types';

/** Finding merged records; both real sides have it, a side without it never sees a merge. */
export interface RecordMerges {
  /** Among records gone from this side, those merged into another: gone id → the survivor's id. */
  mergedInto(ids: string[]): Promise<Map<string, string>>;
  /** Records merged into these ones: gone id → the id (among `records`) of the one it was merged into. */
  mergedFrom(records: SideRecord[]): Promise<Map<string, string>>;
}

/** The two CRMs as the sync sees them; tests provide their own of the same type. */
export interface SyncSides {
  hubspot: CrmSide<Extract<DirectionCursor, { direction: 'to_salesforce' }>['cursor']> & Partial<RecordMerges>;
  salesforce: CrmSide<Extract<DirectionCursor, { direction: 'to_hubspot' }>['cursor']> &
    LeadConversions &
    Partial<RecordMerges>;
}

/** The real sides over the official clients. */
export function createSyncSides(
  clients: { hubspot: HubSpotClient; salesforce: Connection },
  hubspotOptions: HubSpotContactSideOptions = {},
): SyncSides {
  return {
    hubspot: new HubSpotContactSide(clients.hubspot, hubspotOptions),
    salesforce: new SalesforceRecordSide(clients.salesforce),
  };
}

/** The side a direction reads from. */
export function sourceOf(sides: SyncSides, direction: SyncDirection): CrmSide<unknown> {
  return sides[sourceSideOf(direction)];
}

/** The side a direction writes to. */
export function targetOf(sides: SyncSides, direction: SyncDirection): CrmSide<unknown> {
  return sides[targetSideOf(direction)];
}

/** A record as RevOps finds it in a message: a Lead and the Contact it became are named by their own object. */
export function recordName(side: Side, id: string, salesforceObject: string): string {
  return side === 'hubspot' ? `HubSpot contact ${id}` : `Salesforce ${salesforceObject} ${id}`;
}
