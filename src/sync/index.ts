/**
 * The sync engine: one page of one direction at a time (read → link or match → plan each
 * record against its snapshot → write in full batches → persist links, snapshots, errors),
 * with lead conversions, merges and deletions. Activities and `baton sync --once` call it.
 */
export {
  CONVERTED_LEAD_ERROR,
  MERGED_INTO_LINKED,
  mappersOf,
  syncRun,
  type RecordMerges,
  type RecordOutcome,
  type SyncOptions,
  type SyncRun,
  type SyncSides,
} from './run';
export { retryRecords, syncPage, syncRecords } from './page';
export { applyDeletions } from './deletions';
export { cursorName, flowsIn, readPosition, savePosition } from './cursors';
