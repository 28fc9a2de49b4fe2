/**
 * The contract of the `deltaSync` workflow: its type name, input and result. The worker's
 * schedules start it by this name; workflow.ts holds its code.
 */
import type { SweepCounts } from '../../src/handover/types';
import type { LifecycleCounts, PageCounts, SyncDirection } from '../../src/sync/types';

/** The workflow type, as `workflows/index.ts` exports the function and as schedules start it. */
export const DELTA_SYNC_WORKFLOW_TYPE = 'deltaSync';

/** The steps of a run, in order; a continued run resumes at the one it left. */
export type DeltaSyncStep = SyncDirection | 'handover_sweep';

export interface DeltaSyncInput {
  /** The mapping file's name (`contact` for mappings/contact.yaml). */
  mapping: string;
  /** Upper bound of this run's window (epoch ms); fixed at the first run so a continued run keeps it. */
  until?: number;
  /**
   * HubSpot's search index shows a change only seconds after it is made. The window stops
   * this long before now, so the cursor never passes a change search does not show yet;
   * such changes are read by the next run. Default 5 s.
   */
  searchLagMs?: number;
  /** Where a continued run resumes: the direction still to finish. */
  resume?: { direction: DeltaSyncStep; totals: DeltaSyncResult };
}

/** `lifecycle`: conversions followed and deletions applied (absent in runs continued from before it existed). */
export type DirectionTotals = PageCounts & { pages: number; lifecycle?: LifecycleCounts };
export type SweepTotals = SweepCounts & { pages: number };
/** `handover_sweep` is there when the run swept for qualified leads (a handover policy exists). */
export type DeltaSyncResult = Record<SyncDirection, DirectionTotals> & { handover_sweep?: SweepTotals };

export const DEFAULT_SEARCH_LAG_MS = 5_000;
