import { deletePolicyOf, deletionPlan } from '../mapping/lifecycle';
import { sourceSideOf, targetSideOf, type Side } from '../mapping/sync-plan';
import type { RecordLink } from '../store';
import { flowsTo, readDeletionCursor, saveDeletionCursor } from './cursors';
import { findLinks, idOn, partnerOf } from './links';
import { followMerges } from './merges';
import type { SyncRun } from './run-context';
import { recordName } from './sides';
import type { RecordOutcome, SyncDirection } from './types';
import { Rejections } from './writes';

const SIDE_NAME: Record<Side, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/**
 * Reads the deletions of a direction's source side once its window is read, and applies
 * them. A side whose policy is `ignore` is not read at all. When nothing flows the other
 * way, that direction never runs, so its side's deletions are read here too.
 */
export async function sweepDeletions(run: SyncRun, direction: SyncDirection, until: number): Promise<void> {
  const { store, sides, mapping } = run;
  const source = sourceSideOf(direction);
  const reverse: SyncDirection = direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce';
  for (const side of flowsTo(mapping, reverse) ? [source] : [source, targetSideOf(direction)]) {
    if (deletePolicyOf(mapping, side) === 'ignore') continue;
    const step = `reading deletions in ${SIDE_NAME[side]}`;
    run.heartbeat(step);
    const cursor = await readDeletionCursor(store, mapping.name, side);
    const { ids, next } = await sides[side].readDeletions(mapping, cursor, until, () => run.heartbeat(step));
    await applyDeletions(run, side, ids);
    if (!run.dryRun) await saveDeletionCursor(store, mapping.name, side, next);
  }
}

export interface AppliedDeletions {
  applied: number;
  /** Deleted records whose partner could not be removed (on_delete: archive): their link stays. */
  failed: Set<string>;
  /** With `confirm`: records not found that their side does not report deleted either. */
  unconfirmed: Set<string>;
  /** Records merged into another, whose link moved to the survivor. */
  moved: Map<string, RecordLink>;
  /** Every record found merged (see FollowedMerges.handled). */
  merged: Set<string>;
}

/**
 * Applies the mapping's `on_delete` policy to records deleted (Salesforce) or archived
 * (HubSpot) on `deletedIn`; ids without a link are not Baton's business and are skipped.
 * `clear_link` forgets link and snapshot and marks the survivor an orphan, so its next
 * change never re-creates the deleted record (a partner that comes back is matched
 * afresh). `archive` removes the survivor too; if that fails, the link stays and the
 * failure waits in sync_errors under the deleted record's id. `confirm`: only a missing
 * record was seen, so its side is asked first whether it really was deleted.
 */
export async function applyDeletions(
  run: SyncRun,
  deletedIn: Side,
  candidates: string[],
  { confirm = false }: { confirm?: boolean } = {},
): Promise<AppliedDeletions> {
  const { store, sides, mapping } = run;
  const failed = new Set<string>();
  const unconfirmed = new Set<string>();
  const moved = new Map<string, RecordLink>();
  const merged = new Set<string>();
  const plan = deletionPlan(mapping, deletedIn);
  if (candidates.length === 0) return { applied: 0, failed, unconfirmed, moved, merged };
  let ids = candidates;
  if (confirm) {
    const confirmed = await sides[deletedIn].confirmDeleted(candidates);
    ids = candidates.filter((id) => confirmed.has(id));
    for (const id of candidates) if (!confirmed.has(id)) unconfirmed.add(id);
  }
  // A merge is no deletion, whatever the policy: Salesforce deletes the records merged away,
  // HubSpot leaves them neither found nor archived. Their links move to the survivor.
  const mergeSuspects = deletedIn === 'salesforce' ? ids : [...unconfirmed];
  const merges = await followMerges(run, deletedIn, mergeSuspects);
  for (const [id, link] of merges.moved) moved.set(id, link);
  ids = ids.filter((id) => !merges.handled.has(id));
  for (const id of merges.handled) {
    unconfirmed.delete(id);
    merged.add(id);
  }
  if (plan.policy === 'ignore') return { applied: 0, failed, unconfirmed, moved, merged };
  const links = await findLinks(store, mapping.name, deletedIn, ids);
  const direction: SyncDirection = deletedIn === 'hubspot' ? 'to_salesforce' : 'to_hubspot';
  if (!confirm && !run.dryRun) {
    // An unlinked record that is gone has nothing left to retry either (e.g. one Baton asked RevOps to merge away).
    const linked = new Set(links.map((l) => idOn(l, deletedIn)));
    await store.syncErrors.resolve(
      mapping.name,
      direction,
      ids.filter((id) => !linked.has(id)),
    );
  }
  if (links.length === 0) return { applied: 0, failed, unconfirmed, moved, merged };

  const survivor: Side = deletedIn === 'hubspot' ? 'salesforce' : 'hubspot';
  const deletedId = (l: RecordLink) => idOn(l, deletedIn);
  const survivorId = (l: RecordLink) => partnerOf(l, deletedIn);
  const name = (side: Side, l: RecordLink) => recordName(side, idOn(l, side), l.salesforceObject);
  const gone = deletedIn === 'hubspot' ? 'was archived' : 'was deleted';
  const removed = survivor === 'hubspot' ? 'archived' : 'deleted';
  const reason = (l: RecordLink) =>
    plan.archiveOn
      ? `${name(deletedIn, l)} ${gone}, so ${name(survivor, l)} is ${removed} too (on_delete: archive)`
      : `${name(deletedIn, l)} ${gone}; the link is forgotten and ${name(survivor, l)} stays, and Baton will not create its partner again (on_delete: clear_link)`;
  const action: RecordOutcome['action'] = plan.archiveOn ? 'archive' : 'unlink';
  const report = (l: RecordLink) =>
    run.report({
      direction,
      sourceId: deletedId(l),
      targetId: survivorId(l),
      action,
      fields: {},
      writtenBack: {},
      reason: reason(l),
    });

  if (run.dryRun) {
    links.forEach(report);
    return { applied: links.length, failed, unconfirmed, moved, merged };
  }

  let done = links;
  const rejections = new Rejections(run, direction);
  if (plan.archiveOn) {
    run.heartbeat(`removing the partners of deleted records in ${SIDE_NAME[plan.archiveOn]}`);
    const results = await sides[plan.archiveOn].remove(links.map(survivorId));
    done = links.filter((l, i) => {
      const r = results[i];
      if (r?.ok) return true;
      failed.add(deletedId(l));
      rejections.add(
        deletedId(l),
        r && !r.ok ? r.code : 'NO_RESULT',
        `${name(deletedIn, l)} ${gone}, but ${name(survivor, l)} could not be ${removed} (on_delete: archive): ${r && !r.ok ? r.reason : 'no result for this record'}`,
      );
      return false;
    });
  }
  await store.links.delete(
    mapping.name,
    done.map((l) => l.hubspotId),
  );
  if (!plan.archiveOn)
    await store.links.addOrphans(
      done.map((l) => ({ mapping: mapping.name, side: survivor, recordId: survivorId(l), partnerId: deletedId(l) })),
    );
  await rejections.record();
  // Errors about either record of a pair that no longer exists have nothing left to retry.
  await store.syncErrors.resolve(mapping.name, direction, done.map(deletedId));
  await store.syncErrors.resolve(
    mapping.name,
    direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce',
    done.map(survivorId),
  );
  done.forEach(report);
  rejections.report();
  return { applied: done.length, failed, unconfirmed, moved, merged };
}
