import type { HubSpotCursor } from '../crm/hubspot/cursor';
import type { SalesforceCursor } from '../crm/salesforce/record-side';
import type { Values } from '../mapping/transform';

/**
 * The sync's contract with the deltaSync workflow, the activities, the CLI and the tests.
 * Types only, apart from a few pure helpers: the workflow imports this file as types.
 */

export type { HubSpotCursor, SalesforceCursor };

/** A direction with the read position on its source side. */
export type DirectionCursor =
  { direction: 'to_salesforce'; cursor: HubSpotCursor } | { direction: 'to_hubspot'; cursor: SalesforceCursor };

export type SyncDirection = DirectionCursor['direction'];

/** HubSpot → Salesforce first, then back: the order of every cycle. */
export const SYNC_DIRECTIONS: readonly SyncDirection[] = ['to_salesforce', 'to_hubspot'];

export interface PageCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  conflicts: number;
}

export const ZERO_COUNTS: PageCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, conflicts: 0 };

/** Adds the page counts of `counts` into `into`; other keys of `into` (pages, lifecycle) stay as they are. */
export function addCounts(into: PageCounts, counts: PageCounts): void {
  for (const key of Object.keys(ZERO_COUNTS) as (keyof PageCounts)[]) into[key] += counts[key];
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

export interface SyncPageInput {
  mapping: string;
  position: DirectionCursor;
  /** Upper bound of the run's window (epoch ms). */
  until: number;
}

/** Conversions followed, links forgotten, partners archived and orphans not re-created (or, in a dry run, that would be). */
export type LifecycleCounts = Record<'follow' | 'unlink' | 'archive' | 'skip', number>;

export const zeroLifecycle = (): LifecycleCounts => ({ follow: 0, unlink: 0, archive: 0, skip: 0 });
export const isLifecycleAction = (action: string): action is keyof LifecycleCounts => action in zeroLifecycle();

/** Counts an outcome into `into` when it is one of the lifecycle's actions. */
export function countLifecycle(into: LifecycleCounts, outcome: RecordOutcome): void {
  if (isLifecycleAction(outcome.action)) into[outcome.action] += 1;
}

export interface SyncPageResult {
  position: DirectionCursor;
  done: boolean;
  counts: PageCounts;
  /** Absent from results of workers older than these counts. */
  lifecycle?: LifecycleCounts;
}
