import type { CrmSide, SideRecord, WriteResult } from '../crm/side';
import { deletePolicyOf, followsLeadConversion } from '../mapping/lifecycle';
import { planRecord, sourceSideOf, targetSideOf, type RecordPlan } from '../mapping/sync-plan';
import { normaliseMatchKey, type Values } from '../mapping/transform';
import { CREATION_CLAIM_TTL_MS, type RecordLinkInput, type SnapshotInput, type SyncErrorInput } from '../store';
import { ZERO_COUNTS, type PageCounts, type SyncDirection } from './types';
import {
  type RecordMerges,
  CONVERTED_LEAD_ERROR,
  MERGED_INTO_LINKED,
  creationHolder,
  type RecordOutcome,
  type SyncRun,
  addCounts,
} from './run';
import { followMerges } from './merges';
import { applyDeletions } from './deletions';

export interface Item {
  source: SideRecord;
  targetId?: string;
  linked: boolean;
  plan?: RecordPlan;
}

/** A HubSpot contact whose Lead turned out converted: it carries on with the Contact. */
export interface Diverted {
  source: SideRecord;
  leadId: string;
  /** Unknown when only a refused write told us (the Lead is read again for it). */
  contactId?: string;
}

// ---- one batch of one object ----

/**
 * The page engine for one Salesforce object. `assumed` adds links a dry run would have
 * made (a followed conversion), so the preview plans against them.
 */
export async function syncBatch(
  run: SyncRun,
  direction: SyncDirection,
  records: SideRecord[],
  assumed?: Map<string, string>,
  resync = true,
): Promise<{ counts: PageCounts; diverted: Diverted[] }> {
  const { store, sides, mapping, mappers, options } = run;
  const counts: PageCounts = { ...ZERO_COUNTS };
  const diverted: Diverted[] = [];
  const dryRun = options.dryRun ?? false;
  counts.read = records.length;
  if (records.length === 0) return { counts, diverted };

  const follow = followsLeadConversion(mapping);
  const source: CrmSide<unknown> = direction === 'to_salesforce' ? sides.hubspot : sides.salesforce;
  const target: CrmSide<unknown> = direction === 'to_salesforce' ? sides.salesforce : sides.hubspot;
  const srcSide = sourceSideOf(direction);
  const tgtSide = targetSideOf(direction);
  const sourceMatchField = srcSide === 'hubspot' ? mapping.match.hubspot : mapping.match.salesforce;
  const hubspotIdOf = (item: Item) => (srcSide === 'hubspot' ? item.source.id : item.targetId);
  const salesforceName = `Salesforce ${mapping.salesforce.object}`;

  const ids = records.map((r) => r.id);
  const links =
    srcSide === 'hubspot'
      ? await store.links.findByHubSpotIds(mapping.name, ids)
      : await store.links.findBySalesforceIds(mapping.name, ids);
  const linkOf = new Map(
    links.map((l) => (srcSide === 'hubspot' ? [l.hubspotId, l.salesforceId] : [l.salesforceId, l.hubspotId])),
  );
  for (const [from, to] of assumed ?? []) linkOf.set(from, to);

  const errors: SyncErrorInput[] = [];
  const reject = (item: Item, code: string | null, reason: string, payload: Values, retry = true) =>
    errors.push({
      mapping: mapping.name,
      direction,
      sourceId: item.source.id,
      errorCode: code,
      reason,
      payload,
      ...(retry ? {} : { retry: false }),
    });
  const convertedReason = (leadId: string, contactId?: string) =>
    `Salesforce Lead ${leadId} was converted${contactId ? ` into Contact ${contactId}` : ''} and refuses changes from then on, so Baton does not retry; ` +
    `set lead_conversion: follow in ${mapping.file} to sync this contact with the Contact instead`;

  const items: Item[] = [];
  for (const r of records) {
    const linked = linkOf.get(r.id);
    const item: Item = { source: r, targetId: linked, linked: linked !== undefined };
    if (!item.linked && normaliseMatchKey(mapping, r.values[sourceMatchField]) === null) {
      reject(
        item,
        'MISSING_MATCH_KEY',
        `${srcSide === 'hubspot' ? 'HubSpot contact' : salesforceName} ${r.id} has no ${sourceMatchField}; Baton matches records on it, so it cannot be synced until it has one`,
        r.values,
      );
      continue;
    }
    items.push(item);
  }

  // A record that absorbed a linked one in a merge takes over its link, so the merge's
  // survivor is not created afresh. HubSpot names what a contact absorbed in the contact
  // itself: every record is checked, linked ones too (for duplicates), at no cost.
  // Salesforce needs a query, spent only on records that would otherwise be created.
  const sourceMerges: Partial<RecordMerges> = srcSide === 'hubspot' ? sides.hubspot : sides.salesforce;
  const absorb = async (candidates: Item[]) => {
    if (candidates.length === 0 || !sourceMerges.mergedFrom) return;
    const absorbed = await sourceMerges.mergedFrom(candidates.map((i) => i.source));
    if (absorbed.size === 0) return;
    const { moved } = await followMerges(run, srcSide, [], absorbed);
    const partnerOf = new Map(
      [...moved.values()].map((l) =>
        srcSide === 'hubspot' ? [l.hubspotId, l.salesforceId] : [l.salesforceId, l.hubspotId],
      ),
    );
    for (const i of candidates) {
      const partner = partnerOf.get(i.source.id);
      if (partner !== undefined && !i.linked) Object.assign(i, { targetId: partner, linked: true });
    }
  };
  if (srcSide === 'hubspot') await absorb(items);

  // A record left without a link because a merge showed it a duplicate waits for RevOps to
  // merge it: matched, it would share a partner with its duplicate; created, it would bring
  // back the record that was merged away.
  const waiting = items.filter((i) => !i.linked);
  const parked =
    waiting.length > 0
      ? await store.syncErrors.findUnresolved(
          mapping.name,
          direction,
          waiting.map((i) => i.source.id),
          MERGED_INTO_LINKED,
        )
      : new Set<string>();
  for (const i of waiting.filter((w) => parked.has(w.source.id))) {
    items.splice(items.indexOf(i), 1);
    counts.unchanged += 1;
    options.onRecord?.({
      direction,
      sourceId: i.source.id,
      action: 'skip',
      fields: {},
      writtenBack: {},
      reason: `it is a duplicate Baton asked RevOps to merge (${MERGED_INTO_LINKED} in baton sync errors); it is not synced until then`,
    });
  }

  // Link or match before any create, so a record that already exists is never duplicated.
  const unmatched = items.filter((i) => !i.linked);
  if (unmatched.length > 0) {
    options.heartbeat?.('matching');
    const keyOf = (i: Item) => normaliseMatchKey(mapping, i.source.values[sourceMatchField]) as string;
    const found = await target.findByMatchKey(mapping, unmatched.map(keyOf));
    for (const i of unmatched) i.targetId = found.get(keyOf(i));
  }
  if (srcSide === 'salesforce') {
    // Asked about records that would be created and were changed after their creation (a
    // merge changes its survivor; a new record, the bulk of what is created, was not, and
    // costs no query), and those matched to a contact linked to another record (typically
    // the one merged into them): following the merge keeps the pair's snapshot, where
    // linking by the match would start over without one.
    const matched = items.filter((i) => !i.linked && i.targetId !== undefined);
    const linkedElsewhere = new Set(
      matched.length > 0
        ? (
            await store.links.findByHubSpotIds(
              mapping.name,
              matched.map((i) => i.targetId as string),
            )
          ).map((l) => l.hubspotId)
        : [],
    );
    const changedSinceCreated = (i: Item) =>
      i.source.createdAt === undefined || i.source.modifiedAt > i.source.createdAt;
    await absorb(
      items.filter(
        (i) => !i.linked && (i.targetId === undefined ? changedSinceCreated(i) : linkedElsewhere.has(i.targetId)),
      ),
    );
  }

  options.heartbeat?.('reading the other side');
  const targetIds = items.flatMap((i) => (i.targetId ? [i.targetId] : []));
  const current = targetIds.length > 0 ? await target.fetch(mapping, targetIds) : new Map<string, SideRecord>();
  const hubspotIds = items.flatMap((i) => {
    const h = hubspotIdOf(i);
    return h ? [h] : [];
  });
  const snapshots = await store.links.getSnapshots(mapping.name, hubspotIds);

  const missingTargets: Item[] = [];
  const onConverted = new Map<Item, string>();
  for (const item of items) {
    const targetRecord = item.targetId ? current.get(item.targetId) : undefined;
    if (item.linked && !targetRecord) {
      missingTargets.push(item);
      continue;
    }
    if (!targetRecord) item.targetId = undefined;
    if (targetRecord?.convertedTo !== undefined && item.targetId !== undefined) {
      if (follow) {
        diverted.push({ source: item.source, leadId: item.targetId, contactId: targetRecord.convertedTo });
        continue;
      }
      onConverted.set(item, targetRecord.convertedTo);
    }
    const hubspotId = hubspotIdOf(item);
    const snapshot = hubspotId && item.linked ? snapshots.get(hubspotId) : undefined;
    try {
      item.plan = planRecord(mapping, mappers, direction, item.source, targetRecord, snapshot);
    } catch (err) {
      // A value the mapping cannot convert (an unmapped picklist value with policy "error", a bad date, …).
      reject(item, 'MAPPING_FAILED', err instanceof Error ? err.message : String(err), item.source.values);
      continue;
    }
    const contactId = onConverted.get(item);
    if (contactId !== undefined && Object.keys(item.plan.writeTarget).length > 0) {
      reject(
        item,
        CONVERTED_LEAD_ERROR,
        convertedReason(item.targetId as string, contactId),
        item.plan.writeTarget,
        false,
      );
      item.plan = undefined;
      continue;
    }
    counts.conflicts += item.plan.conflicts.length;
  }

  // A linked partner that is gone: the mapping's deletion policy for its side decides.
  const partner = direction === 'to_salesforce' ? salesforceName : 'HubSpot contact';
  const targetMissing = (item: Item, why: string) =>
    reject(
      item,
      'TARGET_MISSING',
      `the linked ${partner} ${item.targetId} no longer exists (${why}); Baton does not re-create it`,
      item.source.values,
    );
  // A partner merged into another record is followed first, under every policy.
  const again: SideRecord[] = [];
  if (missingTargets.length > 0) {
    const ignore = deletePolicyOf(mapping, tgtSide) === 'ignore';
    const { failed, unconfirmed, moved, merged } = await applyDeletions(
      run,
      tgtSide,
      missingTargets.map((i) => i.targetId as string),
      true,
    );
    for (const item of missingTargets) {
      const id = item.targetId as string;
      if (moved.has(id) && !dryRun) again.push(item.source);
      else if (moved.has(id) || merged.has(id)) counts.unchanged += 1;
      else if (unconfirmed.has(id))
        targetMissing(item, 'not found, yet neither archived nor merged into another contact');
      else if (ignore) targetMissing(item, 'deleted or archived; on_delete: ignore');
      else if (failed.has(id)) counts.rejected += 1;
      else counts.unchanged += 1;
    }
  }

  type Planned = Item & { plan: RecordPlan };
  let planned = items.filter((i): i is Planned => i.plan !== undefined);

  // A record whose partner was deleted under clear_link gets no new one: only a match links it again.
  const wouldCreate = planned.filter((i) => i.targetId === undefined);
  const orphans =
    wouldCreate.length > 0
      ? await store.links.findOrphans(
          mapping.name,
          srcSide,
          wouldCreate.map((i) => i.source.id),
        )
      : new Set<string>();
  const skipped = planned.filter((i) => i.targetId === undefined && orphans.has(i.source.id));
  planned = planned.filter((i) => !skipped.includes(i));
  counts.unchanged += skipped.length;
  for (const i of skipped) {
    options.onRecord?.({
      direction,
      sourceId: i.source.id,
      action: 'skip',
      fields: {},
      writtenBack: {},
      reason: `its linked ${tgtSide === 'hubspot' ? 'HubSpot contact was archived' : `${salesforceName} was deleted`} (on_delete: clear_link), so Baton does not create a new one; one that appears with the same ${tgtSide === 'hubspot' ? mapping.match.hubspot : mapping.match.salesforce} is linked`,
    });
  }

  let toCreate = planned.filter((i) => i.targetId === undefined);
  // A handover may be creating the same contact's Lead right now: whoever holds the claim
  // creates; a record claimed by someone else is retried with the sync errors, once linked.
  const holder = !dryRun && srcSide === 'hubspot' && toCreate.length > 0 ? creationHolder(options) : null;
  if (holder !== null) {
    const ids = toCreate.map((i) => i.source.id);
    const claimed = await store.claims.claim(mapping.name, ids, holder, CREATION_CLAIM_TTL_MS);
    // Linked between our read and our claim (the other creator finished): not ours to create either.
    const linkedNow = new Set((await store.links.findByHubSpotIds(mapping.name, [...claimed])).map((l) => l.hubspotId));
    const busy = toCreate.filter((i) => !claimed.has(i.source.id) || linkedNow.has(i.source.id));
    for (const item of busy) {
      reject(
        item,
        'CREATE_IN_PROGRESS',
        `a handover is creating the ${salesforceName} of HubSpot contact ${item.source.id} at this moment; the sync writes to it on its next retry`,
        item.plan?.writeTarget ?? item.source.values,
      );
    }
    toCreate = toCreate.filter((i) => !busy.includes(i));
    planned = planned.filter((i) => !busy.includes(i));
  }
  const toUpdate = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeTarget).length > 0);
  const toWriteBack = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeSource).length > 0);

  const report = (item: Item, action: RecordOutcome['action'], reason?: string) =>
    options.onRecord?.({
      direction,
      sourceId: item.source.id,
      targetId: item.targetId,
      action,
      fields: item.plan?.writeTarget ?? {},
      writtenBack: item.plan?.writeSource ?? {},
      ...(reason ? { reason } : {}),
    });

  if (dryRun) {
    counts.created = toCreate.length;
    counts.updated = toUpdate.length;
    counts.unchanged += planned.length - toCreate.length - toUpdate.length;
    counts.rejected += errors.length;
    for (const i of planned)
      report(
        i,
        i.targetId === undefined ? 'create' : Object.keys(i.plan.writeTarget).length > 0 ? 'update' : 'unchanged',
      );
    for (const e of errors)
      options.onRecord?.({
        direction,
        sourceId: e.sourceId,
        action: 'rejected',
        fields: {},
        writtenBack: {},
        reason: e.reason,
      });
    return { counts, diverted };
  }

  const failed = new Set<Item>();
  const applyResults = (batch: Planned[], results: WriteResult[], payload: (i: Planned) => Values, toLead: boolean) => {
    batch.forEach((item, n) => {
      const r = results[n];
      if (r?.ok) {
        if (item.targetId === undefined) item.targetId = r.id;
        return;
      }
      failed.add(item);
      const leadId = direction === 'to_salesforce' ? item.targetId : item.source.id;
      if (r && r.code === CONVERTED_LEAD_ERROR && leadId !== undefined) {
        // Converted between our read and our write.
        if (follow && toLead) diverted.push({ source: item.source, leadId });
        else reject(item, r.code, convertedReason(leadId), payload(item), follow);
        return;
      }
      reject(item, r ? r.code : 'NO_RESULT', r ? r.reason : 'no result for this record', payload(item));
    });
  };

  const newLinks: RecordLinkInput[] = [];
  const linkInput = (item: Item): RecordLinkInput => {
    const [hubspotId, salesforceId] =
      srcSide === 'hubspot' ? [item.source.id, item.targetId] : [item.targetId, item.source.id];
    return {
      mapping: mapping.name,
      hubspotId: hubspotId as string,
      salesforceObject: mapping.salesforce.object,
      salesforceId: salesforceId as string,
    };
  };

  if (toCreate.length > 0) {
    options.heartbeat?.('creating');
    applyResults(
      toCreate,
      await target.create(
        mapping,
        toCreate.map((i) => i.plan.writeTarget),
      ),
      (i) => i.plan.writeTarget,
      false,
    );
    // Links right away: a retry of this activity then updates instead of creating again.
    const created = toCreate.filter((i) => !failed.has(i));
    counts.created = created.length;
    if (created.length > 0) await store.links.upsert(created.map(linkInput));
  }
  if (holder !== null)
    await store.claims.release(
      mapping.name,
      toCreate.map((i) => i.source.id),
      holder,
    );
  if (toUpdate.length > 0) {
    options.heartbeat?.('updating');
    applyResults(
      toUpdate,
      await target.update(
        mapping,
        toUpdate.map((i) => ({ id: i.targetId as string, values: i.plan.writeTarget })),
      ),
      (i) => i.plan.writeTarget,
      direction === 'to_salesforce',
    );
  }
  if (toWriteBack.length > 0) {
    options.heartbeat?.('writing conflicts back');
    applyResults(
      toWriteBack,
      await source.update(
        mapping,
        toWriteBack.map((i) => ({ id: i.source.id, values: i.plan.writeSource })),
      ),
      (i) => i.plan.writeSource,
      false,
    );
  }

  const newSnapshots: SnapshotInput[] = [];
  const succeeded: string[] = [];
  for (const item of planned) {
    if (failed.has(item) || item.targetId === undefined) continue;
    if (!item.linked && !toCreate.includes(item)) newLinks.push(linkInput(item));
    const link = linkInput(item);
    newSnapshots.push({
      mapping: mapping.name,
      hubspotId: link.hubspotId,
      hubspot: item.plan.snapshot.hubspot,
      salesforce: item.plan.snapshot.salesforce,
    });
    succeeded.push(item.source.id);
  }
  counts.updated = toUpdate.filter((i) => !failed.has(i)).length;
  counts.unchanged += planned.length - toCreate.length - toUpdate.length;
  counts.rejected += errors.length;

  options.heartbeat?.('saving');
  if (newLinks.length > 0) await store.links.upsert(newLinks);
  if (newSnapshots.length > 0) await store.links.putSnapshots(newSnapshots);
  if (errors.length > 0) await store.syncErrors.record(errors);
  if (succeeded.length > 0) await store.syncErrors.resolve(mapping.name, direction, succeeded);
  if (options.onRecord) {
    for (const i of planned)
      if (!failed.has(i)) report(i, toCreate.includes(i) ? 'create' : toUpdate.includes(i) ? 'update' : 'unchanged');
    for (const e of errors)
      options.onRecord({
        direction,
        sourceId: e.sourceId,
        action: 'rejected',
        fields: {},
        writtenBack: {},
        reason: e.reason,
      });
  }
  if (again.length > 0 && resync) {
    // Records whose partner was merged away: written to the survivor now that they are linked to it.
    const more = await syncBatch(run, direction, again, undefined, false);
    addCounts(counts, { ...more.counts, read: 0 });
    diverted.push(...more.diverted);
  }
  return { counts, diverted };
}
