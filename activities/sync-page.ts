import { Context } from '@temporalio/activity';
import type { ObjectMapping } from '../src/config/mapping-file';
import type { CrmSide, DeletionCursor, LeadConversions, SideRecord, WriteResult } from '../src/crm/side';
import { deletePolicyOf, deletionPlan, followsLeadConversion, leadValuesAsContact } from '../src/mapping/lifecycle';
import {
  planRecord,
  sourceSideOf,
  targetSideOf,
  type Mappers,
  type RecordPlan,
  type Side,
} from '../src/mapping/sync-plan';
import { normaliseMatchKey, toHubSpotValues, toSalesforceValues, type Values } from '../src/mapping/transform';
import {
  CREATION_CLAIM_TTL_MS,
  type RecordLink,
  type RecordLinkInput,
  type SnapshotInput,
  type Store,
  type SyncErrorInput,
} from '../src/store';
import { ZERO_COUNTS, type DirectionCursor, type PageCounts, type SyncDirection } from './sync-types';

/** Finding merged records; both real sides have it, a side without it never sees a merge. */
export interface RecordMerges {
  /** Among records gone from this side, those merged into another: gone id → the survivor's id. */
  mergedInto(ids: string[]): Promise<Map<string, string>>;
  /** Records merged into these ones: gone id → the id (among `records`) of the one it was merged into. */
  mergedFrom(records: SideRecord[]): Promise<Map<string, string>>;
}

export interface SyncSides {
  hubspot: CrmSide<Extract<DirectionCursor, { direction: 'to_salesforce' }>['cursor']> & Partial<RecordMerges>;
  salesforce: CrmSide<Extract<DirectionCursor, { direction: 'to_hubspot' }>['cursor']> &
    LeadConversions &
    Partial<RecordMerges>;
}

/** Salesforce's error for any write to a converted Lead, which is read-only from then on. */
export const CONVERTED_LEAD_ERROR = 'CANNOT_UPDATE_CONVERTED_LEAD';

/** The error left when a merge shows two linked records on the other side to be duplicates. */
export const MERGED_INTO_LINKED = 'MERGED_INTO_LINKED';

/**
 * Who creates in this call: the activity (stable across its retries, so a retry keeps the
 * claims of the attempt before it), or this process outside an activity.
 */
function creationHolder(): string {
  try {
    const { workflowExecution, activityId } = Context.current().info;
    return `sync:${workflowExecution?.workflowId ?? '-'}:${activityId}`;
  } catch {
    return `sync:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
  }
}

/** Progress for Temporal: a retried activity that heartbeats shows where it was. */
function heartbeat(step: string): void {
  try {
    Context.current().heartbeat(step);
  } catch {
    // Called outside an activity (unit tests): nothing to report to.
  }
}

/** Reads until a full write batch is collected or the window is exhausted. */
async function readSource(
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

interface Item {
  source: SideRecord;
  targetId?: string;
  linked: boolean;
  plan?: RecordPlan;
}

/** A HubSpot contact whose Lead turned out converted: it carries on with the Contact. */
interface Diverted {
  source: SideRecord;
  leadId: string;
  /** Unknown when only a refused write told us (the Lead is read again for it). */
  contactId?: string;
}

/**
 * One page of one direction: read → link or match → fetch the other side → plan each
 * record against its snapshot → write in full batches → persist links, snapshots and
 * errors. Every record read ends written, unchanged or in sync_errors, so the cursor
 * may move past all of them. The page that finishes a direction's window also applies
 * the deletions on its source side (see sweepDeletions).
 */
export async function syncPage(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  position: DirectionCursor,
  until: number,
  options: SyncOptions = {},
): Promise<{ next: DirectionCursor; done: boolean; counts: PageCounts }> {
  const { records, next, done } = await readSource(sides, mapping, position, until);
  const counts = await syncRecords(store, sides, mapping, mappers, position.direction, records, options);
  if (done) await sweepDeletions(store, sides, mapping, position.direction, until, options);
  return { next, done, counts };
}

/** What a dry run or a report wants to know about each record. */
export interface RecordOutcome {
  direction: SyncDirection;
  sourceId: string;
  targetId?: string;
  /**
   * `follow`: the record's Lead was converted and its link moved to the Contact;
   * `unlink`: its partner was deleted and the link forgotten (on_delete: clear_link);
   * `archive`: its partner was deleted, so it was archived or deleted too (on_delete: archive);
   * `skip`: not created, because its partner was deleted before (on_delete: clear_link).
   */
  action: 'create' | 'update' | 'unchanged' | 'rejected' | 'follow' | 'unlink' | 'archive' | 'skip';
  /** Target fields written (or that would be), with their new values. */
  fields: Values;
  /** Source fields written back where the other side won a conflict. */
  writtenBack: Values;
  reason?: string;
}

export interface SyncOptions {
  /** Plan only: read and diff, write nothing. */
  dryRun?: boolean;
  onRecord?: (outcome: RecordOutcome) => void;
}

/** The re-sync of records that failed before: read them again by id and run them through the same path. */
export async function retryRecords(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  direction: SyncDirection,
  ids: string[],
  options: SyncOptions = {},
): Promise<PageCounts> {
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
  const counts = await syncRecords(store, sides, mapping, mappers, direction, records, options);
  if (missing.length > 0) {
    // Gone from its own side since it failed: its deletion is applied now (or already was),
    // and nothing is left to retry unless applying it failed.
    const { failed, unconfirmed } = await applyDeletions(store, sides, mapping, sourceSideOf(direction), missing, {
      ...options,
      confirm: true,
    });
    if (!options.dryRun)
      await store.syncErrors.resolve(
        mapping.name,
        direction,
        missing.filter((id) => !failed.has(id) && !unconfirmed.has(id)),
      );
  }
  return counts;
}

function addCounts(into: PageCounts, counts: PageCounts): void {
  for (const key of Object.keys(counts) as (keyof PageCounts)[]) into[key] += counts[key];
}

/** The mapping's field transforms, both ways. */
export function mappersOf(mapping: ObjectMapping): Mappers {
  return { toSalesforce: (v) => toSalesforceValues(mapping, v), toHubSpot: (v) => toHubSpotValues(mapping, v) };
}

export async function syncRecords(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  direction: SyncDirection,
  records: SideRecord[],
  options: SyncOptions = {},
): Promise<PageCounts> {
  if (!followsLeadConversion(mapping))
    return (await syncBatch(store, sides, mapping, mappers, direction, records, options)).counts;
  return direction === 'to_salesforce'
    ? followToSalesforce(store, sides, mapping, mappers, records, options)
    : followToHubSpot(store, sides, mapping, mappers, records, options);
}

// ---- lead conversion (`lead_conversion: follow`) ----

/**
 * HubSpot → Salesforce for a mapping that follows conversions. Contacts already linked to
 * a Contact are written there; the others go to their Lead, and those whose Lead turns out
 * converted (seen when it is read, or when Salesforce refuses the write) move to the
 * Contact and are written there in the same call. A new Lead is never created for them.
 */
async function followToSalesforce(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  records: SideRecord[],
  options: SyncOptions,
): Promise<PageCounts> {
  const links = await store.links.findByHubSpotIds(
    mapping.name,
    records.map((r) => r.id),
  );
  const onContact = new Set(links.filter((l) => l.salesforceObject === 'Contact').map((l) => l.hubspotId));
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = await syncBatch(
    store,
    sides,
    mapping,
    mappers,
    'to_salesforce',
    records.filter((r) => !onContact.has(r.id)),
    options,
  );
  addCounts(counts, leads.counts);

  const unknown = leads.diverted.filter((d) => d.contactId === undefined).map((d) => d.leadId);
  const contactOf = unknown.length > 0 ? await sides.salesforce.convertedContacts(unknown) : new Map<string, string>();
  const moves = leads.diverted.map((d) => ({
    hubspotId: d.source.id,
    leadId: d.leadId,
    contactId: d.contactId ?? contactOf.get(d.leadId),
    source: d.source,
  }));
  const errors: SyncErrorInput[] = [];
  const movable: { hubspotId: string; leadId: string; contactId: string; source: SideRecord }[] = [];
  for (const m of moves) {
    if (m.contactId === undefined) {
      errors.push({
        mapping: mapping.name,
        direction: 'to_salesforce',
        sourceId: m.hubspotId,
        errorCode: CONVERTED_LEAD_ERROR,
        reason: `Salesforce refused a write to Lead ${m.leadId} as converted, but the Lead names no Contact it became; Baton tries again later`,
        payload: {},
      });
    } else movable.push({ ...m, contactId: m.contactId });
  }
  const moved = await moveToContacts(store, mapping, 'to_salesforce', movable, options, errors);
  counts.rejected += errors.length;
  if (errors.length > 0 && !options.dryRun) await store.syncErrors.record(errors);
  for (const e of errors)
    options.onRecord?.({
      direction: 'to_salesforce',
      sourceId: e.sourceId,
      action: 'rejected',
      fields: {},
      writtenBack: {},
      reason: e.reason,
    });

  const toContacts = [...records.filter((r) => onContact.has(r.id)), ...moved.map((m) => m.source)];
  if (toContacts.length === 0) return counts;
  const contactMapping = await sides.salesforce.contactMapping(mapping);
  const assumed = options.dryRun ? new Map(moved.map((m) => [m.hubspotId, m.contactId])) : undefined;
  const contacts = await syncBatch(
    store,
    sides,
    contactMapping,
    mappersOf(contactMapping),
    'to_salesforce',
    toContacts,
    options,
    assumed,
  );
  addCounts(counts, contacts.counts);
  counts.read = records.length;
  return counts;
}

/**
 * Salesforce → HubSpot for a mapping that follows conversions. The page holds changed
 * Leads and changed Contacts. A converted Lead hands its link to its Contact, and the
 * Contact is synced in its place; a Contact is synced only when it is linked (it became
 * one of the mapping's records by a conversion), the org's other Contacts are not ours.
 */
async function followToHubSpot(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  records: SideRecord[],
  options: SyncOptions,
): Promise<PageCounts> {
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = records.filter((r) => r.object === undefined);
  const converted = leads.filter((r) => r.convertedTo !== undefined);
  addCounts(
    counts,
    (
      await syncBatch(
        store,
        sides,
        mapping,
        mappers,
        'to_hubspot',
        leads.filter((r) => r.convertedTo === undefined),
        options,
      )
    ).counts,
  );

  const leadLinks = new Map(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        converted.map((r) => r.id),
      )
    ).map((l) => [l.salesforceId, l]),
  );
  const orphans = await store.links.findOrphans(
    mapping.name,
    'salesforce',
    converted.filter((r) => !leadLinks.has(r.id)).map((r) => r.id),
  );
  const errors: SyncErrorInput[] = [];
  const moves: { hubspotId: string; leadId: string; contactId: string; source: SideRecord }[] = [];
  const unlinkedContacts: string[] = [];
  for (const lead of converted) {
    const contactId = lead.convertedTo as string;
    const link = leadLinks.get(lead.id);
    if (link) moves.push({ hubspotId: link.hubspotId, leadId: lead.id, contactId, source: lead });
    else if (orphans.has(lead.id)) {
      counts.unchanged += 1;
      options.onRecord?.({
        direction: 'to_hubspot',
        sourceId: lead.id,
        action: 'skip',
        fields: {},
        writtenBack: {},
        reason: `Lead ${lead.id} was converted into Contact ${contactId}, but its HubSpot contact was deleted before (on_delete: clear_link), so none is created`,
      });
    } else unlinkedContacts.push(contactId);
  }
  const moved = await moveToContacts(store, mapping, 'to_hubspot', moves, options, errors);
  counts.rejected += errors.length;
  if (errors.length > 0 && !options.dryRun) await store.syncErrors.record(errors);
  for (const e of errors)
    options.onRecord?.({
      direction: 'to_hubspot',
      sourceId: e.sourceId,
      action: 'rejected',
      fields: {},
      writtenBack: {},
      reason: e.reason,
    });

  // Changed Contacts count only when linked; the ones whose Lead converted in this page are read afresh below.
  const stream = records.filter((r) => r.object === 'Contact');
  const linkedStream = new Set(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        stream.map((r) => r.id),
      )
    ).map((l) => l.salesforceId),
  );
  const contactMapping =
    converted.length > 0 || linkedStream.size > 0 ? await sides.salesforce.contactMapping(mapping) : undefined;
  const wanted = [...new Set([...moved.map((m) => m.contactId), ...unlinkedContacts])];
  const fetched =
    wanted.length > 0 && contactMapping
      ? await sides.salesforce.fetch(contactMapping, wanted)
      : new Map<string, SideRecord>();
  const contacts = [...fetched.values(), ...stream.filter((r) => linkedStream.has(r.id) && !fetched.has(r.id))];
  if (contacts.length > 0 && contactMapping) {
    const assumed = options.dryRun ? new Map(moved.map((m) => [m.contactId, m.hubspotId])) : undefined;
    const result = await syncBatch(
      store,
      sides,
      contactMapping,
      mappersOf(contactMapping),
      'to_hubspot',
      contacts,
      options,
      assumed,
    );
    addCounts(counts, result.counts);
  }
  counts.read = leads.length + contacts.length - fetched.size;
  return counts;
}

/**
 * Moves links from converted Leads to their Contacts. The snapshot stays (it is keyed by
 * the HubSpot id) with its Lead field names renamed as conversion renames them, so the
 * Contact's values, copied from the Lead, are not taken for changes. A Contact already
 * linked to another HubSpot contact (two Leads converted into one Contact) is refused:
 * two contacts writing one Contact would overwrite each other every cycle.
 */
async function moveToContacts<M extends { hubspotId: string; leadId: string; contactId: string; source: SideRecord }>(
  store: Store,
  mapping: ObjectMapping,
  direction: SyncDirection,
  moves: M[],
  options: SyncOptions,
  errors: SyncErrorInput[],
): Promise<M[]> {
  if (moves.length === 0) return [];
  const taken = new Map(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        moves.map((m) => m.contactId),
      )
    ).map((l) => [l.salesforceId, l.hubspotId]),
  );
  const ok: M[] = [];
  for (const m of moves) {
    const other = taken.get(m.contactId);
    if (other !== undefined && other !== m.hubspotId) {
      errors.push({
        mapping: mapping.name,
        direction,
        sourceId: m.source.id,
        errorCode: 'CONTACT_ALREADY_LINKED',
        reason: `Lead ${m.leadId} was converted into Contact ${m.contactId}, which is already linked to HubSpot contact ${other}; merge HubSpot contacts ${other} and ${m.hubspotId}, then Baton links the one that remains`,
        payload: {},
      });
    } else {
      ok.push(m);
      taken.set(m.contactId, m.hubspotId);
    }
  }
  for (const m of ok) {
    options.onRecord?.({
      direction,
      sourceId: m.source.id,
      targetId: m.contactId,
      action: 'follow',
      fields: {},
      writtenBack: {},
      reason: `Lead ${m.leadId} was converted into Contact ${m.contactId}; HubSpot contact ${m.hubspotId} now syncs with the Contact`,
    });
  }
  if (options.dryRun || ok.length === 0) return ok;
  await store.links.upsert(
    ok.map((m) => ({
      mapping: mapping.name,
      hubspotId: m.hubspotId,
      salesforceObject: 'Contact',
      salesforceId: m.contactId,
    })),
  );
  const snapshots = await store.links.getSnapshots(
    mapping.name,
    ok.map((m) => m.hubspotId),
  );
  await store.links.putSnapshots(
    [...snapshots.values()].map((s) => ({
      mapping: s.mapping,
      hubspotId: s.hubspotId,
      hubspot: s.hubspot,
      salesforce: leadValuesAsContact(s.salesforce),
    })),
  );
  // The Lead's own errors are over: it will not change again, its Contact carries on.
  await store.syncErrors.resolve(
    mapping.name,
    'to_hubspot',
    ok.map((m) => m.leadId),
  );
  return ok;
}

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
async function followMerges(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  side: Side,
  suspects: string[],
  known: Map<string, string> | undefined,
  options: SyncOptions,
): Promise<{ moved: Map<string, RecordLink>; handled: Set<string> }> {
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

// ---- deletions (`on_delete`) ----

const SIDE_NAME: Record<Side, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/**
 * Reads the deletions of a direction's source side once its window is read, and applies
 * them. A side whose policy is `ignore` is not read at all. When nothing flows the other
 * way, that direction never runs, so its side's deletions are read here too.
 */
async function sweepDeletions(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  direction: SyncDirection,
  until: number,
  options: SyncOptions,
): Promise<void> {
  const source = sourceSideOf(direction);
  const reverse: SyncDirection = direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce';
  const flowsBack = mapping.fields.some((f) => f.direction === 'both' || f.direction === reverse);
  for (const side of flowsBack ? [source] : [source, targetSideOf(direction)]) {
    if (deletePolicyOf(mapping, side) === 'ignore') continue;
    heartbeat(`reading deletions in ${SIDE_NAME[side]}`);
    const name = `${mapping.name}:${side}:deleted`;
    const cursor = await store.cursors.get<DeletionCursor>(name);
    const { ids, next } = await sides[side].readDeletions(mapping, cursor, until, () =>
      heartbeat(`reading deletions in ${SIDE_NAME[side]}`),
    );
    await applyDeletions(store, sides, mapping, side, ids, options);
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
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  deletedIn: Side,
  candidates: string[],
  options: SyncOptions & { confirm?: boolean } = {},
): Promise<{
  applied: number;
  failed: Set<string>;
  unconfirmed: Set<string>;
  moved: Map<string, RecordLink>;
  merged: Set<string>;
}> {
  const failed = new Set<string>();
  const unconfirmed = new Set<string>();
  const moved = new Map<string, RecordLink>();
  const merged = new Set<string>();
  const plan = deletionPlan(mapping, deletedIn);
  if (candidates.length === 0) return { applied: 0, failed, unconfirmed, moved, merged };
  let ids = candidates;
  if (options.confirm) {
    // Only a missing record was seen: ask its side whether it really was deleted.
    const confirmed = await sides[deletedIn].confirmDeleted(candidates);
    ids = candidates.filter((id) => confirmed.has(id));
    for (const id of candidates) if (!confirmed.has(id)) unconfirmed.add(id);
  }
  // A merge is no deletion, whatever the policy: Salesforce deletes the records merged away,
  // HubSpot leaves them neither found nor archived. Their links move to the survivor.
  const mergeSuspects = deletedIn === 'salesforce' ? ids : [...unconfirmed];
  const merges = await followMerges(store, sides, mapping, deletedIn, mergeSuspects, undefined, options);
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
  if (!options.confirm && !options.dryRun) {
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
    heartbeat(`removing the partners of deleted records in ${SIDE_NAME[plan.archiveOn]}`);
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

// ---- one batch of one object ----

/**
 * The page engine for one Salesforce object. `assumed` adds links a dry run would have
 * made (a followed conversion), so the preview plans against them.
 */
async function syncBatch(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  mappers: Mappers,
  direction: SyncDirection,
  records: SideRecord[],
  options: SyncOptions = {},
  assumed?: Map<string, string>,
  resync = true,
): Promise<{ counts: PageCounts; diverted: Diverted[] }> {
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
    const { moved } = await followMerges(store, sides, mapping, srcSide, [], absorbed, options);
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
    heartbeat('matching');
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

  heartbeat('reading the other side');
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
      store,
      sides,
      mapping,
      tgtSide,
      missingTargets.map((i) => i.targetId as string),
      { ...options, confirm: true },
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
  const holder = !dryRun && srcSide === 'hubspot' && toCreate.length > 0 ? creationHolder() : null;
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
    heartbeat('creating');
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
    heartbeat('updating');
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
    heartbeat('writing conflicts back');
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

  heartbeat('saving');
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
    const more = await syncBatch(store, sides, mapping, mappers, direction, again, options, undefined, false);
    addCounts(counts, { ...more.counts, read: 0 });
    diverted.push(...more.diverted);
  }
  return { counts, diverted };
}
