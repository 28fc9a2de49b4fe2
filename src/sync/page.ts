import type { ObjectMapping } from '../config/mapping-file';
import type { CrmSide, SideRecord } from '../crm/side';
import { followsLeadConversion } from '../mapping/lifecycle';
import { sourceSideOf } from '../mapping/sync-plan';
import type { DirectionCursor, PageCounts, SyncDirection } from './types';
import { type SyncSides, type SyncRun } from './run';
import { syncBatch } from './batch';
import { followToSalesforce, followToHubSpot } from './conversions';
import { sweepDeletions, applyDeletions } from './deletions';

/** Reads until a full write batch is collected or the window is exhausted. */
export async function readSource(
  sides: SyncSides,
  mapping: ObjectMapping,
  position: DirectionCursor,
  until: number,
): Promise<{ records: SideRecord[]; next: DirectionCursor; done: boolean }> {
  const records: SideRecord[] = [];
  if (position.direction === 'to_salesforce') {
    let cursor = position.cursor;
    for (;;) {
      const page = await sides.hubspot.readChanged(mapping, cursor, until);
      records.push(...page.records);
      cursor = page.next;
      if (page.done || records.length >= sides.salesforce.writeBatch)
        return { records, next: { direction: 'to_salesforce', cursor }, done: page.done };
    }
  }
  const page = await sides.salesforce.readChanged(mapping, position.cursor, until);
  return { records: page.records, next: { direction: 'to_hubspot', cursor: page.next }, done: page.done };
}

/**
 * One page of one direction: read → link or match → fetch the other side → plan each
 * record against its snapshot → write in full batches → persist links, snapshots and
 * errors. Every record read ends written, unchanged or in sync_errors, so the cursor
 * may move past all of them. The page that finishes a direction's window also applies
 * the deletions on its source side (see sweepDeletions).
 */
export async function syncPage(
  run: SyncRun,
  position: DirectionCursor,
  until: number,
): Promise<{ next: DirectionCursor; done: boolean; counts: PageCounts }> {
  const { sides, mapping } = run;
  const { records, next, done } = await readSource(sides, mapping, position, until);
  const counts = await syncRecords(run, position.direction, records);
  if (done) await sweepDeletions(run, position.direction, until);
  return { next, done, counts };
}

/** The re-sync of records that failed before: read them again by id and run them through the same path. */
export async function retryRecords(run: SyncRun, direction: SyncDirection, ids: string[]): Promise<PageCounts> {
  const { store, sides, mapping, options } = run;
  const source: CrmSide<unknown> = direction === 'to_salesforce' ? sides.hubspot : sides.salesforce;
  const found = await source.fetch(mapping, ids);
  const records = [...found.values()];
  let missing = ids.filter((id) => !found.has(id));
  if (direction === 'to_hubspot' && followsLeadConversion(mapping) && missing.length > 0) {
    // Errors of a converted mapping's Contacts carry Contact ids.
    const contacts = await sides.salesforce.fetch(await sides.salesforce.contactMapping(mapping), missing);
    records.push(...contacts.values());
    missing = missing.filter((id) => !contacts.has(id));
  }
  const counts = await syncRecords(run, direction, records);
  if (missing.length > 0) {
    // Gone from its own side since it failed: its deletion is applied now (or already was),
    // and nothing is left to retry unless applying it failed.
    const { failed, unconfirmed } = await applyDeletions(run, sourceSideOf(direction), missing, true);
    if (!options.dryRun)
      await store.syncErrors.resolve(
        mapping.name,
        direction,
        missing.filter((id) => !failed.has(id) && !unconfirmed.has(id)),
      );
  }
  return counts;
}

export async function syncRecords(run: SyncRun, direction: SyncDirection, records: SideRecord[]): Promise<PageCounts> {
  const { mapping } = run;
  if (!followsLeadConversion(mapping)) return (await syncBatch(run, direction, records)).counts;
  return direction === 'to_salesforce' ? followToSalesforce(run, records) : followToHubSpot(run, records);
}
