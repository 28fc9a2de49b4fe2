import type { Connection } from 'jsforce';
import type { Values } from '../../mapping/transform';
import { SalesforceRecords } from './records';
import { viaJsforce, type SalesforceEndpoint } from './request';
import { soqlName } from './soql';

const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'User' };

export interface SalesforceUser {
  id: string;
  /** Lower case. */
  email: string;
  isActive: boolean;
  /** Every field read, `extraFields` included (checkboxes as 'true' / 'false'). */
  values: Values;
}

/**
 * Users whose Email is one of `emails` (case-insensitive), with `extraFields` (e.g. an
 * "away" checkbox named in the policy). Several users may share an address.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function usersByEmail(
  conn: Connection,
  emails: readonly string[],
  extraFields: readonly string[] = [],
): Promise<SalesforceUser[]> {
  if (emails.length === 0) return [];
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'User').findBy(
      'Email',
      [...emails],
      ['Email', 'IsActive', ...extraFields.map(soqlName)],
    ),
  );
  return rows.flatMap((row) => {
    const email = row.values.Email?.trim().toLowerCase();
    return email ? [{ id: row.id, email, isActive: row.values.IsActive === 'true', values: row.values }] : [];
  });
}
