import { continueAsNew, log, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DirectionCursor, PageCounts, SyncDirection } from '../activities/sync-types';
import { BatonMapping } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

const { readSyncPosition, retrySyncErrors } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});
// One activity call per page: records stay in activities and never enter history.
const { syncPage } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // A worker that dies mid-page is noticed within this and the page is retried elsewhere.
  heartbeatTimeout: '20 seconds',
  // A page that keeps failing fails this run; the next scheduled run starts again from the stored cursor.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6, nonRetryableErrorTypes: ['InvalidMapping'] },
});

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
  resume?: { direction: SyncDirection; totals: Record<SyncDirection, PageCounts & { pages: number }> };
}

export type DirectionTotals = PageCounts & { pages: number };
export type DeltaSyncResult = Record<SyncDirection, DirectionTotals>;

export const DEFAULT_SEARCH_LAG_MS = 5_000;

const zero = (): DirectionTotals => ({ read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, conflicts: 0, pages: 0 });

/** HubSpot → Salesforce first, then Salesforce → HubSpot, each from its own cursor up to one fixed `until`. */
const DIRECTIONS: readonly SyncDirection[] = ['to_salesforce', 'to_hubspot'];

export async function deltaSync(input: DeltaSyncInput): Promise<DeltaSyncResult> {
  upsertSearchAttributes([{ key: BatonMapping, value: input.mapping }]);
  // Date.now() is deterministic inside a workflow: the time of the current workflow task.
  const until = input.until ?? Date.now() - (input.searchLagMs ?? DEFAULT_SEARCH_LAG_MS);
  const totals: DeltaSyncResult = input.resume?.totals ?? { to_salesforce: zero(), to_hubspot: zero() };
  const first = input.resume ? DIRECTIONS.indexOf(input.resume.direction) : 0;
  for (const direction of DIRECTIONS.slice(first)) {
    let position: DirectionCursor | null = await readSyncPosition({ mapping: input.mapping, direction });
    if (position && !input.resume) {
      // Records rejected earlier whose backoff is over go first; they never held up the cursor.
      const retried = await retrySyncErrors({ mapping: input.mapping, direction });
      const t = totals[direction];
      for (const key of Object.keys(retried) as (keyof PageCounts)[]) t[key] += retried[key];
    }
    while (position) {
      const page = await syncPage({ mapping: input.mapping, position, until });
      const t = totals[direction];
      t.pages += 1;
      for (const key of Object.keys(page.counts) as (keyof PageCounts)[]) t[key] += page.counts[key];
      if (page.done) break;
      position = page.position;
      if (workflowInfo().continueAsNewSuggested) {
        log.info('continuing as new', { direction, pages: t.pages });
        return continueAsNew<typeof deltaSync>({ mapping: input.mapping, until, searchLagMs: input.searchLagMs, resume: { direction, totals } });
      }
    }
  }
  return totals;
}
