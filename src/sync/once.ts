import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { ObjectMapping } from '../config/mapping-file';
import type { Store } from '../store';
import { readPosition, savePosition } from './cursors';
import { syncPage } from './page';
import { retryUnresolvedErrors } from './retry';
import { SyncRun } from './run-context';
import { createSyncSides } from './sides';
import {
  addCounts,
  countLifecycle,
  SYNC_DIRECTIONS,
  ZERO_COUNTS,
  zeroLifecycle,
  type DirectionCursor,
  type LifecycleCounts,
  type PageCounts,
  type RecordOutcome,
  type SyncDirection,
} from './types';

/**
 * One sync cycle in this process, without Temporal: what `baton sync --once` runs, for
 * RevOps to preview a mapping change (`--dry-run`) or to sync by hand. The same page
 * engine as the deltaSync workflow; cursors move only when it is not a dry run.
 */
export interface OnceDeps {
  hubspot: HubSpotClient;
  salesforce: Connection;
  store: Store;
}

export type OnceResult = Record<SyncDirection, PageCounts & { pages: number; lifecycle: LifecycleCounts }>;

export type { LifecycleCounts };

export interface OnceOptions {
  dryRun?: boolean;
  /**
   * How long before now the window ends, as in the workflow, whose DEFAULT_SEARCH_LAG_MS the
   * CLI passes: HubSpot's search shows a change only seconds after it was made.
   */
  searchLagMs: number;
  onRecord?: (o: RecordOutcome) => void;
}

export async function syncOnce(deps: OnceDeps, mapping: ObjectMapping, options: OnceOptions): Promise<OnceResult> {
  const result: OnceResult = {
    to_salesforce: { ...ZERO_COUNTS, pages: 0, lifecycle: zeroLifecycle() },
    to_hubspot: { ...ZERO_COUNTS, pages: 0, lifecycle: zeroLifecycle() },
  };
  const sides = createSyncSides(deps);
  const run = new SyncRun({
    store: deps.store,
    sides,
    mapping,
    options: {
      dryRun: options.dryRun,
      onRecord: (o) => {
        countLifecycle(result[o.direction].lifecycle, o);
        options.onRecord?.(o);
      },
    },
  });
  const until = run.host.now() - options.searchLagMs;
  for (const direction of SYNC_DIRECTIONS) {
    let position: DirectionCursor | null = await readPosition(deps.store, sides, mapping, direction);
    while (position) {
      const page = await syncPage(run, position, until);
      result[direction].pages += 1;
      addCounts(result[direction], page.counts);
      if (!run.dryRun) await savePosition(deps.store, mapping.name, page.next);
      position = page.done ? null : page.next;
    }
  }
  return result;
}

/** `baton sync retry`: every unresolved error of a mapping, now (see retryUnresolvedErrors). */
export async function retryOpenErrors(
  deps: OnceDeps,
  mapping: ObjectMapping,
  onRecord?: (o: RecordOutcome) => void,
): Promise<Record<SyncDirection, PageCounts>> {
  return retryUnresolvedErrors(
    new SyncRun({ store: deps.store, sides: createSyncSides(deps), mapping, options: { onRecord } }),
  );
}
