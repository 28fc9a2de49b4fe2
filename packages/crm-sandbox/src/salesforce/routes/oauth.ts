/**
 * The login server's part: `POST /services/oauth2/token` (refresh token flow, form
 * encoded, as jsforce's OAuth2.refreshToken sends it) and the identity URL the token
 * answer points at (`GET /id/{orgId}/{userId}`, jsforce's `conn.identity()`).
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../errors';
import type { OAuthError } from '../sessions';
import { bearerToken, type SandboxContext, sendJson } from './context';

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Every field is optional: a missing one is reported the way the endpoint reports it. */
const TokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  refresh_token: z.string().optional(),
});
const IdentityParamsSchema = z.object({ orgId: z.string(), userId: z.string() });

/** The URL clients reached this sandbox at: it is both login server and instance. */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function isOAuthError(value: object): value is OAuthError {
  return 'error' in value;
}

export function registerOAuthRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  app.post('/services/oauth2/token', async (request, reply) => {
    const parsed = TokenRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return sendJson(reply, 400, {
        error: 'invalid_request',
        error_description: 'the request body must be form encoded',
      });
    }
    const answer = ctx.sessions.refresh(parsed.data, {
      orgId: ctx.state.orgId,
      userId: ctx.state.apiUserId,
      baseUrl: baseUrlOf(request),
    });
    return sendJson(reply, isOAuthError(answer) ? 400 : 200, answer);
  });

  app.get('/id/:orgId/:userId', async (request, reply) => {
    const token = bearerToken(request);
    // The identity service answers a bad token with a bare 403, not the REST API's 401.
    if (token === undefined || !ctx.sessions.isValid(token))
      return reply.code(403).type('text/plain;charset=UTF-8').send('Bad_OAuth_Token');
    const { orgId, userId } = IdentityParamsSchema.parse(request.params);
    const user = ctx.state.get('User', userId);
    if (orgId !== ctx.state.orgId || !user) throw notFound();
    const base = baseUrlOf(request);
    const urls = (path: string) => `${base}/services/data/v{version}/${path}`;
    return sendJson(reply, 200, {
      id: `${base}/id/${orgId}/${String(user.Id)}`,
      asserted_user: true,
      user_id: user.Id,
      organization_id: orgId,
      username: user.Username ?? null,
      nick_name: user.CommunityNickname ?? null,
      display_name: user.Name ?? null,
      email: user.Email ?? null,
      first_name: user.FirstName ?? null,
      last_name: user.LastName ?? null,
      timezone: user.TimeZoneSidKey ?? null,
      active: user.IsActive === true,
      user_type: 'STANDARD',
      language: user.LanguageLocaleKey ?? null,
      locale: user.LocaleSidKey ?? null,
      utcOffset: 0,
      last_modified_date: user.LastModifiedDate ?? null,
      urls: {
        enterprise: `${base}/services/Soap/c/{version}/${orgId.slice(0, 15)}`,
        partner: `${base}/services/Soap/u/{version}/${orgId.slice(0, 15)}`,
        rest: urls(''),
        sobjects: urls('sobjects/'),
        search: urls('search/'),
        query: urls('query/'),
        profile: `${base}/${String(user.Id)}`,
      },
    });
  });
}
