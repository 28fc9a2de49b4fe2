import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { CrmError, networkErrorCode, unavailable, unexpectedAnswer, type CrmErrorType } from '../errors';

/**
 * HubSpot endpoints as errors name them, with the private-app scopes each needs: a 403
 * names the scope to add. https://developers.hubspot.com/docs/api/working-with-oauth#scopes
 */
export interface HubSpotEndpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The documented path with `{placeholders}`: messages never carry ids or emails. */
  path: string;
  scopes: readonly string[];
}

export const endpointName = (e: HubSpotEndpoint): string => `${e.method} ${e.path}`;

/** HubSpot's error envelope, as far as Baton reads it. https://developers.hubspot.com/docs/api/error-handling */
const errorBodySchema = z
  .object({
    category: z.string().optional(),
    errorType: z.string().optional(),
    policyName: z.string().optional(),
    errors: z
      .array(
        z
          .object({
            context: z
              .object({
                // Both spellings are seen in 403 answers, depending on the app's kind and age.
                requiredScopes: z.array(z.string()).optional(),
                requiredGranularScopes: z.array(z.string()).optional(),
              })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

function scopesIn(body: z.output<typeof errorBodySchema> | undefined): string[] {
  const named = (body?.errors ?? []).flatMap((e) => [
    ...(e.context?.requiredGranularScopes ?? []),
    ...(e.context?.requiredScopes ?? []),
  ]);
  return [...new Set(named)];
}

const listed = (scopes: readonly string[]) =>
  scopes.length === 1 ? `the ${scopes[0]} scope` : `one of the scopes ${scopes.join(', ')}`;

/** The CrmError for a status the caller did not expect, from HubSpot's error body where it has one. */
export function hubspotFailure(endpoint: HubSpotEndpoint, status: number, rawBody: unknown, cause?: unknown): CrmError {
  const parsed = errorBodySchema.safeParse(rawBody);
  const body = parsed.success ? parsed.data : undefined;
  const name = endpointName(endpoint);
  const fail = (type: CrmErrorType, hint: string, code: string | null | undefined = body?.category) =>
    new CrmError({ system: 'HubSpot', endpoint: name, status, type, code: code ?? null, hint, cause });

  if (status === 401)
    return fail('HubSpotUnauthorized', 'the access token is missing, invalid or expired (HUBSPOT_ACCESS_TOKEN)');
  if (status === 403) {
    const scopes = scopesIn(body);
    const needed = scopes.length > 0 ? scopes : endpoint.scopes;
    return fail(
      'HubSpotForbidden',
      needed.length > 0
        ? `the private app lacks ${listed(needed)}; add it in HubSpot (Settings > Integrations > Private apps), then retry`
        : 'the private app may not make this call; check its scopes in HubSpot (Settings > Integrations > Private apps)',
    );
  }
  if (status === 404) return fail('HubSpotNotFound', 'the record or resource it names does not exist in HubSpot');
  if (status === 409) return fail('HubSpotConflict', 'it conflicts with what HubSpot holds');
  if (status === 429)
    return fail(
      'HubSpotRateLimited',
      'over the rate limit of the HubSpot account; retried',
      body?.policyName ?? body?.category,
    );
  if (status >= 500) return fail('CrmUnavailable', 'HubSpot failed or is unavailable; retried');
  if (status >= 400) return fail('HubSpotRejected', 'HubSpot refused the request');
  return unexpectedAnswer('HubSpot', name, status, `status ${status}`, cause);
}

export interface HubSpotAnswer {
  status: number;
  json: unknown;
}

/**
 * One call through `client.apiRequest`, for the endpoints the official client has no
 * generated API for (lists by record, legacy workflows) or whose statuses Baton handles
 * itself. apiRequest never throws on a status: every status not in `expect` becomes a
 * CrmError here, so the callers only see the answers they decided to handle.
 */
export async function hubspotRequest(
  client: Client,
  endpoint: HubSpotEndpoint,
  path: string,
  options: { body?: unknown; expect: readonly number[] },
): Promise<HubSpotAnswer> {
  let res: Awaited<ReturnType<Client['apiRequest']>>;
  try {
    res = await client.apiRequest({
      method: endpoint.method,
      path,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
  } catch (err) {
    const code = networkErrorCode(err);
    if (code !== null) throw unavailable('HubSpot', endpointName(endpoint), code, err);
    throw err;
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    // A proxy's HTML error page: the status decides below.
    json = null;
  }
  if (!options.expect.includes(res.status)) throw hubspotFailure(endpoint, res.status, json);
  return { status: res.status, json };
}

/** Parses an answer with its schema; a body of another shape is a CrmError, not a guess. */
export function parseAnswer<S extends z.ZodType>(
  endpoint: HubSpotEndpoint,
  answer: HubSpotAnswer | { status: number | null; json: unknown },
  schema: S,
): z.output<S> {
  const parsed = schema.safeParse(answer.json);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.code}`).join('; ');
  throw unexpectedAnswer('HubSpot', endpointName(endpoint), answer.status, where, parsed.error);
}

/** What the generated API classes throw for a status outside 2xx (their ApiException). */
const apiExceptionSchema = z.object({ code: z.number().int(), body: z.unknown().optional() }).loose();

/**
 * Runs a call of the official client's generated APIs and turns what it throws into a
 * CrmError: ApiException carries the status and HubSpot's body; no answer at all is an
 * outage. Anything else (a bug of ours) is rethrown as it is.
 */
export async function viaOfficialClient<T>(endpoint: HubSpotEndpoint, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const exception = apiExceptionSchema.safeParse(err);
    if (exception.success && exception.data.code >= 100)
      throw hubspotFailure(endpoint, exception.data.code, exception.data.body, err);
    const code = networkErrorCode(err);
    if (code !== null) throw unavailable('HubSpot', endpointName(endpoint), code, err);
    throw err;
  }
}
