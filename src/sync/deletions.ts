import type { DeletionCursor } from '../crm/side';
import { deletePolicyOf, deletionPlan } from '../mapping/lifecycle';
import { sourceSideOf, targetSideOf, type Side } from '../mapping/sync-plan';
import type { RecordLink, SyncErrorInput } from '../store';
import type { SyncDirection } from './types';
import { type RecordOutcome, type SyncRun } from './run';
import { followMerges } from './merges';

// ---- deletions (`on_delete`) ----

export const SIDE_NAME: Record<Side, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/**
 * Reads the deletions of a direction's source side once its window is read, and applies
 * them. A side whose policy is `ignore` is not read at all. When nothing flows the other
 * way, that direction never runs, so its side's deletions are read here too.
 */
export async function sweepDeletions(run: SyncRun, direction: SyncDirection, until: number): Promise<void> {
  const { store, sides, mapping, options } = run;
  const source = sourceSideOf(direction);
  const reverse: SyncDirection = direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce';
  const flowsBack = mapping.fields.some((f) => f.direction === 'both' || f.direction === reverse);
  for (const side of flowsBack ? [source] : [source, targetSideOf(direction)]) {
    if (deletePolicyOf(mapping, side) === 'ignore') continue;
    options.heartbeat?.(`reading deletions in ${SIDE_NAME[side]}`);
    const name = `${mapping.name}:${side}:deleted`;
    const cursor = await store.cursors.get<DeletionCursor>(name);
    const { ids, next } = await sides[side].readDeletions(mapping, cursor, until, () =>
      options.heartbeat?.(`reading deletions in ${SIDE_NAME[side]}`),
    );
    await applyDeletions(run, side, ids);
    if (!options.dryRun) await store.cursors.set(name, next);
  }
}

/**
 * Applies the mapping's `on_delete` policy to records deleted (Salesforce) or archived
 * (HubSpot) on `deletedIn`; ids without a link are not Baton's business and are skipped.
 * `clear_link` forgets link and snapshot and marks the survivor an orphan, so its next
 * change never re-creates the deleted record (a partner that comes back is matched
 * afresh). `archive` removes the survivor too; if that fails, the link stays and the
 * failure waits in sync_errors under the deleted record's id.
 */
export async function applyDeletions(
  run: SyncRun,
  deletedIn: Side,
  candidates: string[],
  confirm = false,
): Promise<{
  applied: number;
  failed: Set<string>;
  unconfirmed: Set<string>;
  moved: Map<string, RecordLink>;
  merged: Set<string>;
}> {
  const { store, sides, mapping, options } = run;
  const failed = new Set<string>();
  const unconfirmed = new Set<string>();
  const moved = new Map<string, RecordLink>();
  const merged = new Set<string>();
  const plan = deletionPlan(mapping, deletedIn);
  if (candidates.length === 0) return { applied: 0, failed, unconfirmed, moved, merged };
  let ids = candidates;
  if (confirm) {
    // Only a missing record was seen: ask its side whether it really was deleted.
    const confirmed = await sides[deletedIn].confirmDeleted(candidates);
    ids = candidates.filter((id) => confirmed.has(id));
    for (const id of candidates) if (!confirmed.has(id)) unconfirmed.add(id);
  }
  // A merge is no deletion, whatever the policy: Salesforce deletes the records merged away,
  // HubSpot leaves them neither found nor archived. Their links move to the survivor.
  const mergeSuspects = deletedIn === 'salesforce' ? ids : [...unconfirmed];
  const merges = await followMerges(run, deletedIn, mergeSuspects, undefined);
  for (const [id, link] of merges.moved) moved.set(id, link);
  ids = ids.filter((id) => !merges.handled.has(id));
  for (const id of merges.handled) {
    unconfirmed.delete(id);
    merged.add(id);
  }
  if (plan.policy === 'ignore') return { applied: 0, failed, unconfirmed, moved, merged };
  const links =
    deletedIn === 'hubspot'
      ? await store.links.findByHubSpotIds(mapping.name, ids)
      : await store.links.findBySalesforceIds(mapping.name, ids);
  const direction: SyncDirection = deletedIn === 'hubspot' ? 'to_salesforce' : 'to_hubspot';
  if (!confirm && !options.dryRun) {
    // An unlinked record that is gone has nothing left to retry either (e.g. one Baton asked RevOps to merge away).
    const linked = new Set(links.map((l) => (deletedIn === 'hubspot' ? l.hubspotId : l.salesforceId)));
    await store.syncErrors.resolve(
      mapping.name,
      direction,
      ids.filter((id) => !linked.has(id)),
    );
  }
  if (links.length === 0) return { applied: 0, failed, unconfirmed, moved, merged };

  const survivor: Side = deletedIn === 'hubspot' ? 'salesforce' : 'hubspot';
  const deletedId = (l: RecordLink) => (deletedIn === 'hubspot' ? l.hubspotId : l.salesforceId);
  const survivorId = (l: RecordLink) => (deletedIn === 'hubspot' ? l.salesforceId : l.hubspotId);
  const name = (side: Side, l: RecordLink) =>
    side === 'hubspot' ? `HubSpot contact ${l.hubspotId}` : `Salesforce ${l.salesforceObject} ${l.salesforceId}`;
  const gone = deletedIn === 'hubspot' ? 'was archived' : 'was deleted';
  const reason = (l: RecordLink) =>
    plan.archiveOn
      ? `${name(deletedIn, l)} ${gone}, so ${name(survivor, l)} is ${survivor === 'hubspot' ? 'archived' : 'deleted'} too (on_delete: archive)`
      : `${name(deletedIn, l)} ${gone}; the link is forgotten and ${name(survivor, l)} stays, and Baton will not create its partner again (on_delete: clear_link)`;
  const action: RecordOutcome['action'] = plan.archiveOn ? 'archive' : 'unlink';
  const report = (l: RecordLink) =>
    options.onRecord?.({
      direction,
      sourceId: deletedId(l),
      targetId: survivorId(l),
      action,
      fields: {},
      writtenBack: {},
      reason: reason(l),
    });

  if (options.dryRun) {
    links.forEach(report);
    return { applied: links.length, failed, unconfirmed, moved, merged };
  }

  let done = links;
  const errors: SyncErrorInput[] = [];
  if (plan.archiveOn) {
    options.heartbeat?.(`removing the partners of deleted records in ${SIDE_NAME[plan.archiveOn]}`);
    const results = await sides[plan.archiveOn].remove(links.map(survivorId));
    done = links.filter((l, i) => {
      const r = results[i];
      if (r?.ok) return true;
      failed.add(deletedId(l));
      errors.push({
        mapping: mapping.name,
        direction,
        sourceId: deletedId(l),
        errorCode: r && !r.ok ? r.code : 'NO_RESULT',
        reason: `${name(deletedIn, l)} ${gone}, but ${name(survivor, l)} could not be ${survivor === 'hubspot' ? 'archived' : 'deleted'} (on_delete: archive): ${r && !r.ok ? r.reason : 'no result for this record'}`,
        payload: {},
      });
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
  if (errors.length > 0) await store.syncErrors.record(errors);
  // Errors about either record of a pair that no longer exists have nothing left to retry.
  await store.syncErrors.resolve(mapping.name, direction, done.map(deletedId));
  await store.syncErrors.resolve(
    mapping.name,
    direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce',
    done.map(survivorId),
  );
  done.forEach(report);
  for (const e of errors)
    options.onRecord?.({
      direction,
      sourceId: e.sourceId,
      action: 'rejected',
      fields: {},
      writtenBack: {},
      reason: e.reason,
    });
  return { applied: done.length, failed, unconfirmed, moved, merged };
}
