import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { flowsIn, readPosition, savePosition } from './cursors';
import { retryRecords, syncPage } from './page';
import { syncRun, type RecordOutcome, type SyncSides } from './run';
import {
  isLifecycleAction,
  ZERO_COUNTS,
  zeroLifecycle,
  type LifecycleCounts,
  type PageCounts,
  type SyncDirection,
} from './types';
import type { ObjectMapping } from '../config/mapping-file';
import { HubSpotContactSide } from '../crm/hubspot/contact-side';
import { SalesforceRecordSide } from '../crm/salesforce/record-side';
import type { Store } from '../store';

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

const DIRECTIONS: readonly SyncDirection[] = ['to_salesforce', 'to_hubspot'];

function sidesOf(deps: OnceDeps): SyncSides {
  return { hubspot: new HubSpotContactSide(deps.hubspot), salesforce: new SalesforceRecordSide(deps.salesforce) };
}

function add(into: PageCounts, counts: PageCounts): void {
  for (const key of Object.keys(ZERO_COUNTS) as (keyof PageCounts)[]) into[key] += counts[key];
}

export async function syncOnce(
  deps: OnceDeps,
  mapping: ObjectMapping,
  options: {
    dryRun?: boolean;
    /** How far behind now to stop reading: HubSpot's search index lags behind its writes (the workflow's default). */
    searchLagMs: number;
    onRecord?: (o: RecordOutcome) => void;
  },
): Promise<OnceResult> {
  const sides = sidesOf(deps);
  const until = Date.now() - options.searchLagMs;
  const result: OnceResult = {
    to_salesforce: { ...ZERO_COUNTS, pages: 0, lifecycle: zeroLifecycle() },
    to_hubspot: { ...ZERO_COUNTS, pages: 0, lifecycle: zeroLifecycle() },
  };
  const pageOptions = {
    dryRun: options.dryRun,
    onRecord: (o: RecordOutcome) => {
      if (isLifecycleAction(o.action)) result[o.direction].lifecycle[o.action] += 1;
      options.onRecord?.(o);
    },
  };
  const run = syncRun(deps.store, sides, mapping, pageOptions);
  for (const direction of DIRECTIONS) {
    if (!flowsIn(mapping, direction)) continue;
    let position = await readPosition(deps.store, sides, mapping, direction);
    for (;;) {
      const page = await syncPage(run, position, until);
      result[direction].pages += 1;
      add(result[direction], page.counts);
      if (!options.dryRun) await savePosition(deps.store, mapping, page.next);
      position = page.next;
      if (page.done) break;
    }
  }
  return result;
}

/**
 * `baton sync retry`: every unresolved error of a mapping, now, whatever its backoff; given-up
 * errors too, since whoever runs it has usually just fixed the record or the mapping.
 */
export async function retryOpenErrors(
  deps: OnceDeps,
  mapping: ObjectMapping,
  onRecord?: (o: RecordOutcome) => void,
): Promise<Record<SyncDirection, PageCounts>> {
  const sides = sidesOf(deps);
  const out: Record<SyncDirection, PageCounts> = { to_salesforce: { ...ZERO_COUNTS }, to_hubspot: { ...ZERO_COUNTS } };
  const open = await deps.store.syncErrors.list({ mapping: mapping.name, status: ['open', 'gave_up'] });
  for (const direction of DIRECTIONS) {
    const ids = open.filter((e) => e.direction === direction).map((e) => e.sourceId);
    for (let i = 0; i < ids.length; i += 200) {
      add(
        out[direction],
        await retryRecords(syncRun(deps.store, sides, mapping, { onRecord }), direction, ids.slice(i, i + 200)),
      );
    }
  }
  return out;
}
