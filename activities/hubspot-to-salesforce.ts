import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type ContactSearch, type HubSpotContacts, HUBSPOT_SEARCH_PAGE_MAX, modifiedAt, type HubSpotContact } from '../src/crm/hubspot/contacts';
import { describeSaveErrors, type SalesforceRecords, type SaveResult } from '../src/crm/salesforce/records';
import type { ObjectMapping } from '../src/config/mapping-file';
import { changedValues, hubspotPropertiesOf, normaliseMatchKey, toSalesforceValues, type Values } from '../src/mapping/transform';
import type { RecordLinkInput, SnapshotInput, Store, SyncErrorInput } from '../src/store';
import type { HubSpotCursor, PageCounts, SyncPageResult } from './sync-types';

export interface PageDeps {
  contacts: HubSpotContacts;
  salesforce: (sobject: string) => SalesforceRecords;
  store: Store;
}

/** Progress for Temporal: a retried activity that heartbeats shows where it was. */
function heartbeat(step: string): void {
  try {
    Context.current().heartbeat(step);
  } catch {
    // Called outside an activity (unit tests): nothing to report to.
  }
}

/**
 * Reads the next page of changed HubSpot contacts after `cursor` and decides which of
 * them this page owns. A full page ends inside a group of records sharing one
 * timestamp, and that group may continue on the server; so the page keeps only records
 * strictly older than its last timestamp and the next read starts at that timestamp.
 * A page that is one timestamp from start to end switches to draining it by id.
 */
export async function readChangedContacts(
  contacts: ContactSearch,
  mapping: ObjectMapping,
  cursor: HubSpotCursor,
  until: number,
): Promise<{ records: HubSpotContact[]; next: HubSpotCursor; done: boolean }> {
  const properties = hubspotPropertiesOf(mapping);
  const limit = HUBSPOT_SEARCH_PAGE_MAX;
  if (cursor.mode === 'tie') {
    const page = await contacts.searchAtTimestamp({ at: cursor.ts, afterId: cursor.afterId, properties, limit });
    const last = page.results[page.results.length - 1];
    if (page.results.length < limit || !last) return { records: page.results, next: { mode: 'after', ts: cursor.ts }, done: false };
    return { records: page.results, next: { mode: 'tie', ts: cursor.ts, afterId: last.id }, done: false };
  }
  const page = await contacts.searchModified({ after: cursor.ts, until, properties, limit });
  if (page.results.length < limit) {
    const lastTs = page.results.reduce((max, r) => Math.max(max, modifiedAt(r)), cursor.ts);
    return { records: page.results, next: { mode: 'after', ts: lastTs }, done: true };
  }
  const stamps = page.results.map(modifiedAt);
  const lastTs = Math.max(...stamps);
  const older = page.results.filter((_, i) => (stamps[i] ?? lastTs) < lastTs);
  if (older.length === 0) return { records: [], next: { mode: 'tie', ts: lastTs, afterId: null }, done: false };
  const prevTs = Math.max(...older.map(modifiedAt));
  return { records: older, next: { mode: 'after', ts: prevTs }, done: false };
}

interface Planned {
  contact: HubSpotContact;
  values: Values;
  salesforceId?: string;
  changed: Values;
}

export async function syncContactsToSalesforce(
  deps: PageDeps,
  mapping: ObjectMapping,
  records: HubSpotContact[],
): Promise<PageCounts> {
  const counts: PageCounts = { read: records.length, created: 0, updated: 0, unchanged: 0, rejected: 0 };
  if (records.length === 0) return counts;
  const sf = deps.salesforce(mapping.salesforce.object);
  const ids = records.map((r) => r.id);
  const [links, snapshots] = await Promise.all([
    deps.store.findLinksByHubSpotIds(mapping.name, ids),
    deps.store.getSnapshots(mapping.name, ids),
  ]);
  const linked = new Map(links.map((l) => [l.hubspotId, l.salesforceId]));

  const errors: SyncErrorInput[] = [];
  const plans: Planned[] = [];
  for (const contact of records) {
    const values = toSalesforceValues(mapping, contact.properties);
    const key = normaliseMatchKey(mapping, contact.properties[mapping.match.hubspot]);
    if (!linked.has(contact.id) && key === null) {
      errors.push({
        mapping: mapping.name,
        direction: 'to_salesforce',
        sourceId: contact.id,
        errorCode: 'MISSING_MATCH_KEY',
        reason: `HubSpot contact ${contact.id} has no ${mapping.match.hubspot}; Baton matches records on it, so it cannot be synced until it has one`,
        payload: values,
      });
      continue;
    }
    plans.push({ contact, values, salesforceId: linked.get(contact.id), changed: {} });
  }

  // Link or match before any create, so a lead that already exists is never duplicated.
  const unmatched = plans.filter((p) => p.salesforceId === undefined);
  if (unmatched.length > 0) {
    heartbeat('matching');
    const keys = unmatched.map((p) => normaliseMatchKey(mapping, p.contact.properties[mapping.match.hubspot]) as string);
    const found = await sf.findBy(mapping.match.salesforce, keys, [mapping.match.salesforce]);
    const byKey = new Map<string, string>();
    // The oldest record wins when several share a key (ids sort by creation).
    for (const r of [...found].sort((a, b) => a.id.localeCompare(b.id))) {
      const k = normaliseMatchKey(mapping, r.values[mapping.match.salesforce]);
      if (k !== null && !byKey.has(k)) byKey.set(k, r.id);
    }
    unmatched.forEach((p, i) => {
      p.salesforceId = byKey.get(keys[i] as string);
    });
  }

  const newLinks: RecordLinkInput[] = [];
  const newSnapshots: SnapshotInput[] = [];
  const toCreate: Planned[] = [];
  const toUpdate: Planned[] = [];
  for (const p of plans) {
    const snapshot = snapshots.get(p.contact.id);
    p.changed = changedValues(p.values, snapshot?.salesforce);
    if (p.salesforceId === undefined) toCreate.push(p);
    else if (Object.keys(p.changed).length === 0) {
      counts.unchanged += 1;
      if (!linked.has(p.contact.id)) newLinks.push(link(mapping, p));
    } else toUpdate.push(p);
  }

  const succeeded: string[] = [];
  const onResults = (batch: Planned[], results: SaveResult[], kind: 'created' | 'updated') => {
    batch.forEach((p, i) => {
      const result = results[i];
      if (result?.success) {
        if (kind === 'created' && result.id) p.salesforceId = result.id;
        counts[kind] += 1;
        succeeded.push(p.contact.id);
        newLinks.push(link(mapping, p));
        const previous = snapshots.get(p.contact.id)?.salesforce ?? {};
        newSnapshots.push({
          mapping: mapping.name,
          hubspotId: p.contact.id,
          hubspot: p.contact.properties,
          salesforce: { ...previous, ...p.values },
        });
      } else {
        const { code, reason } = result ? describeSaveErrors(result) : { code: 'NO_RESULT', reason: 'Salesforce returned no result for this record' };
        errors.push({ mapping: mapping.name, direction: 'to_salesforce', sourceId: p.contact.id, errorCode: code, reason, payload: kind === 'created' ? p.values : p.changed });
      }
    });
  };

  if (toCreate.length > 0) {
    heartbeat('creating');
    onResults(toCreate, await sf.createMany(toCreate.map((p) => p.values)), 'created');
    // Persist links right away: a retry of this activity then updates instead of creating again.
    await deps.store.upsertLinks(newLinks.splice(0));
  }
  if (toUpdate.length > 0) {
    heartbeat('updating');
    onResults(toUpdate, await sf.updateMany(toUpdate.map((p) => ({ ...p.changed, Id: p.salesforceId as string }))), 'updated');
  }

  counts.rejected = errors.length;
  heartbeat('saving');
  if (newLinks.length > 0) await deps.store.upsertLinks(newLinks);
  if (newSnapshots.length > 0) await deps.store.putSnapshots(newSnapshots);
  if (errors.length > 0) await deps.store.recordSyncErrors(errors);
  if (succeeded.length > 0) await deps.store.resolveSyncErrors(mapping.name, 'to_salesforce', succeeded);
  return counts;
}

function link(mapping: ObjectMapping, p: Planned): RecordLinkInput {
  return { mapping: mapping.name, hubspotId: p.contact.id, salesforceObject: mapping.salesforce.object, salesforceId: p.salesforceId as string };
}

export function invalidMapping(err: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), 'InvalidMapping');
}

export type { SyncPageResult };
