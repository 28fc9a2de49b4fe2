import type { SideRecord } from '../crm/side';
import { sweepDeletions } from './deletions';
import { syncRecords } from './records';
import type { SyncRun } from './run-context';
import type { DirectionCursor, PageCounts } from './types';

export interface PageResult {
  /** Where the next page starts; the caller stores it (savePosition) once this page returned. */
  next: DirectionCursor;
  /** True when the direction's window is read to its end. */
  done: boolean;
  counts: PageCounts;
}

/**
 * One page of one direction: read → link or match → fetch the other side → plan each
 * record against its snapshot → write in full batches → persist links, snapshots and
 * errors. Every record read ends written, unchanged or in sync_errors, so the cursor
 * may move past all of them. The page that finishes a direction's window also applies
 * the deletions on its source side (see sweepDeletions).
 */
export async function syncPage(run: SyncRun, position: DirectionCursor, until: number): Promise<PageResult> {
  const { records, next, done } = await readPage(run, position, until);
  const counts = await syncRecords(run, position.direction, records);
  if (done) await sweepDeletions(run, position.direction, until);
  return { next, done, counts };
}

/** Reads until a full write batch is collected or the window is exhausted. */
async function readPage(
  run: SyncRun,
  position: DirectionCursor,
  until: number,
): Promise<{ records: SideRecord[]; next: DirectionCursor; done: boolean }> {
  const { sides, mapping } = run;
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
