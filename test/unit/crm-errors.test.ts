import type { Client } from '@hubspot/api-client';
import { CrmError } from '../../src/crm/errors';
import { listIdByName, removeListMembers } from '../../src/crm/hubspot/lists';
import { hubspotFailure, viaOfficialClient, type HubSpotEndpoint } from '../../src/crm/hubspot/request';
import { unenrollContact } from '../../src/crm/hubspot/workflows';
import { salesforceFailure, type SalesforceEndpoint } from '../../src/crm/salesforce/request';

/**
 * Every CRM answer a src/crm function does not handle becomes a CrmError with a stable type,
 * retryable only for throttling and outages, and a message that names the endpoint template
 * and what to fix, never the CRM's free text (it can hold a lead's email).
 */

const REMOVE: HubSpotEndpoint = {
  method: 'PUT',
  path: '/crm/v3/lists/{listId}/memberships/remove',
  scopes: ['crm.lists.write'],
};

/** A client whose apiRequest answers `status` with `body`, recording the paths asked for. */
function answering(status: number, body: unknown = null): { client: Client; paths: string[] } {
  const paths: string[] = [];
  const client = {
    apiRequest: async (opts: { path: string }) => {
      paths.push(opts.path);
      return { status, text: async () => (body === null ? '' : JSON.stringify(body)) };
    },
  } as unknown as Client;
  return { client, paths };
}

describe('HubSpot answers', () => {
  it.each([
    {
      status: 401,
      body: {},
      type: 'HubSpotUnauthorized',
      retryable: false,
      message:
        'HubSpot answered 401 to PUT /crm/v3/lists/{listId}/memberships/remove: the access token is missing, invalid or expired (HUBSPOT_ACCESS_TOKEN)',
    },
    {
      status: 403,
      body: { category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['crm.lists.write'] } }] },
      type: 'HubSpotForbidden',
      retryable: false,
      message:
        'HubSpot answered 403 MISSING_SCOPES to PUT /crm/v3/lists/{listId}/memberships/remove: the private app lacks the crm.lists.write scope; add it in HubSpot (Settings > Integrations > Private apps), then retry',
    },
    {
      status: 404,
      body: { category: 'OBJECT_NOT_FOUND', message: 'Contact with email ada@example.com does not exist.' },
      type: 'HubSpotNotFound',
      retryable: false,
      message:
        'HubSpot answered 404 OBJECT_NOT_FOUND to PUT /crm/v3/lists/{listId}/memberships/remove: the record or resource it names does not exist in HubSpot',
    },
    {
      status: 409,
      body: { category: 'CONFLICT' },
      type: 'HubSpotConflict',
      retryable: false,
      message:
        'HubSpot answered 409 CONFLICT to PUT /crm/v3/lists/{listId}/memberships/remove: it conflicts with what HubSpot holds',
    },
    {
      status: 400,
      body: { category: 'VALIDATION_ERROR' },
      type: 'HubSpotRejected',
      retryable: false,
      message:
        'HubSpot answered 400 VALIDATION_ERROR to PUT /crm/v3/lists/{listId}/memberships/remove: HubSpot refused the request',
    },
    {
      status: 429,
      body: { errorType: 'RATE_LIMIT', policyName: 'DAILY' },
      type: 'HubSpotRateLimited',
      retryable: true,
      message:
        'HubSpot answered 429 DAILY to PUT /crm/v3/lists/{listId}/memberships/remove: over the rate limit of the HubSpot account; retried',
    },
    {
      status: 502,
      body: 'Bad Gateway',
      type: 'CrmUnavailable',
      retryable: true,
      message:
        'HubSpot answered 502 to PUT /crm/v3/lists/{listId}/memberships/remove: HubSpot failed or is unavailable; retried',
    },
  ])('$status is $type (retryable: $retryable)', ({ status, body, type, retryable, message }) => {
    const error = hubspotFailure(REMOVE, status, body);
    expect(error).toMatchObject({ system: 'HubSpot', status, type, retryable, message });
  });

  it("names several scopes from HubSpot's answer, and the endpoint's own when the answer has none", () => {
    expect(
      hubspotFailure(REMOVE, 403, { errors: [{ context: { requiredScopes: ['a.read', 'a.write'] } }] }).message,
    ).toContain('the private app lacks one of the scopes a.read, a.write;');
    expect(hubspotFailure(REMOVE, 403, null).message).toContain('the private app lacks the crm.lists.write scope;');
  });

  it('keeps the handled statuses of a function and throws for the others', async () => {
    // A contact that is not enrolled any more: what the caller wanted.
    expect(await unenrollContact(answering(404).client, '5100001', 'ada@example.com')).toBe(false);
    expect(await unenrollContact(answering(204).client, '5100001', 'ada@example.com')).toBe(true);
    expect(await listIdByName(answering(404).client, 'Nurture')).toBeNull();
    const refused = await removeListMembers(answering(403).client, '102', ['1']).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmError);
    expect(refused).toMatchObject({
      type: 'HubSpotForbidden',
      endpoint: 'PUT /crm/v3/lists/{listId}/memberships/remove',
    });
    // The actual path (with an email) never appears in the message.
    const unenroll = await unenrollContact(answering(403).client, '5100001', 'ada@example.com').catch(
      (e: unknown) => e,
    );
    expect((unenroll as Error).message).not.toContain('ada');
    expect((unenroll as Error).message).toContain('the automation scope');
  });

  it('refuses a 2xx answer of another shape instead of guessing', async () => {
    const odd = await removeListMembers(answering(200, { recordIdsRemoved: 'all' }).client, '102', ['1']).catch(
      (e: unknown) => e,
    );
    expect(odd).toMatchObject({ type: 'HubSpotUnexpectedAnswer', retryable: false });
    expect((odd as Error).message).toBe(
      'HubSpot answered 200 to PUT /crm/v3/lists/{listId}/memberships/remove: the answer is not what the API documents (recordIdsRemoved: invalid_type); Baton does not guess what it means',
    );
  });

  it("turns the official client's exceptions and network failures into CrmErrors, and leaves bugs alone", async () => {
    const apiException = Object.assign(new Error('HTTP-Code: 403'), {
      code: 403,
      body: { category: 'MISSING_SCOPES' },
    });
    await expect(viaOfficialClient(REMOVE, () => Promise.reject(apiException))).rejects.toMatchObject({
      type: 'HubSpotForbidden',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(viaOfficialClient(REMOVE, () => Promise.reject(refused))).rejects.toMatchObject({
      type: 'CrmUnavailable',
      retryable: true,
      status: null,
      message:
        'HubSpot gave no answer to PUT /crm/v3/lists/{listId}/memberships/remove: HubSpot could not be reached (ECONNREFUSED); retried',
    });
    const bug = new TypeError('x is not a function');
    await expect(viaOfficialClient(REMOVE, () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe('Salesforce answers', () => {
  const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'User' };
  const jsforceError = (errorCode: string) => Object.assign(new Error('some text'), { name: errorCode, errorCode });

  it.each([
    ['INVALID_SESSION_ID', 'SalesforceUnauthorized', false, null],
    ['INSUFFICIENT_ACCESS', 'SalesforceForbidden', false, null],
    ['NOT_FOUND', 'SalesforceNotFound', false, null],
    ['INVALID_FIELD', 'SalesforceRejected', false, null],
    ['REQUEST_LIMIT_EXCEEDED', 'SalesforceRateLimited', true, null],
    ['UNABLE_TO_LOCK_ROW', 'SalesforceFailed', true, null],
    ['UNKNOWN_EXCEPTION', 'CrmUnavailable', true, null],
    ['ERROR_HTTP_503', 'CrmUnavailable', true, 503],
    ['ERROR_HTTP_403', 'SalesforceForbidden', false, 403],
  ])('%s is %s, retryable %s', (code, type, retryable, status) => {
    expect(salesforceFailure(QUERY, jsforceError(code))).toMatchObject({
      system: 'Salesforce',
      type,
      retryable,
      status,
    });
  });

  it('names the endpoint and the code, not the text', () => {
    const error = salesforceFailure(QUERY, jsforceError('INVALID_FIELD')) as CrmError;
    expect(error.message).toBe(
      'Salesforce answered INVALID_FIELD to GET /query (User): Salesforce refused the request: a field or object it names is missing or not visible to the integration user (check the names in mappings/)',
    );
  });

  it('leaves errors that are not answers alone', () => {
    const bug = new RangeError('bad');
    expect(salesforceFailure(QUERY, bug)).toBe(bug);
  });
});
