import type { HubSpotCursor } from '../src/crm/hubspot/cursor';
import type { SalesforceCursor } from '../src/crm/salesforce/record-side';

export type { HubSpotCursor, SalesforceCursor };

/** A direction with the read position on its source side. */
export type DirectionCursor = { direction: 'to_salesforce'; cursor: HubSpotCursor } | { direction: 'to_hubspot'; cursor: SalesforceCursor };

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

export interface SyncPageResult {
  position: DirectionCursor;
  done: boolean;
  counts: PageCounts;
}
