import { Context } from '@temporalio/activity';
import type { ObjectMapping } from '../src/config/mapping-file';
import type { CrmSide, DeletionCursor, LeadConversions, SideRecord, WriteResult } from '../src/crm/side';
import { deletePolicyOf, deletionPlan, followsLeadConversion, leadValuesAsContact } from '../src/mapping/lifecycle';
import { planRecord, sourceSideOf, targetSideOf, type Mappers, type RecordPlan, type Side } from '../src/mapping/sync-plan';
import { normaliseMatchKey, toHubSpotValues, toSalesforceValues, type Values } from '../src/mapping/transform';
import type { RecordLink, RecordLinkInput, SnapshotInput, Store, SyncErrorInput } from '../src/store';
import { ZERO_COUNTS, type DirectionCursor, type PageCounts, type SyncDirection } from './sync-types';

export interface SyncSides {
  hubspot: CrmSide<Extract<DirectionCursor, { direction: 'to_salesforce' }>['cursor']>;
  salesforce: CrmSide<Extract<DirectionCursor, { direction: 'to_hubspot' }>['cursor']> & LeadConversions;
}

/** Salesforce's error for any write to a converted Lead, which is read-only from then on. */
export const CONVERTED_LEAD_ERROR = 'CANNOT_UPDATE_CONVERTED_LEAD';

/** Progress for Temporal: a retried activity that heartbeats shows where it was. */
/** How long a creation claim holds when its holder never gives it back (it died). */
export const CREATION_CLAIM_TTL_MS = 10 * 60_000;

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

function heartbeat(step: string): void {
  try {
    Context.current().heartbeat(step);
  } catch {
    // Called outside an activity (unit tests): nothing to report to.
  }
}

/** Reads until a full write batch is collected or the window is exhausted. */
async function readSource(sides: SyncSides, mapping: ObjectMapping, position: DirectionCursor, until: number): Promise<{ records: SideRecord[]; next: DirectionCursor; done: boolean }> {
  const records: SideRecord[] = [];
  if (position.direction === 'to_salesforce') {
    let cursor = position.cursor;
    for (;;) {
      const page = await sides.hubspot.readChanged(mapping, cursor, until);
      records.push(...page.records);
      cursor = page.next;
      if (page.done || records.length >= sides.salesforce.writeBatch) return { records, next: { direction: 'to_salesforce', cursor }, done: page.done };
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
    const { failed, unconfirmed } = await applyDeletions(store, sides, mapping, sourceSideOf(direction), missing, { ...options, confirm: true });
    if (!options.dryRun) await store.resolveSyncErrors(mapping.name, direction, missing.filter((id) => !failed.has(id) && !unconfirmed.has(id)));
  }
  return counts;
}

function addCounts(into: PageCounts, counts: PageCounts): void {
  for (const key of Object.keys(counts) as (keyof PageCounts)[]) into[key] += counts[key];
}

function mappersFor(mapping: ObjectMapping): Mappers {
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
  if (!followsLeadConversion(mapping)) return (await syncBatch(store, sides, mapping, mappers, direction, records, options)).counts;
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
async function followToSalesforce(store: Store, sides: SyncSides, mapping: ObjectMapping, mappers: Mappers, records: SideRecord[], options: SyncOptions): Promise<PageCounts> {
  const links = await store.findLinksByHubSpotIds(mapping.name, records.map((r) => r.id));
  const onContact = new Set(links.filter((l) => l.salesforceObject === 'Contact').map((l) => l.hubspotId));
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = await syncBatch(store, sides, mapping, mappers, 'to_salesforce', records.filter((r) => !onContact.has(r.id)), options);
  addCounts(counts, leads.counts);

  const unknown = leads.diverted.filter((d) => d.contactId === undefined).map((d) => d.leadId);
  const contactOf = unknown.length > 0 ? await sides.salesforce.convertedContacts(unknown) : new Map<string, string>();
  const moves = leads.diverted.map((d) => ({ hubspotId: d.source.id, leadId: d.leadId, contactId: d.contactId ?? contactOf.get(d.leadId), source: d.source }));
  const errors: SyncErrorInput[] = [];
  const movable: { hubspotId: string; leadId: string; contactId: string; source: SideRecord }[] = [];
  for (const m of moves) {
    if (m.contactId === undefined) {
      errors.push({ mapping: mapping.name, direction: 'to_salesforce', sourceId: m.hubspotId, errorCode: CONVERTED_LEAD_ERROR, reason: `Salesforce refused a write to Lead ${m.leadId} as converted, but the Lead names no Contact it became; Baton tries again later`, payload: {} });
    } else movable.push({ ...m, contactId: m.contactId });
  }
  const moved = await moveToContacts(store, mapping, 'to_salesforce', movable, options, errors);
  counts.rejected += errors.length;
  if (errors.length > 0 && !options.dryRun) await store.recordSyncErrors(errors);
  for (const e of errors) options.onRecord?.({ direction: 'to_salesforce', sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });

  const toContacts = [...records.filter((r) => onContact.has(r.id)), ...moved.map((m) => m.source)];
  if (toContacts.length === 0) return counts;
  const contactMapping = await sides.salesforce.contactMapping(mapping);
  const assumed = options.dryRun ? new Map(moved.map((m) => [m.hubspotId, m.contactId])) : undefined;
  const contacts = await syncBatch(store, sides, contactMapping, mappersFor(contactMapping), 'to_salesforce', toContacts, options, assumed);
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
async function followToHubSpot(store: Store, sides: SyncSides, mapping: ObjectMapping, mappers: Mappers, records: SideRecord[], options: SyncOptions): Promise<PageCounts> {
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = records.filter((r) => r.object === undefined);
  const converted = leads.filter((r) => r.convertedTo !== undefined);
  addCounts(counts, (await syncBatch(store, sides, mapping, mappers, 'to_hubspot', leads.filter((r) => r.convertedTo === undefined), options)).counts);

  const leadLinks = new Map((await store.findLinksBySalesforceIds(mapping.name, converted.map((r) => r.id))).map((l) => [l.salesforceId, l]));
  const orphans = await store.findOrphans(mapping.name, 'salesforce', converted.filter((r) => !leadLinks.has(r.id)).map((r) => r.id));
  const errors: SyncErrorInput[] = [];
  const moves: { hubspotId: string; leadId: string; contactId: string; source: SideRecord }[] = [];
  const unlinkedContacts: string[] = [];
  for (const lead of converted) {
    const contactId = lead.convertedTo as string;
    const link = leadLinks.get(lead.id);
    if (link) moves.push({ hubspotId: link.hubspotId, leadId: lead.id, contactId, source: lead });
    else if (orphans.has(lead.id)) {
      counts.unchanged += 1;
      options.onRecord?.({ direction: 'to_hubspot', sourceId: lead.id, action: 'skip', fields: {}, writtenBack: {}, reason: `Lead ${lead.id} was converted into Contact ${contactId}, but its HubSpot contact was deleted before (on_delete: clear_link), so none is created` });
    } else unlinkedContacts.push(contactId);
  }
  const moved = await moveToContacts(store, mapping, 'to_hubspot', moves, options, errors);
  counts.rejected += errors.length;
  if (errors.length > 0 && !options.dryRun) await store.recordSyncErrors(errors);
  for (const e of errors) options.onRecord?.({ direction: 'to_hubspot', sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });

  // Changed Contacts count only when linked; the ones whose Lead converted in this page are read afresh below.
  const stream = records.filter((r) => r.object === 'Contact');
  const linkedStream = new Set((await store.findLinksBySalesforceIds(mapping.name, stream.map((r) => r.id))).map((l) => l.salesforceId));
  const contactMapping = converted.length > 0 || linkedStream.size > 0 ? await sides.salesforce.contactMapping(mapping) : undefined;
  const wanted = [...new Set([...moved.map((m) => m.contactId), ...unlinkedContacts])];
  const fetched = wanted.length > 0 && contactMapping ? await sides.salesforce.fetch(contactMapping, wanted) : new Map<string, SideRecord>();
  const contacts = [...fetched.values(), ...stream.filter((r) => linkedStream.has(r.id) && !fetched.has(r.id))];
  if (contacts.length > 0 && contactMapping) {
    const assumed = options.dryRun ? new Map(moved.map((m) => [m.contactId, m.hubspotId])) : undefined;
    const result = await syncBatch(store, sides, contactMapping, mappersFor(contactMapping), 'to_hubspot', contacts, options, assumed);
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
  const taken = new Map((await store.findLinksBySalesforceIds(mapping.name, moves.map((m) => m.contactId))).map((l) => [l.salesforceId, l.hubspotId]));
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
    options.onRecord?.({ direction, sourceId: m.source.id, targetId: m.contactId, action: 'follow', fields: {}, writtenBack: {}, reason: `Lead ${m.leadId} was converted into Contact ${m.contactId}; HubSpot contact ${m.hubspotId} now syncs with the Contact` });
  }
  if (options.dryRun || ok.length === 0) return ok;
  await store.upsertLinks(ok.map((m) => ({ mapping: mapping.name, hubspotId: m.hubspotId, salesforceObject: 'Contact', salesforceId: m.contactId })));
  const snapshots = await store.getSnapshots(mapping.name, ok.map((m) => m.hubspotId));
  await store.putSnapshots([...snapshots.values()].map((s) => ({ mapping: s.mapping, hubspotId: s.hubspotId, hubspot: s.hubspot, salesforce: leadValuesAsContact(s.salesforce) })));
  // The Lead's own errors are over: it will not change again, its Contact carries on.
  await store.resolveSyncErrors(mapping.name, 'to_hubspot', ok.map((m) => m.leadId));
  return ok;
}

// ---- deletions (`on_delete`) ----

const SIDE_NAME: Record<Side, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/**
 * Reads the deletions of a direction's source side once its window is read, and applies
 * them. A side whose policy is `ignore` is not read at all. When nothing flows the other
 * way, that direction never runs, so its side's deletions are read here too.
 */
async function sweepDeletions(store: Store, sides: SyncSides, mapping: ObjectMapping, direction: SyncDirection, until: number, options: SyncOptions): Promise<void> {
  const source = sourceSideOf(direction);
  const reverse: SyncDirection = direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce';
  const flowsBack = mapping.fields.some((f) => f.direction === 'both' || f.direction === reverse);
  for (const side of flowsBack ? [source] : [source, targetSideOf(direction)]) {
    if (deletePolicyOf(mapping, side) === 'ignore') continue;
    heartbeat(`reading deletions in ${SIDE_NAME[side]}`);
    const name = `${mapping.name}:${side}:deleted`;
    const cursor = await store.getCursor<DeletionCursor>(name);
    const { ids, next } = await sides[side].readDeletions(mapping, cursor, until, () => heartbeat(`reading deletions in ${SIDE_NAME[side]}`));
    await applyDeletions(store, sides, mapping, side, ids, options);
    if (!options.dryRun) await store.setCursor(name, next);
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
): Promise<{ applied: number; failed: Set<string>; unconfirmed: Set<string> }> {
  const failed = new Set<string>();
  const unconfirmed = new Set<string>();
  const plan = deletionPlan(mapping, deletedIn);
  if (plan.policy === 'ignore' || candidates.length === 0) return { applied: 0, failed, unconfirmed };
  let ids = candidates;
  if (options.confirm) {
    // Only a missing record was seen: ask its side whether it really was deleted.
    const confirmed = await sides[deletedIn].confirmDeleted(candidates);
    ids = candidates.filter((id) => confirmed.has(id));
    for (const id of candidates) if (!confirmed.has(id)) unconfirmed.add(id);
  }
  const links = deletedIn === 'hubspot' ? await store.findLinksByHubSpotIds(mapping.name, ids) : await store.findLinksBySalesforceIds(mapping.name, ids);
  if (links.length === 0) return { applied: 0, failed, unconfirmed };

  const direction: SyncDirection = deletedIn === 'hubspot' ? 'to_salesforce' : 'to_hubspot';
  const survivor: Side = deletedIn === 'hubspot' ? 'salesforce' : 'hubspot';
  const deletedId = (l: RecordLink) => (deletedIn === 'hubspot' ? l.hubspotId : l.salesforceId);
  const survivorId = (l: RecordLink) => (deletedIn === 'hubspot' ? l.salesforceId : l.hubspotId);
  const name = (side: Side, l: RecordLink) => (side === 'hubspot' ? `HubSpot contact ${l.hubspotId}` : `Salesforce ${l.salesforceObject} ${l.salesforceId}`);
  const gone = deletedIn === 'hubspot' ? 'was archived' : 'was deleted';
  const reason = (l: RecordLink) =>
    plan.archiveOn
      ? `${name(deletedIn, l)} ${gone}, so ${name(survivor, l)} is ${survivor === 'hubspot' ? 'archived' : 'deleted'} too (on_delete: archive)`
      : `${name(deletedIn, l)} ${gone}; the link is forgotten and ${name(survivor, l)} stays, and Baton will not create its partner again (on_delete: clear_link)`;
  const action: RecordOutcome['action'] = plan.archiveOn ? 'archive' : 'unlink';
  const report = (l: RecordLink) => options.onRecord?.({ direction, sourceId: deletedId(l), targetId: survivorId(l), action, fields: {}, writtenBack: {}, reason: reason(l) });

  if (options.dryRun) {
    links.forEach(report);
    return { applied: links.length, failed, unconfirmed };
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
  await store.deleteLinks(mapping.name, done.map((l) => l.hubspotId));
  if (!plan.archiveOn) await store.addOrphans(done.map((l) => ({ mapping: mapping.name, side: survivor, recordId: survivorId(l), partnerId: deletedId(l) })));
  if (errors.length > 0) await store.recordSyncErrors(errors);
  // Errors about either record of a pair that no longer exists have nothing left to retry.
  await store.resolveSyncErrors(mapping.name, direction, done.map(deletedId));
  await store.resolveSyncErrors(mapping.name, direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce', done.map(survivorId));
  done.forEach(report);
  for (const e of errors) options.onRecord?.({ direction, sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });
  return { applied: done.length, failed, unconfirmed };
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
  const links = srcSide === 'hubspot' ? await store.findLinksByHubSpotIds(mapping.name, ids) : await store.findLinksBySalesforceIds(mapping.name, ids);
  const linkOf = new Map(links.map((l) => (srcSide === 'hubspot' ? [l.hubspotId, l.salesforceId] : [l.salesforceId, l.hubspotId])));
  for (const [from, to] of assumed ?? []) linkOf.set(from, to);

  const errors: SyncErrorInput[] = [];
  const reject = (item: Item, code: string | null, reason: string, payload: Values, retry = true) =>
    errors.push({ mapping: mapping.name, direction, sourceId: item.source.id, errorCode: code, reason, payload, ...(retry ? {} : { retry: false }) });
  const convertedReason = (leadId: string, contactId?: string) =>
    `Salesforce Lead ${leadId} was converted${contactId ? ` into Contact ${contactId}` : ''} and refuses changes from then on, so Baton does not retry; ` +
    `set lead_conversion: follow in ${mapping.file} to sync this contact with the Contact instead`;

  const items: Item[] = [];
  for (const r of records) {
    const linked = linkOf.get(r.id);
    const item: Item = { source: r, targetId: linked, linked: linked !== undefined };
    if (!item.linked && normaliseMatchKey(mapping, r.values[sourceMatchField]) === null) {
      reject(item, 'MISSING_MATCH_KEY', `${srcSide === 'hubspot' ? 'HubSpot contact' : salesforceName} ${r.id} has no ${sourceMatchField}; Baton matches records on it, so it cannot be synced until it has one`, r.values);
      continue;
    }
    items.push(item);
  }

  // Link or match before any create, so a record that already exists is never duplicated.
  const unmatched = items.filter((i) => !i.linked);
  if (unmatched.length > 0) {
    heartbeat('matching');
    const keyOf = (i: Item) => normaliseMatchKey(mapping, i.source.values[sourceMatchField]) as string;
    const found = await target.findByMatchKey(mapping, unmatched.map(keyOf));
    for (const i of unmatched) i.targetId = found.get(keyOf(i));
  }

  heartbeat('reading the other side');
  const targetIds = items.flatMap((i) => (i.targetId ? [i.targetId] : []));
  const current = targetIds.length > 0 ? await target.fetch(mapping, targetIds) : new Map<string, SideRecord>();
  const hubspotIds = items.flatMap((i) => {
    const h = hubspotIdOf(i);
    return h ? [h] : [];
  });
  const snapshots = await store.getSnapshots(mapping.name, hubspotIds);

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
      reject(item, CONVERTED_LEAD_ERROR, convertedReason(item.targetId as string, contactId), item.plan.writeTarget, false);
      item.plan = undefined;
      continue;
    }
    counts.conflicts += item.plan.conflicts.length;
  }

  // A linked partner that is gone: the mapping's deletion policy for its side decides.
  const partner = direction === 'to_salesforce' ? salesforceName : 'HubSpot contact';
  const targetMissing = (item: Item, why: string) =>
    reject(item, 'TARGET_MISSING', `the linked ${partner} ${item.targetId} no longer exists (${why}); Baton does not re-create it`, item.source.values);
  if (deletePolicyOf(mapping, tgtSide) === 'ignore') {
    for (const item of missingTargets) targetMissing(item, 'deleted or archived; on_delete: ignore');
  } else if (missingTargets.length > 0) {
    const { failed, unconfirmed } = await applyDeletions(store, sides, mapping, tgtSide, missingTargets.map((i) => i.targetId as string), { ...options, confirm: true });
    for (const item of missingTargets) {
      const id = item.targetId as string;
      if (unconfirmed.has(id)) targetMissing(item, 'not found, yet not archived either, e.g. merged into another contact');
      else if (failed.has(id)) counts.rejected += 1;
      else counts.unchanged += 1;
    }
  }

  type Planned = Item & { plan: RecordPlan };
  let planned = items.filter((i): i is Planned => i.plan !== undefined);

  // A record whose partner was deleted under clear_link gets no new one: only a match links it again.
  const wouldCreate = planned.filter((i) => i.targetId === undefined);
  const orphans = wouldCreate.length > 0 ? await store.findOrphans(mapping.name, srcSide, wouldCreate.map((i) => i.source.id)) : new Set<string>();
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
    const claimed = await store.claimCreations(mapping.name, ids, holder, CREATION_CLAIM_TTL_MS);
    // Linked between our read and our claim (the other creator finished): not ours to create either.
    const linkedNow = new Set((await store.findLinksByHubSpotIds(mapping.name, [...claimed])).map((l) => l.hubspotId));
    const busy = toCreate.filter((i) => !claimed.has(i.source.id) || linkedNow.has(i.source.id));
    for (const item of busy) {
      reject(item, 'CREATE_IN_PROGRESS', `a handover is creating the ${salesforceName} of HubSpot contact ${item.source.id} at this moment; the sync writes to it on its next retry`, item.plan?.writeTarget ?? item.source.values);
    }
    toCreate = toCreate.filter((i) => !busy.includes(i));
    planned = planned.filter((i) => !busy.includes(i));
  }
  const toUpdate = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeTarget).length > 0);
  const toWriteBack = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeSource).length > 0);

  const report = (item: Item, action: RecordOutcome['action'], reason?: string) =>
    options.onRecord?.({ direction, sourceId: item.source.id, targetId: item.targetId, action, fields: item.plan?.writeTarget ?? {}, writtenBack: item.plan?.writeSource ?? {}, ...(reason ? { reason } : {}) });

  if (dryRun) {
    counts.created = toCreate.length;
    counts.updated = toUpdate.length;
    counts.unchanged += planned.length - toCreate.length - toUpdate.length;
    counts.rejected += errors.length;
    for (const i of planned) report(i, i.targetId === undefined ? 'create' : Object.keys(i.plan.writeTarget).length > 0 ? 'update' : 'unchanged');
    for (const e of errors) options.onRecord?.({ direction, sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });
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
    const [hubspotId, salesforceId] = srcSide === 'hubspot' ? [item.source.id, item.targetId] : [item.targetId, item.source.id];
    return { mapping: mapping.name, hubspotId: hubspotId as string, salesforceObject: mapping.salesforce.object, salesforceId: salesforceId as string };
  };

  if (toCreate.length > 0) {
    heartbeat('creating');
    applyResults(toCreate, await target.create(mapping, toCreate.map((i) => i.plan.writeTarget)), (i) => i.plan.writeTarget, false);
    // Links right away: a retry of this activity then updates instead of creating again.
    const created = toCreate.filter((i) => !failed.has(i));
    counts.created = created.length;
    if (created.length > 0) await store.upsertLinks(created.map(linkInput));
  }
  if (holder !== null) await store.releaseCreations(mapping.name, toCreate.map((i) => i.source.id), holder);
  if (toUpdate.length > 0) {
    heartbeat('updating');
    applyResults(toUpdate, await target.update(mapping, toUpdate.map((i) => ({ id: i.targetId as string, values: i.plan.writeTarget }))), (i) => i.plan.writeTarget, direction === 'to_salesforce');
  }
  if (toWriteBack.length > 0) {
    heartbeat('writing conflicts back');
    applyResults(toWriteBack, await source.update(mapping, toWriteBack.map((i) => ({ id: i.source.id, values: i.plan.writeSource }))), (i) => i.plan.writeSource, false);
  }

  const newSnapshots: SnapshotInput[] = [];
  const succeeded: string[] = [];
  for (const item of planned) {
    if (failed.has(item) || item.targetId === undefined) continue;
    if (!item.linked && !toCreate.includes(item)) newLinks.push(linkInput(item));
    const link = linkInput(item);
    newSnapshots.push({ mapping: mapping.name, hubspotId: link.hubspotId, hubspot: item.plan.snapshot.hubspot, salesforce: item.plan.snapshot.salesforce });
    succeeded.push(item.source.id);
  }
  counts.updated = toUpdate.filter((i) => !failed.has(i)).length;
  counts.unchanged += planned.length - toCreate.length - toUpdate.length;
  counts.rejected += errors.length;

  heartbeat('saving');
  if (newLinks.length > 0) await store.upsertLinks(newLinks);
  if (newSnapshots.length > 0) await store.putSnapshots(newSnapshots);
  if (errors.length > 0) await store.recordSyncErrors(errors);
  if (succeeded.length > 0) await store.resolveSyncErrors(mapping.name, direction, succeeded);
  if (options.onRecord) {
    for (const i of planned) if (!failed.has(i)) report(i, toCreate.includes(i) ? 'create' : toUpdate.includes(i) ? 'update' : 'unchanged');
    for (const e of errors) options.onRecord({ direction, sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });
  }
  return { counts, diverted };
}
