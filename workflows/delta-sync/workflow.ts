import { continueAsNew, log, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { SweepCounts, SweepPageResult } from '../../src/handover/types';
import type { DirectionCursor, HubSpotCursor, LifecycleCounts, PageCounts } from '../../src/sync/types';
import { BatonMapping } from '../search-attributes';
import {
  DEFAULT_SEARCH_LAG_MS,
  type DeltaSyncInput,
  type DeltaSyncResult,
  type DeltaSyncStep as Step,
  type DirectionTotals,
  type SweepTotals,
} from './api';

type Activities = ReturnType<typeof createActivities>;

const { readSyncPosition, retrySyncErrors, readSweepPosition, retrySweepErrors } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});
// One activity call per page: records stay in activities and never enter history.
const { syncPage } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // A worker that dies mid-page is noticed within this and the page is retried elsewhere.
  heartbeatTimeout: '20 seconds',
  // A page that keeps failing fails this run; the next scheduled run starts again from the stored cursor.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['InvalidMapping'],
  },
});

// One page of the qualification sweep: a search and a Temporal call per lead it hands over.
const { sweepQualifiedLeads } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['InvalidPolicy'],
  },
});

const zero = (): DirectionTotals => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  conflicts: 0,
  pages: 0,
  lifecycle: { follow: 0, unlink: 0, archive: 0, skip: 0 },
});

/**
 * HubSpot → Salesforce first, then Salesforce → HubSpot, each from its own cursor up to one
 * fixed `until`; then the sweep for leads that qualified without a webhook, last so that a
 * failing sweep never holds up the sync.
 */
const STEPS: readonly Step[] = ['to_salesforce', 'to_hubspot', 'handover_sweep'];

export async function deltaSync(input: DeltaSyncInput): Promise<DeltaSyncResult> {
  upsertSearchAttributes([{ key: BatonMapping, value: input.mapping }]);
  // Date.now() is deterministic inside a workflow: the time of the current workflow task.
  const until = input.until ?? Date.now() - (input.searchLagMs ?? DEFAULT_SEARCH_LAG_MS);
  const totals: DeltaSyncResult = input.resume?.totals ?? { to_salesforce: zero(), to_hubspot: zero() };
  const first = input.resume ? STEPS.indexOf(input.resume.direction) : 0;
  for (const direction of STEPS.slice(first)) {
    if (direction === 'handover_sweep') {
      const continued = await sweep(input, until, totals);
      if (continued !== null) return continued;
      continue;
    }
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
      if (page.lifecycle) {
        const sum = (t.lifecycle ??= { follow: 0, unlink: 0, archive: 0, skip: 0 });
        for (const key of Object.keys(page.lifecycle) as (keyof LifecycleCounts)[]) sum[key] += page.lifecycle[key];
      }
      if (page.done) break;
      position = page.position;
      if (workflowInfo().continueAsNewSuggested) {
        log.info('continuing as new', { direction, pages: t.pages });
        return continueAsNew<typeof deltaSync>({
          mapping: input.mapping,
          until,
          searchLagMs: input.searchLagMs,
          resume: { direction, totals },
        });
      }
    }
  }
  return totals;
}

const zeroSweep = (): SweepTotals => ({
  read: 0,
  qualified: 0,
  started: 0,
  running: 0,
  coolingDown: 0,
  notQualified: 0,
  failed: 0,
  pages: 0,
});

/** Pages of the qualification sweep; returns the continued run when history grows long, else null. */
async function sweep(input: DeltaSyncInput, until: number, totals: DeltaSyncResult): Promise<DeltaSyncResult | null> {
  const start = await readSweepPosition({ mapping: input.mapping, until });
  if (start === null) return null;
  let cursor: HubSpotCursor = start;
  const t = (totals.handover_sweep ??= zeroSweep());
  if (input.resume?.direction !== 'handover_sweep') {
    // Contacts that could not be judged earlier and are due again; they never held up the cursor.
    const retried = await retrySweepErrors({});
    for (const key of Object.keys(retried) as (keyof SweepCounts)[]) t[key] += retried[key];
  }
  for (;;) {
    const page: SweepPageResult = await sweepQualifiedLeads({ cursor, until });
    t.pages += 1;
    for (const key of Object.keys(page.counts) as (keyof SweepCounts)[]) t[key] += page.counts[key];
    if (page.done) return null;
    cursor = page.cursor;
    if (workflowInfo().continueAsNewSuggested) {
      log.info('continuing as new', { direction: 'handover_sweep', pages: t.pages });
      return continueAsNew<typeof deltaSync>({
        mapping: input.mapping,
        until,
        searchLagMs: input.searchLagMs,
        resume: { direction: 'handover_sweep', totals },
      });
    }
  }
}
