import type { ObjectMapping } from '../config/mapping-file';
import type { CrmSide, LeadConversions, SideRecord } from '../crm/side';
import type { Mappers } from '../mapping/sync-plan';
import { toHubSpotValues, toSalesforceValues, type Values } from '../mapping/transform';
import type { Store } from '../store';
import type { DirectionCursor, PageCounts, SyncDirection } from './types';

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

/** Who creates outside an activity (`baton sync --once`): this process, this call. */
export function creationHolder(options: SyncOptions): string {
  return options.holder ?? `sync:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
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

/**
 * One sync call's context: what every step of a page needs, passed as one value instead
 * of the same five parameters down every function.
 */
export interface SyncRun {
  store: Store;
  sides: SyncSides;
  mapping: ObjectMapping;
  mappers: Mappers;
  options: SyncOptions;
}

export function syncRun(store: Store, sides: SyncSides, mapping: ObjectMapping, options: SyncOptions = {}): SyncRun {
  return { store, sides, mapping, mappers: mappersOf(mapping), options };
}

/** The same call on another mapping (a conversion's Contacts). */
export function withMapping(run: SyncRun, mapping: ObjectMapping): SyncRun {
  return { ...run, mapping, mappers: mappersOf(mapping) };
}

export interface SyncOptions {
  /** Plan only: read and diff, write nothing. */
  dryRun?: boolean;
  onRecord?: (outcome: RecordOutcome) => void;
  /**
   * Who holds creation claims made in this call; an activity passes one that stays the same
   * across its retries, so a retry keeps the claims of the attempt before it.
   */
  holder?: string;
  /** Progress for whoever runs the call (an activity's heartbeat). */
  heartbeat?: (step: string) => void;
}

export function addCounts(into: PageCounts, counts: PageCounts): void {
  for (const key of Object.keys(counts) as (keyof PageCounts)[]) into[key] += counts[key];
}

/** The mapping's field transforms, both ways. */
export function mappersOf(mapping: ObjectMapping): Mappers {
  return { toSalesforce: (v) => toSalesforceValues(mapping, v), toHubSpot: (v) => toHubSpotValues(mapping, v) };
}
