import type { Client as HubSpotClient } from '@hubspot/api-client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'jsforce';
import { MappingError, type ObjectMapping } from '../src/config/mapping-file';
import type { Store } from '../src/store';
import { readPosition, savePosition } from '../src/sync/cursors';
import { syncPage } from '../src/sync/page';
import { retryDueErrors } from '../src/sync/retry';
import { processHost, SyncRun, type SyncHost, type SyncOptions } from '../src/sync/run-context';
import { createSyncSides } from '../src/sync/sides';
import {
  countLifecycle,
  zeroLifecycle,
  type DirectionCursor,
  type PageCounts,
  type SyncDirection,
  type SyncPageInput,
  type SyncPageResult,
} from '../src/sync/types';

export interface SyncActivityDeps {
  hubspot: HubSpotClient;
  salesforce: Connection;
  store: Store;
  /** Returns the current mapping by name; re-read per call so an edited file takes effect on the next cycle. */
  mappings: (name: string) => ObjectMapping;
  /** The shortest time between two reads of HubSpot's recycle bin for deletions; 0: every cycle. */
  recycleBinEveryMs?: number;
}

/**
 * The engine run by a Temporal activity: its steps heartbeat, and it claims creations under
 * the activity's id, which its retries share, so a retried attempt keeps the claims of the
 * one before.
 */
const activityHost: SyncHost = {
  heartbeat(step) {
    try {
      Context.current().heartbeat(step);
    } catch {
      // Called outside an activity (a test calling the activity function): nothing to report to.
    }
  },
  creator() {
    try {
      const { workflowExecution, activityId } = Context.current().info;
      return `sync:${workflowExecution?.workflowId ?? '-'}:${activityId}`;
    } catch {
      return processHost.creator();
    }
  },
  now: () => Date.now(),
};

/** The delta sync's activities: thin adapters over src/sync, one page or one retry per call. */
export function createSyncActivities(deps: SyncActivityDeps) {
  const sides = createSyncSides(deps, { recycleBinEveryMs: deps.recycleBinEveryMs ?? 0 });
  const mappingOf = (name: string): ObjectMapping => {
    try {
      return deps.mappings(name);
    } catch (err) {
      // A broken mapping file stays broken until someone edits it: retrying cannot help.
      if (err instanceof MappingError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidMapping');
      throw err;
    }
  };
  const runOf = (mapping: ObjectMapping, options?: SyncOptions) =>
    new SyncRun({ store: deps.store, sides, mapping, options, host: activityHost });

  return {
    /** Where a direction's reading stands; the directions with no field flowing that way are skipped. */
    async readSyncPosition(input: { mapping: string; direction: SyncDirection }): Promise<DirectionCursor | null> {
      return readPosition(deps.store, sides, mappingOf(input.mapping), input.direction);
    },

    /** One page of one direction; the cursor moves only after every record was written or recorded as an error. */
    async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
      const mapping = mappingOf(input.mapping);
      const lifecycle = zeroLifecycle();
      const run = runOf(mapping, { onRecord: (o) => countLifecycle(lifecycle, o) });
      const { next, done, counts } = await syncPage(run, input.position, input.until);
      await savePosition(deps.store, mapping.name, next);
      return { position: next, done, counts, lifecycle };
    },

    /** Records rejected before whose backoff has run out: read again by id and re-synced. */
    async retrySyncErrors(input: { mapping: string; direction: SyncDirection; limit?: number }): Promise<PageCounts> {
      return retryDueErrors(runOf(mappingOf(input.mapping)), input.direction, input.limit);
    },
  };
}
