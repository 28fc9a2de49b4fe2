// Every function exported here is registered as a workflow type: the contracts (ids, signals,
// start helpers) are imported from each workflow's api.ts instead.
export { deltaSync } from './delta-sync/workflow';
export { leadHandover } from './lead-handover/workflow';
