import { continueAsNew, log, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { HubSpotCursor, PageCounts } from '../activities/sync-types';
import { BatonMapping } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

// One activity call per page: records stay in activities and never enter history.
const { readHubSpotCursor } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});
const { syncHubSpotPage } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '60 seconds',
  // A page that keeps failing fails this run; the next scheduled run starts again from the stored cursor.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6, nonRetryableErrorTypes: ['InvalidMapping'] },
});

export interface DeltaSyncInput {
  /** The mapping file's name (`contact` for mappings/contact.yaml). */
  mapping: string;
  /** Upper bound of this run's window (epoch ms); fixed at the first run so a continued run keeps it. */
  until?: number;
  /** Counts carried over a continue-as-new. */
  totals?: PageCounts;
}

export interface DeltaSyncResult extends PageCounts {
  pages: number;
}

const ZERO: PageCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 };

export async function deltaSync(input: DeltaSyncInput): Promise<DeltaSyncResult> {
  upsertSearchAttributes([{ key: BatonMapping, value: input.mapping }]);
  // Date.now() is deterministic inside a workflow: the time of the current workflow task.
  const until = input.until ?? Date.now();
  const totals: DeltaSyncResult = { ...ZERO, ...input.totals, pages: 0 };
  let cursor: HubSpotCursor = await readHubSpotCursor({ mapping: input.mapping });
  for (;;) {
    const page = await syncHubSpotPage({ mapping: input.mapping, cursor, until });
    cursor = page.cursor;
    totals.pages += 1;
    for (const key of Object.keys(ZERO) as (keyof PageCounts)[]) totals[key] += page.counts[key];
    if (page.done) break;
    if (workflowInfo().continueAsNewSuggested) {
      log.info('continuing as new', { pages: totals.pages });
      return continueAsNew<typeof deltaSync>({ mapping: input.mapping, until, totals });
    }
  }
  return totals;
}
