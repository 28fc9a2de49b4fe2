import { HUBSPOT_SEARCH_PAGE_MAX, modifiedAt, type ContactSearch, type HubSpotContact } from './contacts';
import type { HubSpotCursor } from './cursor';

type Scan = Extract<HubSpotCursor, { mode: 'scan' }>;

/** The window a cursor reads next, or undefined when it is already at `until`. */
function windowOf(
  cursor: HubSpotCursor,
  until: number,
): { from: number; to: number; afterId: string | null; maxTs: number } | undefined {
  switch (cursor.mode) {
    case 'scan':
      // A window keeps the bound it started with, even when a later run resumes it.
      return cursor;
    case 'tie':
      // Epoch milliseconds are whole numbers, so (ts - 1, ts] is the one timestamp.
      return { from: cursor.ts - 1, to: cursor.ts, afterId: cursor.afterId, maxTs: cursor.ts };
    case 'after':
      return cursor.ts < until ? { from: cursor.ts, to: until, afterId: null, maxTs: cursor.ts } : undefined;
  }
}

/**
 * Reads the next page of changed HubSpot contacts after `cursor`, up to `until`. A window
 * `(watermark, until]` is read in id order, a full page at a time, each page starting
 * above the last id read: one search call per 200 records, whatever the timestamps.
 * A record changed while its window is read moves past `until` and is read by the next
 * run. Once the window is read, the watermark moves to the latest modification time seen.
 */
export async function readChangedContacts(
  contacts: ContactSearch,
  properties: string[],
  cursor: HubSpotCursor,
  until: number,
): Promise<{ records: HubSpotContact[]; next: HubSpotCursor; done: boolean }> {
  const window = windowOf(cursor, until);
  if (!window) return { records: [], next: cursor, done: true };
  const limit = HUBSPOT_SEARCH_PAGE_MAX;
  const page = await contacts.searchWindow({
    after: window.from,
    until: window.to,
    afterId: window.afterId,
    properties,
    limit,
  });
  const maxTs = page.results.reduce((max, r) => Math.max(max, modifiedAt(r)), window.maxTs);
  const last = page.results[page.results.length - 1];
  if (page.results.length >= limit && last) {
    const next: Scan = { mode: 'scan', from: window.from, to: window.to, afterId: last.id, maxTs };
    return { records: page.results, next, done: false };
  }
  // A window resumed from an earlier run ends before this run's `until`: the rest is read next.
  return { records: page.results, next: { mode: 'after', ts: maxTs }, done: window.to >= until };
}
