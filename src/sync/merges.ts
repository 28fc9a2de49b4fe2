import type { SideRecord } from '../crm/side';
import type { Side } from '../mapping/sync-plan';
import type { RecordLink } from '../store';
import { findLinks, idOn, partnerOf } from './links';
import type { SyncRun } from './run-context';
import { recordName, type RecordMerges } from './sides';
import type { SyncDirection } from './types';
import { Rejections } from './writes';

/** The error left when a merge shows two linked records on the other side to be duplicates. */
export const MERGED_INTO_LINKED = 'MERGED_INTO_LINKED';

export interface FollowedMerges {
  /** Gone id → its link, now to the survivor. */
  moved: Map<string, RecordLink>;
  /** Every gone id found merged, whether its link moved or was forgotten as a duplicate's. */
  handled: Set<string>;
}

/**
 * Moves the links of merged-away records to the records they were merged into, so a merge
 * never archives, deletes or orphans anything. `suspects` are gone ids whose side is asked
 * (linked ones only); `known` are merges already found (gone id → survivor). The snapshot
 * follows the link: on the merged side the survivor's values then read as that side's
 * edits since the last sync (the merge's outcome flows across), while the other side's own
 * edits still count, and unchanged values are not written back and forth.
 * When the survivor is already linked to another record, the two records on the other side
 * are duplicates: the existing link is kept, the stale one is forgotten (nothing is
 * orphaned) and a sync error asks RevOps to merge them.
 */
export async function followMerges(
  run: SyncRun,
  side: Side,
  suspects: string[],
  known?: Map<string, string>,
): Promise<FollowedMerges> {
  const { store, sides, mapping } = run;
  const moved = new Map<string, RecordLink>();
  const handled = new Set<string>();
  const lookups: Partial<RecordMerges> = sides[side];
  const merges = new Map(known ?? []);
  const asked = suspects.filter((id) => !merges.has(id));
  if (asked.length > 0 && lookups.mergedInto) {
    const linked = (await findLinks(store, mapping.name, side, asked)).map((l) => idOn(l, side));
    if (linked.length > 0) for (const [gone, survivor] of await lookups.mergedInto(linked)) merges.set(gone, survivor);
  }
  if (merges.size === 0) return { moved, handled };
  const direction: SyncDirection = side === 'hubspot' ? 'to_salesforce' : 'to_hubspot';
  // Errors about a record merged away (a duplicate Baton asked RevOps to merge) are over.
  if (!run.dryRun) await store.syncErrors.resolve(mapping.name, direction, [...merges.keys()]);
  const links = await findLinks(store, mapping.name, side, [...merges.keys()]);
  if (links.length === 0) return { moved, handled };

  const reverse: SyncDirection = side === 'hubspot' ? 'to_hubspot' : 'to_salesforce';
  const other: Side = side === 'hubspot' ? 'salesforce' : 'hubspot';
  const taken = new Map(
    (
      await findLinks(
        store,
        mapping.name,
        side,
        links.map((l) => merges.get(idOn(l, side)) as string),
      )
    ).map((l) => [idOn(l, side), l]),
  );
  const duplicates = new Rejections(run, reverse);
  const stale: RecordLink[] = [];
  for (const l of links) {
    const gone = idOn(l, side);
    const survivor = merges.get(gone) as string;
    const partner = partnerOf(l, side);
    const existing = taken.get(survivor);
    const existingPartner = existing && partnerOf(existing, side);
    // A Lead and the Contact it became are both "Salesforce records" of one mapping: name each by its own object.
    const [from, to] = [recordName(side, gone, l.salesforceObject), recordName(side, survivor, l.salesforceObject)];
    handled.add(gone);
    if (existing && existingPartner !== partner) {
      stale.push(l);
      const mine = recordName(other, partner, l.salesforceObject);
      const theirs = recordName(other, existingPartner as string, existing.salesforceObject);
      const reason =
        `${from} was merged into ${to}, which is already linked to ${theirs}; ` +
        `so ${mine} and ${theirs} are duplicates. Baton keeps the link to ${theirs}, forgets the one to ${mine} and removes nothing: ` +
        `merge ${mine} into ${theirs} in ${other === 'hubspot' ? 'HubSpot' : 'Salesforce'}`;
      // Kept under the record left without a link, so it is over once that record is merged away too.
      duplicates.add(partner, MERGED_INTO_LINKED, reason, {}, false);
      run.report({
        direction: reverse,
        sourceId: partner,
        targetId: existingPartner,
        action: 'rejected',
        fields: {},
        writtenBack: {},
        reason,
      });
      continue;
    }
    const link: RecordLink = side === 'hubspot' ? { ...l, hubspotId: survivor } : { ...l, salesforceId: survivor };
    if (!existing) moved.set(gone, link);
    else stale.push(l); // Both already linked to the same partner: only the stale link goes.
    taken.set(survivor, link);
    run.report({
      direction,
      sourceId: gone,
      targetId: survivor,
      action: 'follow',
      fields: {},
      writtenBack: {},
      reason: `${from} was merged into ${to}; ${recordName(other, partner, l.salesforceObject)} now syncs with ${to}`,
    });
  }
  if (run.dryRun) return { moved, handled };

  await store.links.upsert(
    [...moved.values()].map((l) => ({
      mapping: l.mapping,
      hubspotId: l.hubspotId,
      salesforceObject: l.salesforceObject,
      salesforceId: l.salesforceId,
    })),
  );
  if (side === 'hubspot') {
    // Snapshots are keyed by the HubSpot id: copy each to the survivor before its old link goes.
    const snapshots = await store.links.getSnapshots(mapping.name, [...moved.keys()]);
    await store.links.putSnapshots(
      [...moved].flatMap(([gone, l]) => {
        const snap = snapshots.get(gone);
        return snap
          ? [{ mapping: mapping.name, hubspotId: l.hubspotId, hubspot: snap.hubspot, salesforce: snap.salesforce }]
          : [];
      }),
    );
    await store.links.delete(mapping.name, [...moved.keys()]);
  }
  await store.links.delete(
    mapping.name,
    stale.map((l) => l.hubspotId),
  );
  await duplicates.record();
  return { moved, handled };
}

/**
 * Records that absorbed a linked one in a merge take over its link, so the merge's survivor
 * is not created afresh. Returns record id → its partner now, for those among `records`
 * that took a link over.
 */
export async function takeOverMergedLinks(
  run: SyncRun,
  side: Side,
  records: SideRecord[],
): Promise<Map<string, string>> {
  const lookups: Partial<RecordMerges> = run.sides[side];
  if (records.length === 0 || !lookups.mergedFrom) return new Map();
  const absorbed = await lookups.mergedFrom(records);
  if (absorbed.size === 0) return new Map();
  const { moved } = await followMerges(run, side, [], absorbed);
  return new Map([...moved.values()].map((l) => [idOn(l, side), partnerOf(l, side)]));
}
