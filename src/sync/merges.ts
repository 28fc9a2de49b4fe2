import type { Side } from '../mapping/sync-plan';
import type { RecordLink, SyncErrorInput } from '../store';
import type { SyncDirection } from './types';
import { type RecordMerges, MERGED_INTO_LINKED, type SyncRun } from './run';

// ---- merges ----

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
  known: Map<string, string> | undefined,
): Promise<{ moved: Map<string, RecordLink>; handled: Set<string> }> {
  const { store, sides, mapping, options } = run;
  const moved = new Map<string, RecordLink>();
  const handled = new Set<string>();
  const byId = (ids: string[]) =>
    side === 'hubspot'
      ? store.links.findByHubSpotIds(mapping.name, ids)
      : store.links.findBySalesforceIds(mapping.name, ids);
  const goneId = (l: RecordLink) => (side === 'hubspot' ? l.hubspotId : l.salesforceId);
  const lookups: Partial<RecordMerges> = sides[side];
  const merges = new Map(known ?? []);
  const asked = suspects.filter((id) => !merges.has(id));
  if (asked.length > 0 && lookups.mergedInto) {
    const linked = (await byId(asked)).map(goneId);
    if (linked.length > 0) for (const [gone, survivor] of await lookups.mergedInto(linked)) merges.set(gone, survivor);
  }
  if (merges.size === 0) return { moved, handled };
  const direction: SyncDirection = side === 'hubspot' ? 'to_salesforce' : 'to_hubspot';
  // Errors about a record merged away (a duplicate Baton asked RevOps to merge) are over.
  if (!options.dryRun) await store.syncErrors.resolve(mapping.name, direction, [...merges.keys()]);
  const links = await byId([...merges.keys()]);
  if (links.length === 0) return { moved, handled };

  const reverse: SyncDirection = side === 'hubspot' ? 'to_hubspot' : 'to_salesforce';
  const name = (s: Side, id: string, object: string = mapping.salesforce.object) =>
    s === 'hubspot' ? `HubSpot contact ${id}` : `Salesforce ${object} ${id}`;
  const other: Side = side === 'hubspot' ? 'salesforce' : 'hubspot';
  const taken = new Map((await byId(links.map((l) => merges.get(goneId(l)) as string))).map((l) => [goneId(l), l]));
  const errors: SyncErrorInput[] = [];
  const stale: RecordLink[] = [];
  for (const l of links) {
    const gone = goneId(l);
    const survivor = merges.get(gone) as string;
    const partner = side === 'hubspot' ? l.salesforceId : l.hubspotId;
    const existing = taken.get(survivor);
    const existingPartner = existing && (side === 'hubspot' ? existing.salesforceId : existing.hubspotId);
    handled.add(gone);
    if (existing && existingPartner !== partner) {
      stale.push(l);
      // A Lead and the Contact it became are both "Salesforce records" of one mapping: name each by its own object.
      const mine = name(other, partner, l.salesforceObject);
      const theirs = name(other, existingPartner as string, existing.salesforceObject);
      const reason =
        `${name(side, gone, l.salesforceObject)} was merged into ${name(side, survivor, l.salesforceObject)}, which is already linked to ${theirs}; ` +
        `so ${mine} and ${theirs} are duplicates. Baton keeps the link to ${theirs}, forgets the one to ${mine} and removes nothing: ` +
        `merge ${mine} into ${theirs} in ${other === 'hubspot' ? 'HubSpot' : 'Salesforce'}`;
      // Kept under the record left without a link, so it is over once that record is merged away too.
      errors.push({
        mapping: mapping.name,
        direction: reverse,
        sourceId: partner,
        errorCode: MERGED_INTO_LINKED,
        reason,
        payload: {},
        retry: false,
      });
      options.onRecord?.({
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
    const [from, to, partnerName] = [
      name(side, gone, l.salesforceObject),
      name(side, survivor, l.salesforceObject),
      name(other, partner, l.salesforceObject),
    ];
    options.onRecord?.({
      direction,
      sourceId: gone,
      targetId: survivor,
      action: 'follow',
      fields: {},
      writtenBack: {},
      reason: `${from} was merged into ${to}; ${partnerName} now syncs with ${to}`,
    });
  }
  if (options.dryRun) return { moved, handled };

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
  if (errors.length > 0) await store.syncErrors.record(errors);
  return { moved, handled };
}
