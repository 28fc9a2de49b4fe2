export { parseSoql, querySoql, type QueryResultSet, runSoql } from './query';
export { type QueryRecord, type SoqlDataSource, SoqlError, type SoqlOptions } from './types';
