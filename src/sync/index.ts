/**
 * The sync engine: one page of one direction at a time (read → link or match → plan each
 * record against its snapshot → write in full batches → persist links, snapshots, errors),
 * with lead conversions, merges and deletions. Activities and `baton sync --once` call it.
 */
export { mappersOf, processHost, SyncRun, type SyncHost, type SyncOptions, type SyncRunInit } from './run-context';
export { createSyncSides, type RecordMerges, type SyncSides } from './sides';
export { syncPage, type PageResult } from './page';
export { retryDueErrors, retryRecords, retryUnresolvedErrors } from './retry';
export { applyDeletions } from './deletions';
export { cursorName, flowsTo, readPosition, savePosition } from './cursors';
export type { RecordOutcome } from './types';
