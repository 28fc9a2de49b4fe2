import type { ObjectSchema, SchemaRegistry, SObjectRecord } from '../schema';

/** What the SOQL evaluator reads: schemas and records. `SalesforceState` implements it. */
export interface SoqlDataSource {
  readonly schemas: SchemaRegistry;
  scan(objectName: string, includeDeleted: boolean): Iterable<SObjectRecord>;
  findById(id: string): { schema: ObjectSchema; record: SObjectRecord } | undefined;
}

export interface SoqlOptions {
  /** queryAll: deleted records are visible too. */
  includeDeleted?: boolean;
  /** Clock for date literals such as TODAY and LAST_N_DAYS:n (epoch ms). */
  now?: number;
}

/** A record as the query resource prints it. */
export interface QueryRecord {
  attributes: { type: string; url?: string };
  [field: string]: unknown;
}

/**
 * A query failure with the API's error code (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
 * INVALID_QUERY_FILTER_OPERATOR, …); the message is the one the API prints.
 */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SoqlError';
  }
}

/**
 * The API prefixes query errors with the offending line and a caret:
 * "\nSELECT Foo FROM Lead\n       ^\nERROR at Row:1:Column:8\nNo such column …".
 * The parser gives no positions, so the token is looked up in the query text.
 */
export function locatedError(errorCode: string, soql: string, token: string | undefined, message: string): SoqlError {
  const at = token ? findToken(soql, token) : -1;
  if (at < 0) return new SoqlError(errorCode, message);
  const before = soql.slice(0, at);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', at);
  const line = soql.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const column = at - lineStart + 1;
  return new SoqlError(
    errorCode,
    `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`,
  );
}

function findToken(soql: string, token: string): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^A-Za-z0-9_.])(${escaped})(?![A-Za-z0-9_])`, 'i');
  const m = re.exec(soql);
  return m ? m.index + (m[1]?.length ?? 0) : -1;
}
