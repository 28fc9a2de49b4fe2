import type { Connection } from 'jsforce';
import { SalesforceRecords } from './records';
import { viaJsforce, type SalesforceEndpoint } from './request';
import { soqlString } from './soql';

const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'Group' };

/**
 * The id (00G…) of the Lead queue with this name, or null. Queues are Groups of Type 'Queue'.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_group.htm
 */
export async function queueIdByName(conn: Connection, name: string): Promise<string | null> {
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Group').query(
      `SELECT Id FROM Group WHERE Type = 'Queue' AND Name = ${soqlString(name)} LIMIT 1`,
    ),
  );
  return rows[0]?.id ?? null;
}
