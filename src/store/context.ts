import type { Knex } from 'knex';
import type { Dialect } from './types';

/**
 * What every repository is built from: one knex instance shared by all of them (so they
 * share the pool, and SQLite's single connection serialises their transactions) and the
 * store's clock. Internal to src/store: nothing outside it sees knex.
 */
export interface StoreContext {
  readonly knex: Knex;
  readonly dialect: Dialect;
  /** The store's "now" in epoch ms (tests inject a fake clock). */
  nowMs(): number;
}

/**
 * Largest id list in one `whereIn` and largest row count in one multi-row INSERT. Keeps
 * every statement far below SQLite's bound-variable limit (32,766; 999 on old builds is
 * only hit by whereIn, which stays at 500) and PostgreSQL's 65,535.
 */
export const MAX_BATCH = 500;

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

export function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}
