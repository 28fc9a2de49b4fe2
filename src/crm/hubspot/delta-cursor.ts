import { HUBSPOT_SEARCH_PAGE_MAX, modifiedAt, type ContactSearch, type HubSpotContact } from './contacts';
import type { HubSpotCursor } from './cursor';

/**
 * Reads the next page of changed HubSpot contacts after `cursor` and decides which of
 * them this page owns. A full page ends inside a group of records sharing one
 * timestamp, and that group may continue on the server; so the page keeps only records
 * strictly older than its last timestamp and the next read starts at that timestamp.
 * A page that is one timestamp from start to end switches to draining it by id.
 */
export async function readChangedContacts(
  contacts: ContactSearch,
  properties: string[],
  cursor: HubSpotCursor,
  until: number,
): Promise<{ records: HubSpotContact[]; next: HubSpotCursor; done: boolean }> {
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
