import type { HandoverPolicy } from '../src/config/handover-file';
import { createHandoverActivities } from './handover';
import { createHandoverSweepActivities } from './handover-sweep';
import { createSyncActivities, type SyncActivityDeps } from './sync';

export interface ActivityDeps extends SyncActivityDeps {
  /** The current handover policy (mappings/handover.yaml); without it the handover activities refuse to run. */
  handoverPolicy?: () => HandoverPolicy;
  /** How often a handover polls Salesforce for a first touch; see HandoverDeps. */
  firstTouchPollMs?: number | null;
}

/** Activities are built over injected dependencies; only src/worker.ts builds real ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    // The lead handover's activities (activities/handover.ts).
    ...createHandoverActivities(deps),
    // The delta sync's search for leads that qualified without a webhook (activities/handover-sweep.ts).
    ...createHandoverSweepActivities(deps),
    // The delta sync's pages and retries (activities/sync.ts over src/sync).
    ...createSyncActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
