/**
 * Query locators. A query with more rows than one batch answers with
 * `nextRecordsUrl: /services/data/vXX.X/query/{locator}-{offset}`; the next page is read
 * with that URL (jsforce's queryMore sends its last path segment). Like the platform's
 * cursors they expire after 15 minutes unused, and only a bounded number stay open.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query_more_results.htm
 */
import { KEY_PREFIXES, makeId } from './ids';
import type { QueryResultSet } from './soql';

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;
const IDLE_TIMEOUT_MS = 15 * 60_000;
const MAX_OPEN_CURSORS = 500;

interface Cursor {
  result: QueryResultSet;
  batchSize: number;
  lastUsed: number;
}

export class QueryCursors {
  private readonly open = new Map<string, Cursor>();
  private sequence = 0;

  constructor(private readonly now: () => number) {}

  /** Keeps a result for queryMore and returns its locator. */
  add(result: QueryResultSet, batchSize: number): string {
    this.expire();
    const locator = makeId(KEY_PREFIXES.QueryLocator, ++this.sequence);
    this.open.set(locator, { result, batchSize, lastUsed: this.now() });
    while (this.open.size > MAX_OPEN_CURSORS) {
      const oldest = this.open.keys().next().value;
      if (oldest === undefined) break;
      this.open.delete(oldest);
    }
    return locator;
  }

  get(locator: string): { result: QueryResultSet; batchSize: number } | undefined {
    this.expire();
    const cursor = this.open.get(locator);
    if (!cursor) return undefined;
    cursor.lastUsed = this.now();
    // Re-insert so the map stays ordered by last use (oldest first) for eviction.
    this.open.delete(locator);
    this.open.set(locator, cursor);
    return cursor;
  }

  close(locator: string): void {
    this.open.delete(locator);
  }

  clear(): void {
    this.open.clear();
  }

  private expire(): void {
    const limit = this.now() - IDLE_TIMEOUT_MS;
    for (const [locator, cursor] of this.open) {
      if (cursor.lastUsed >= limit) break;
      this.open.delete(locator);
    }
  }
}

/**
 * `Sforce-Query-Options: batchSize=N`: 200 to 2,000 (values outside are clamped; the
 * platform treats the size as a hint).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
 */
export function batchSizeFromHeader(header: string | undefined): number {
  const m = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return DEFAULT_BATCH_SIZE;
  const n = Number(m[1]);
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, n));
}
