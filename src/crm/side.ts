import type { ObjectMapping } from '../config/mapping-file';
import type { Values } from '../mapping/transform';
import type { Side } from '../mapping/sync-plan';

/** A record as the sync sees it on either side. */
export interface SideRecord {
  id: string;
  values: Values;
  /** Epoch ms of the last modification on that side. */
  modifiedAt: number;
  /** Epoch ms of its creation, where the side reports it with the change (Salesforce). */
  createdAt?: number;
  /**
   * The Salesforce object, when it is not the mapping's own: a Contact that a Lead of a
   * `lead_conversion: follow` mapping was converted into.
   */
  object?: string;
  /** A converted Lead: the id of the Contact it became (ConvertedContactId). */
  convertedTo?: string;
}

/**
 * Where the reading of deletions stands: epoch ms per feed (one per Salesforce object).
 * Stored as a cursor of its own, apart from the change cursors.
 */
export type DeletionCursor = Record<string, number>;

export type WriteResult = { ok: true; id: string } | { ok: false; code: string | null; reason: string };

export interface ChangedPage<C> {
  records: SideRecord[];
  next: C;
  /** True when the window up to `until` has been read completely. */
  done: boolean;
}

/**
 * What the two-way sync needs from one CRM. One implementation per system over its
 * official client; tests can provide in-memory ones of the same type.
 */
export interface CrmSide<C> {
  readonly side: Side;
  /** Largest write batch the API takes (HubSpot 100, Salesforce 200). */
  readonly writeBatch: number;
  initialCursor(): C;
  readChanged(mapping: ObjectMapping, cursor: C, until: number): Promise<ChangedPage<C>>;
  fetch(mapping: ObjectMapping, ids: string[]): Promise<Map<string, SideRecord>>;
  /** Normalised match key → record id, for the keys that exist on this side. */
  findByMatchKey(mapping: ObjectMapping, keys: string[]): Promise<Map<string, string>>;
  /** Results in input order; one bad record never fails the others. */
  create(mapping: ObjectMapping, rows: Values[]): Promise<WriteResult[]>;
  update(mapping: ObjectMapping, rows: { id: string; values: Values }[]): Promise<WriteResult[]>;
  /**
   * Records deleted (Salesforce) or archived (HubSpot) up to `until` that the sync has not
   * been told about yet; the ids may include records Baton never linked. `progress` is
   * called after each call to the API, so a long read can show it is alive.
   */
  readDeletions(
    mapping: ObjectMapping,
    cursor: DeletionCursor | null,
    until: number,
    progress?: () => void,
  ): Promise<{ ids: string[]; next: DeletionCursor }>;
  /**
   * The ids among `ids` that were deleted (Salesforce) or archived (HubSpot), for records a
   * read by id did not return: on HubSpot a merged-away contact is missing too, but it is
   * not archived, and its partner must not be removed for it.
   */
  confirmDeleted(ids: string[]): Promise<Set<string>>;
  /** Archives (HubSpot) or deletes (Salesforce); a record already gone counts as done. */
  remove(ids: string[]): Promise<WriteResult[]>;
}

/** What following a Lead conversion needs from the Salesforce side. */
export interface LeadConversions {
  /** The mapping as it applies to the Contacts that its Leads were converted into. */
  contactMapping(mapping: ObjectMapping): Promise<ObjectMapping>;
  /** Lead id → ConvertedContactId, for the converted ones among `leadIds`. */
  convertedContacts(leadIds: string[]): Promise<Map<string, string>>;
}

/**
 * Runs a batch write; when the API refuses the whole batch (one bad record in a HubSpot
 * batch create fails them all), splits it in halves down to single records, so only
 * the bad ones are reported and the rest are written.
 */
export async function writeIsolating<T>(
  rows: T[],
  write: (batch: T[]) => Promise<WriteResult[]>,
  describe: (err: unknown) => { code: string | null; reason: string; wholeBatch: boolean },
): Promise<WriteResult[]> {
  if (rows.length === 0) return [];
  try {
    return await write(rows);
  } catch (err) {
    const d = describe(err);
    if (!d.wholeBatch) throw err;
    if (rows.length === 1) return [{ ok: false, code: d.code, reason: d.reason }];
    const mid = Math.ceil(rows.length / 2);
    return [
      ...(await writeIsolating(rows.slice(0, mid), write, describe)),
      ...(await writeIsolating(rows.slice(mid), write, describe)),
    ];
  }
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Maps `items` with at most `limit` calls in flight, results in input order. Batches go out
 * side by side so a paced client (HubSpot's limiter) is kept busy up to its rate.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}
