import type { SideRecord } from '../crm/side';
import { followsLeadConversion } from '../mapping/lifecycle';
import { syncBatch } from './batch';
import { followToHubSpot, followToSalesforce } from './conversions';
import type { SyncRun } from './run-context';
import type { PageCounts, SyncDirection } from './types';

/**
 * Syncs records read from the direction's source side. Every one ends written, unchanged or
 * in sync_errors, so a cursor may move past all of them. A mapping that follows Lead
 * conversions takes its Leads' Contacts along.
 */
export async function syncRecords(run: SyncRun, direction: SyncDirection, records: SideRecord[]): Promise<PageCounts> {
  if (!followsLeadConversion(run.mapping)) return (await syncBatch(run, direction, records)).counts;
  return direction === 'to_salesforce' ? followToSalesforce(run, records) : followToHubSpot(run, records);
}
