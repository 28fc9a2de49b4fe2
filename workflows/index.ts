export { deltaSync } from './delta-sync';
export type { DeltaSyncInput, DeltaSyncResult } from './delta-sync';
export * from './lead-handover';
