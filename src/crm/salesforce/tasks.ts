import type { Connection } from 'jsforce';
import type { Values } from '../../mapping/transform';
import { unexpectedAnswer } from '../errors';
import { SalesforceRecords, type SaveResult } from './records';
import { salesforceEndpointName, viaJsforce, type SalesforceEndpoint } from './request';
import { soqlString } from './soql';

/** Tasks on a Lead (WhoId): Baton's own, and the reps' first touches. */

const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'Task' };
const CREATE: SalesforceEndpoint = { method: 'POST', path: '/composite/sobjects', object: 'Task' };

/** SOQL datetime literals take no quotes and no milliseconds. */
const soqlDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The Task on this record with exactly this subject, if any.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function taskIdBySubject(conn: Connection, whoId: string, subject: string): Promise<string | null> {
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Task').query(
      `SELECT Id FROM Task WHERE WhoId = ${soqlString(whoId)} AND Subject = ${soqlString(subject)} LIMIT 1`,
    ),
  );
  return rows[0]?.id ?? null;
}

export interface TaskSummary {
  id: string;
  subject: string | null;
  /** Epoch ms; null when Salesforce sent no readable CreatedDate. */
  createdAt: number | null;
}

/**
 * Tasks created on this record at or after `sinceMs`, oldest first, at most `limit`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function tasksCreatedSince(
  conn: Connection,
  whoId: string,
  sinceMs: number,
  limit = 20,
): Promise<TaskSummary[]> {
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Task').query(
      `SELECT Id, Subject, CreatedDate FROM Task WHERE WhoId = ${soqlString(whoId)} AND CreatedDate >= ${soqlDateTime(sinceMs)} ORDER BY CreatedDate ASC LIMIT ${Math.max(1, Math.floor(limit))}`,
    ),
  );
  return rows.map((r) => {
    // Salesforce writes datetimes as 2026-01-02T00:00:00.000+0000, which Date.parse reads.
    const created = Date.parse(r.values.CreatedDate ?? '');
    return { id: r.id, subject: r.values.Subject ?? null, createdAt: Number.isNaN(created) ? null : created };
  });
}

/**
 * Creates one Task; a refused record comes back as a failed SaveResult for the caller to judge.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
 */
export async function createTask(
  conn: Connection,
  fields: Values & { WhoId: string; Subject: string },
): Promise<SaveResult> {
  const [result] = await viaJsforce(CREATE, () => new SalesforceRecords(conn, 'Task').createMany([fields]));
  if (!result) throw unexpectedAnswer('Salesforce', salesforceEndpointName(CREATE), null, 'no result for the record');
  return result;
}
