import { Context } from '@temporalio/activity';
import type { ObjectMapping } from '../src/config/mapping-file';
import type { CrmSide, SideRecord, WriteResult } from '../src/crm/side';
import { planRecord, sourceSideOf, type Mappers, type RecordPlan } from '../src/mapping/sync-plan';
import { normaliseMatchKey, type Values } from '../src/mapping/transform';
import type { RecordLinkInput, SnapshotInput, Store, SyncErrorInput } from '../src/store';
import { ZERO_COUNTS, type DirectionCursor, type PageCounts, type SyncDirection } from './sync-types';

export interface SyncSides {
  hubspot: CrmSide<Extract<DirectionCursor, { direction: 'to_salesforce' }>['cursor']>;
  salesforce: CrmSide<Extract<DirectionCursor, { direction: 'to_hubspot' }>['cursor']>;
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

/**
 * One page of one direction: read → link or match → fetch the other side → plan each
 * record against its snapshot → write in full batches → persist links, snapshots and
 * errors. Every record read ends written, unchanged or in sync_errors, so the cursor
 * may move past all of them.
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
  return { next, done, counts };
}

/** What a dry run or a report wants to know about each record. */
export interface RecordOutcome {
  direction: SyncDirection;
  sourceId: string;
  targetId?: string;
  action: 'create' | 'update' | 'unchanged' | 'rejected';
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
  return syncRecords(store, sides, mapping, mappers, direction, [...found.values()], options);
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
  const counts: PageCounts = { ...ZERO_COUNTS };
  const dryRun = options.dryRun ?? false;
  counts.read = records.length;
  if (records.length === 0) return counts;

  const source: CrmSide<unknown> = direction === 'to_salesforce' ? sides.hubspot : sides.salesforce;
  const target: CrmSide<unknown> = direction === 'to_salesforce' ? sides.salesforce : sides.hubspot;
  const srcSide = sourceSideOf(direction);
  const sourceMatchField = srcSide === 'hubspot' ? mapping.match.hubspot : mapping.match.salesforce;
  const hubspotIdOf = (item: Item) => (srcSide === 'hubspot' ? item.source.id : item.targetId);

  const ids = records.map((r) => r.id);
  const links = srcSide === 'hubspot' ? await store.findLinksByHubSpotIds(mapping.name, ids) : await store.findLinksBySalesforceIds(mapping.name, ids);
  const linkOf = new Map(links.map((l) => (srcSide === 'hubspot' ? [l.hubspotId, l.salesforceId] : [l.salesforceId, l.hubspotId])));

  const errors: SyncErrorInput[] = [];
  const reject = (item: Item, code: string | null, reason: string, payload: Values) =>
    errors.push({ mapping: mapping.name, direction, sourceId: item.source.id, errorCode: code, reason, payload });

  const items: Item[] = [];
  for (const r of records) {
    const linked = linkOf.get(r.id);
    const item: Item = { source: r, targetId: linked, linked: linked !== undefined };
    if (!item.linked && normaliseMatchKey(mapping, r.values[sourceMatchField]) === null) {
      reject(item, 'MISSING_MATCH_KEY', `${srcSide === 'hubspot' ? 'HubSpot contact' : `Salesforce ${mapping.salesforce.object}`} ${r.id} has no ${sourceMatchField}; Baton matches records on it, so it cannot be synced until it has one`, r.values);
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

  for (const item of items) {
    const targetRecord = item.targetId ? current.get(item.targetId) : undefined;
    if (item.linked && !targetRecord) {
      reject(item, 'TARGET_MISSING', `the linked ${direction === 'to_salesforce' ? `Salesforce ${mapping.salesforce.object}` : 'HubSpot contact'} ${item.targetId} no longer exists (deleted or archived); Baton does not re-create it`, item.source.values);
      continue;
    }
    if (!targetRecord) item.targetId = undefined;
    const hubspotId = hubspotIdOf(item);
    const snapshot = hubspotId && item.linked ? snapshots.get(hubspotId) : undefined;
    try {
      item.plan = planRecord(mapping, mappers, direction, item.source, targetRecord, snapshot);
    } catch (err) {
      // A value the mapping cannot convert (an unmapped picklist value with policy "error", a bad date, …).
      reject(item, 'MAPPING_FAILED', err instanceof Error ? err.message : String(err), item.source.values);
      continue;
    }
    counts.conflicts += item.plan.conflicts.length;
  }

  type Planned = Item & { plan: RecordPlan };
  const planned = items.filter((i): i is Planned => i.plan !== undefined);
  const toCreate = planned.filter((i) => i.targetId === undefined);
  const toUpdate = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeTarget).length > 0);
  const toWriteBack = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeSource).length > 0);

  const report = (item: Item, action: RecordOutcome['action'], reason?: string) =>
    options.onRecord?.({ direction, sourceId: item.source.id, targetId: item.targetId, action, fields: item.plan?.writeTarget ?? {}, writtenBack: item.plan?.writeSource ?? {}, ...(reason ? { reason } : {}) });

  if (dryRun) {
    counts.created = toCreate.length;
    counts.updated = toUpdate.length;
    counts.unchanged = planned.length - toCreate.length - toUpdate.length;
    counts.rejected = errors.length;
    for (const i of planned) report(i, i.targetId === undefined ? 'create' : Object.keys(i.plan.writeTarget).length > 0 ? 'update' : 'unchanged');
    for (const e of errors) options.onRecord?.({ direction, sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });
    return counts;
  }

  const failed = new Set<Item>();
  const applyResults = (batch: Planned[], results: WriteResult[], payload: (i: Planned) => Values) => {
    batch.forEach((item, n) => {
      const r = results[n];
      if (r?.ok) {
        if (item.targetId === undefined) item.targetId = r.id;
        return;
      }
      failed.add(item);
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
    applyResults(toCreate, await target.create(mapping, toCreate.map((i) => i.plan.writeTarget)), (i) => i.plan.writeTarget);
    // Links right away: a retry of this activity then updates instead of creating again.
    const created = toCreate.filter((i) => !failed.has(i));
    counts.created = created.length;
    if (created.length > 0) await store.upsertLinks(created.map(linkInput));
  }
  if (toUpdate.length > 0) {
    heartbeat('updating');
    applyResults(toUpdate, await target.update(mapping, toUpdate.map((i) => ({ id: i.targetId as string, values: i.plan.writeTarget }))), (i) => i.plan.writeTarget);
  }
  if (toWriteBack.length > 0) {
    heartbeat('writing conflicts back');
    applyResults(toWriteBack, await source.update(mapping, toWriteBack.map((i) => ({ id: i.source.id, values: i.plan.writeSource }))), (i) => i.plan.writeSource);
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
  counts.unchanged = planned.length - toCreate.length - toUpdate.length;
  counts.rejected = errors.length;

  heartbeat('saving');
  if (newLinks.length > 0) await store.upsertLinks(newLinks);
  if (newSnapshots.length > 0) await store.putSnapshots(newSnapshots);
  if (errors.length > 0) await store.recordSyncErrors(errors);
  if (succeeded.length > 0) await store.resolveSyncErrors(mapping.name, direction, succeeded);
  if (options.onRecord) {
    for (const i of planned) if (!failed.has(i)) report(i, toCreate.includes(i) ? 'create' : toUpdate.includes(i) ? 'update' : 'unchanged');
    for (const e of errors) options.onRecord({ direction, sourceId: e.sourceId, action: 'rejected', fields: {}, writtenBack: {}, reason: e.reason });
  }
  return counts;
}
