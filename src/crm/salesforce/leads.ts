import type { Connection } from 'jsforce';
import type { Values } from '../../mapping/transform';
import { unexpectedAnswer } from '../errors';
import { SalesforceRecords, type SaveResult } from './records';
import { salesforceEndpointName, viaJsforce, type SalesforceEndpoint } from './request';
import { soqlName, soqlString } from './soql';

/**
 * The Lead, one function per call. Writes go through sObject Collections with
 * `Sforce-Auto-Assign: FALSE` (SalesforceRecords), so assignment rules never override the
 * owner Baton chose. https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm
 */

const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'Lead' };
const CREATE: SalesforceEndpoint = { method: 'POST', path: '/composite/sobjects', object: 'Lead' };
const UPDATE: SalesforceEndpoint = { method: 'PATCH', path: '/composite/sobjects', object: 'Lead' };

/**
 * The oldest unconverted Lead with this email, if any (SOQL compares text case-insensitively).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function openLeadIdByEmail(conn: Connection, email: string): Promise<string | null> {
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Lead').query(
      `SELECT Id FROM Lead WHERE Email = ${soqlString(email)} AND IsConverted = false ORDER BY CreatedDate ASC LIMIT 1`,
    ),
  );
  return rows[0]?.id ?? null;
}

/**
 * Some fields of one Lead; null when it does not exist (deleted, or merged away).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function readLead(conn: Connection, leadId: string, fields: readonly string[]): Promise<Values | null> {
  const [lead] = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Lead').retrieve([leadId], fields.map(soqlName)),
  );
  return lead?.values ?? null;
}

/** Collections answer one result per record sent; a missing one is not a success to assume. */
function only(endpoint: SalesforceEndpoint, results: SaveResult[]): SaveResult {
  const [result] = results;
  if (!result) throw unexpectedAnswer('Salesforce', salesforceEndpointName(endpoint), null, 'no result for the record');
  return result;
}

/**
 * Creates one Lead. A refusal of the record (a required field, a validation rule) comes back
 * as a failed SaveResult for the caller to judge; a refusal of the call is a CrmError.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
 */
export async function createLead(conn: Connection, values: Values): Promise<SaveResult> {
  return only(CREATE, await viaJsforce(CREATE, () => new SalesforceRecords(conn, 'Lead').createMany([values])));
}

/**
 * Gives a Lead to an owner: a User (005…) or a queue (00G…).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
 */
export async function setLeadOwner(conn: Connection, leadId: string, ownerId: string): Promise<SaveResult> {
  return only(
    UPDATE,
    await viaJsforce(UPDATE, () => new SalesforceRecords(conn, 'Lead').updateMany([{ Id: leadId, OwnerId: ownerId }])),
  );
}
