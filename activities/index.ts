import type { Client as HubSpotClient } from '@hubspot/api-client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'jsforce';
import { MappingError, type ObjectMapping } from '../src/config/mapping-file';
import { HubSpotContactSide } from '../src/crm/hubspot/contact-side';
import { SalesforceRecordSide } from '../src/crm/salesforce/record-side';
import type { Store } from '../src/store';
import type { HandoverPolicy } from '../src/config/handover-file';
import { createHandoverActivities } from './handover';
import { createHandoverSweepActivities } from './handover-sweep';
import { flowsIn, readPosition, savePosition } from '../src/sync/cursors';
import { retryRecords, syncPage, syncRun, type RecordOutcome, type SyncSides } from '../src/sync';
import {
  isLifecycleAction,
  ZERO_COUNTS,
  zeroLifecycle,
  type DirectionCursor,
  type PageCounts,
  type SyncDirection,
  type SyncPageInput,
  type SyncPageResult,
} from '../src/sync/types';

export interface ActivityDeps {
  hubspot: HubSpotClient;
  salesforce: Connection;
  store: Store;
  /** Returns the current mapping by name; re-read per call so an edited file takes effect on the next cycle. */
  mappings: (name: string) => ObjectMapping;
  /** The current handover policy (mappings/handover.yaml); without it the handover activities refuse to run. */
  handoverPolicy?: () => HandoverPolicy;
  /** How often a handover polls Salesforce for a first touch; see HandoverDeps. */
  firstTouchPollMs?: number | null;
  /** The shortest time between two reads of HubSpot's recycle bin for deletions; 0: every cycle. */
  recycleBinEveryMs?: number;
}

/** Activities are built over injected dependencies; only src/worker.ts builds real ones. */
export function createActivities(deps: ActivityDeps) {
  const sides: SyncSides = {
    hubspot: new HubSpotContactSide(deps.hubspot, { recycleBinEveryMs: deps.recycleBinEveryMs ?? 0 }),
    salesforce: new SalesforceRecordSide(deps.salesforce),
  };
  const mappingOf = (name: string): ObjectMapping => {
    try {
      return deps.mappings(name);
    } catch (err) {
      if (err instanceof MappingError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidMapping');
      throw err;
    }
  };

  return {
    // The lead handover's activities (activities/handover.ts).
    ...createHandoverActivities(deps),
    // The delta sync's search for leads that qualified without a webhook (activities/handover-sweep.ts).
    ...createHandoverSweepActivities(deps),

    /** Where a direction's reading stands; the directions with no field flowing that way are skipped. */
    async readSyncPosition(input: { mapping: string; direction: SyncDirection }): Promise<DirectionCursor | null> {
      const mapping = mappingOf(input.mapping);
      return flowsIn(mapping, input.direction) ? readPosition(deps.store, sides, mapping, input.direction) : null;
    },

    /** One page of one direction; the cursor moves only after every record was written or recorded as an error. */
    async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
      const mapping = mappingOf(input.mapping);
      const lifecycle = zeroLifecycle();
      const onRecord = (o: RecordOutcome) => {
        if (isLifecycleAction(o.action)) lifecycle[o.action] += 1;
      };
      const { next, done, counts } = await syncPage(
        syncRun(deps.store, sides, mapping, { onRecord, ...activityHooks() }),
        input.position,
        input.until,
      );
      await savePosition(deps.store, mapping, next);
      return { position: next, done, counts, lifecycle };
    },

    /** Records rejected before whose backoff has run out: read again by id and re-synced. */
    async retrySyncErrors(input: { mapping: string; direction: SyncDirection; limit?: number }): Promise<PageCounts> {
      const mapping = mappingOf(input.mapping);
      const due = await deps.store.syncErrors.due(mapping.name, input.direction, new Date(), input.limit ?? 200);
      if (due.length === 0) return { ...ZERO_COUNTS };
      return retryRecords(
        syncRun(deps.store, sides, mapping, activityHooks()),
        input.direction,
        due.map((e) => e.sourceId),
      );
    },
  };
}

/**
 * What the sync engine gets from the activity it runs in: a creation-claim holder that stays
 * the same across the activity's retries (so a retry keeps the claims of the attempt before
 * it), and heartbeats that show a retried activity where it was.
 */
function activityHooks(): { holder?: string; heartbeat?: (step: string) => void } {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return {}; // Called outside an activity (tests): the engine makes its own holder.
  }
  const { workflowExecution, activityId } = context.info;
  return {
    holder: `sync:${workflowExecution?.workflowId ?? '-'}:${activityId}`,
    heartbeat: (step) => context.heartbeat(step),
  };
}

export type Activities = ReturnType<typeof createActivities>;
