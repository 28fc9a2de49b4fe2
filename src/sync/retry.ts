import { followsLeadConversion } from '../mapping/lifecycle';
import { sourceSideOf } from '../mapping/sync-plan';
import { applyDeletions } from './deletions';
import { syncRecords } from './records';
import type { SyncRun } from './run-context';
import { sourceOf } from './sides';
import { addCounts, SYNC_DIRECTIONS, ZERO_COUNTS, type PageCounts, type SyncDirection } from './types';

/** How many failed records one retry reads again by id, at most. */
export const RETRY_BATCH = 200;

/** The re-sync of records that failed before: read them again by id and run them through the same path. */
export async function retryRecords(run: SyncRun, direction: SyncDirection, ids: string[]): Promise<PageCounts> {
  const { store, sides, mapping } = run;
  const found = await sourceOf(sides, direction).fetch(mapping, ids);
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
    const { failed, unconfirmed } = await applyDeletions(run, sourceSideOf(direction), missing, { confirm: true });
    if (!run.dryRun)
      await store.syncErrors.resolve(
        mapping.name,
        direction,
        missing.filter((id) => !failed.has(id) && !unconfirmed.has(id)),
      );
  }
  return counts;
}

/** Records rejected before whose backoff has run out, oldest due first. */
export async function retryDueErrors(run: SyncRun, direction: SyncDirection, limit = RETRY_BATCH): Promise<PageCounts> {
  const due = await run.store.syncErrors.due(run.mapping.name, direction, new Date(run.host.now()), limit);
  if (due.length === 0) return { ...ZERO_COUNTS };
  return retryRecords(
    run,
    direction,
    due.map((e) => e.sourceId),
  );
}

/**
 * Every unresolved error of the mapping, now, whatever its backoff; given-up errors too,
 * since whoever asks has usually just fixed the record or the mapping.
 */
export async function retryUnresolvedErrors(run: SyncRun): Promise<Record<SyncDirection, PageCounts>> {
  const out: Record<SyncDirection, PageCounts> = { to_salesforce: { ...ZERO_COUNTS }, to_hubspot: { ...ZERO_COUNTS } };
  const open = await run.store.syncErrors.list({ mapping: run.mapping.name, status: ['open', 'gave_up'] });
  for (const direction of SYNC_DIRECTIONS) {
    const ids = open.filter((e) => e.direction === direction).map((e) => e.sourceId);
    for (let i = 0; i < ids.length; i += RETRY_BATCH)
      addCounts(out[direction], await retryRecords(run, direction, ids.slice(i, i + RETRY_BATCH)));
  }
  return out;
}
