import type { HubSpotCursor } from '../crm/hubspot/cursor';
import type { SalesforceCursor } from '../crm/salesforce/record-side';

export type { HubSpotCursor, SalesforceCursor };

/** A direction with the read position on its source side. */
export type DirectionCursor =
  { direction: 'to_salesforce'; cursor: HubSpotCursor } | { direction: 'to_hubspot'; cursor: SalesforceCursor };

export type SyncDirection = DirectionCursor['direction'];

export interface PageCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  conflicts: number;
}

export const ZERO_COUNTS: PageCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, conflicts: 0 };

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

export interface SyncPageResult {
  position: DirectionCursor;
  done: boolean;
  counts: PageCounts;
  /** Absent from results of workers older than these counts. */
  lifecycle?: LifecycleCounts;
}
