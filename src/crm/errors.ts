/**
 * Every CRM call Baton makes ends in the answer it expected or in a CrmError: an answer
 * nobody planned for is never read as "nothing to do" (a 403 on a list removal used to
 * leave the lead in every campaign while the handover reported success).
 *
 * `type` is stable, so Temporal retry policies, the Web UI and tests can name it. Messages
 * name the endpoint by its template (`/crm/v3/lists/{listId}/memberships/remove`) and the
 * CRM's error code or category, never the CRM's free text or the actual path: both can
 * hold a lead's email, and failure messages end up in workflow history unencrypted.
 */

export type CrmSystem = 'HubSpot' | 'Salesforce';

export const CRM_ERROR_TYPES = [
  'HubSpotUnauthorized',
  'HubSpotForbidden',
  'HubSpotNotFound',
  'HubSpotConflict',
  'HubSpotRejected',
  'HubSpotRateLimited',
  'HubSpotUnexpectedAnswer',
  'SalesforceUnauthorized',
  'SalesforceForbidden',
  'SalesforceNotFound',
  'SalesforceRejected',
  'SalesforceRateLimited',
  'SalesforceUnexpectedAnswer',
  'SalesforceFailed',
  'CrmUnavailable',
] as const;
export type CrmErrorType = (typeof CRM_ERROR_TYPES)[number];

/** Throttling and outages pass; everything else needs a person (a scope, a token, a field). */
const RETRYABLE: ReadonlySet<CrmErrorType> = new Set([
  'HubSpotRateLimited',
  'SalesforceRateLimited',
  'SalesforceFailed',
  'CrmUnavailable',
]);

export interface CrmErrorInit {
  system: CrmSystem;
  /** `METHOD /path/{template}`: no ids or emails. */
  endpoint: string;
  /** The HTTP status; null when there was no answer, or the client does not report it (jsforce). */
  status: number | null;
  type: CrmErrorType;
  /** HubSpot's `category` or Salesforce's `errorCode`, when the answer had one. */
  code?: string | null;
  /** What a person should do about it, appended to the message. */
  hint: string;
  /** The call got no answer at all (refused, reset, timed out). */
  noAnswer?: boolean;
  cause?: unknown;
}

export class CrmError extends Error {
  readonly system: CrmSystem;
  readonly endpoint: string;
  readonly status: number | null;
  readonly type: CrmErrorType;
  readonly code: string | null;
  readonly retryable: boolean;

  constructor(init: CrmErrorInit) {
    const answered = init.noAnswer
      ? `${init.system} gave no answer to ${init.endpoint}`
      : init.status !== null
        ? `${init.system} answered ${init.status}${init.code ? ` ${init.code}` : ''} to ${init.endpoint}`
        : `${init.system} answered ${init.code ?? 'an error'} to ${init.endpoint}`;
    super(`${answered}: ${init.hint}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'CrmError';
    this.system = init.system;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.retryable = RETRYABLE.has(init.type);
  }
}

export function isCrmError(err: unknown): err is CrmError {
  return err instanceof CrmError;
}

/** Network failures (refused, reset, timed out, DNS) carry one of these codes somewhere in their cause chain. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The network error code of `err` or of one of its causes, if it is a network failure. */
export function networkErrorCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    // undici's fetch rejects with TypeError('fetch failed') whose cause is the socket error.
    if (e instanceof TypeError && e.message === 'fetch failed') return 'FETCH_FAILED';
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** A call that got no answer: the CRM is down or unreachable from here, so it is retried. */
export function unavailable(system: CrmSystem, endpoint: string, code: string, cause: unknown): CrmError {
  return new CrmError({
    system,
    endpoint,
    status: null,
    type: 'CrmUnavailable',
    code,
    noAnswer: true,
    hint: `${system} could not be reached (${code}); retried`,
    cause,
  });
}

/** A 2xx answer whose body is not what the endpoint documents: Baton must not guess what it means. */
export function unexpectedAnswer(
  system: CrmSystem,
  endpoint: string,
  status: number | null,
  what: string,
  cause?: unknown,
): CrmError {
  return new CrmError({
    system,
    endpoint,
    status,
    type: system === 'HubSpot' ? 'HubSpotUnexpectedAnswer' : 'SalesforceUnexpectedAnswer',
    hint: `the answer is not what the API documents (${what}); Baton does not guess what it means`,
    cause,
  });
}
