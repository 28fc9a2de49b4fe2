import { z } from 'zod';
import { CrmError, networkErrorCode, unavailable, unexpectedAnswer, type CrmErrorType } from '../errors';

/**
 * Salesforce endpoints as errors name them: `GET /query (Task)`. jsforce reports the
 * errorCode of Salesforce's answer but not the HTTP status, so errors are classified by
 * code. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export interface SalesforceEndpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The REST path below /services/data/vXX.X. */
  path: string;
  /** The sObject the call reads or writes, named in messages. */
  object: string;
}

export const salesforceEndpointName = (e: SalesforceEndpoint): string => `${e.method} ${e.path} (${e.object})`;

/** jsforce's HttpApiError: `errorCode` (Salesforce's, or `ERROR_HTTP_<status>` for a body without one). */
const httpApiErrorSchema = z.object({ errorCode: z.string() }).loose();

const UNAUTHORIZED = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER', 'INVALID_GRANT', 'ERROR_HTTP_401']);
const FORBIDDEN = new Set([
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'FUNCTIONALITY_NOT_ENABLED',
  'ERROR_HTTP_403',
]);
const NOT_FOUND = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'ERROR_HTTP_404']);
/** The request as Baton built it is wrong: usually a field or object name from a policy file. */
const REJECTED = new Set([
  'MALFORMED_QUERY',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'JSON_PARSER_ERROR',
  'ERROR_HTTP_400',
]);
const UNAVAILABLE = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'BAD_GATEWAY']);

function classify(code: string): { type: CrmErrorType; hint: string } {
  if (UNAUTHORIZED.has(code))
    return { type: 'SalesforceUnauthorized', hint: 'the session or token is invalid (SALESFORCE_* settings)' };
  if (FORBIDDEN.has(code))
    return {
      type: 'SalesforceForbidden',
      hint: "the integration user's profile or permission sets do not allow this call; grant access in Salesforce Setup",
    };
  if (NOT_FOUND.has(code)) return { type: 'SalesforceNotFound', hint: 'the record it names does not exist' };
  if (REJECTED.has(code))
    return {
      type: 'SalesforceRejected',
      hint: 'Salesforce refused the request: a field or object it names is missing or not visible to the integration user (check the names in mappings/)',
    };
  if (code === 'REQUEST_LIMIT_EXCEEDED' || code === 'ERROR_HTTP_429')
    return { type: 'SalesforceRateLimited', hint: "over the org's API limits; retried" };
  if (UNAVAILABLE.has(code) || /^ERROR_HTTP_5\d\d$/.test(code))
    return { type: 'CrmUnavailable', hint: 'Salesforce failed or is unavailable; retried' };
  // Transient codes such as UNABLE_TO_LOCK_ROW or QUERY_TIMEOUT, and codes not known here.
  return { type: 'SalesforceFailed', hint: 'Salesforce could not complete the call; retried' };
}

/** What jsforce threw, as a CrmError; anything that is not an API answer or a network failure is rethrown. */
export function salesforceFailure(endpoint: SalesforceEndpoint, err: unknown): unknown {
  if (err instanceof CrmError) return err;
  const name = salesforceEndpointName(endpoint);
  const network = networkErrorCode(err);
  if (network !== null) return unavailable('Salesforce', name, network, err);
  if (err instanceof z.ZodError) {
    const where = err.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.code}`).join('; ');
    return unexpectedAnswer('Salesforce', name, null, where, err);
  }
  const api = httpApiErrorSchema.safeParse(err);
  if (!api.success) return err;
  const code = api.data.errorCode;
  const status = /^ERROR_HTTP_(\d{3})$/.exec(code);
  const { type, hint } = classify(code);
  return new CrmError({
    system: 'Salesforce',
    endpoint: name,
    status: status?.[1] !== undefined ? Number(status[1]) : null,
    type,
    code: status ? null : code,
    hint,
    cause: err,
  });
}

/** Runs one call through jsforce (or SalesforceRecords over it); what it throws becomes a CrmError. */
export async function viaJsforce<T>(endpoint: SalesforceEndpoint, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw salesforceFailure(endpoint, err);
  }
}
