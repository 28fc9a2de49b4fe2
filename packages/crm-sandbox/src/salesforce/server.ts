/**
 * The HTTP face of the sandbox: authentication, usage headers, error bodies in the API's
 * format, and the route modules.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerSalesforceFaults, type SalesforceFaultsInput } from '../faults';
import { ApiError, NOT_FOUND_MESSAGE } from './errors';
import { registerAdminRoutes } from './routes/admin';
import { registerCollectionRoutes } from './routes/collections';
import { apiVersion, bearerToken, JSON_CONTENT_TYPE, type SandboxContext, sendJson } from './routes/context';
import { registerOAuthRoutes } from './routes/oauth';
import { registerQueryRoutes } from './routes/query';
import { registerReplicationRoutes } from './routes/replication';
import { registerSObjectRoutes } from './routes/sobjects';
import { registerPartnerSoapRoutes } from './soap/partner';
import { SoqlError } from './soql';

/** Versions `GET /services/data` lists (any vNN.N is accepted in paths). */
const LISTED_VERSIONS = ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0'];
/** Collections of 200 records with long descriptions exceed fastify's 1 MiB default. */
const BODY_LIMIT = 50 * 1024 * 1024;

export function buildServer(
  ctx: SandboxContext,
  options: { logger?: boolean; faults?: SalesforceFaultsInput } = {},
): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });

  // Like the platform, an empty body is "no body" (the route then says what it needed),
  // and malformed JSON is JSON_PARSER_ERROR; fastify's own parser rejects empty bodies.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        ApiError.of(
          400,
          'JSON_PARSER_ERROR',
          `Unexpected character in JSON body: ${err instanceof Error ? err.message : String(err)}`,
        ),
        undefined,
      );
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/services/data')) return;
    const route = request.routeOptions.url;
    if (route) {
      const key = `${request.method} ${route}`;
      ctx.stats.total++;
      ctx.stats.requests[key] = (ctx.stats.requests[key] ?? 0) + 1;
    }
    const state = ctx.state;
    const limitInfo = () => `api-usage=${state.apiUsage}/${state.dailyApiLimit}`;
    if (route === '/services/data') {
      reply.header('Sforce-Limit-Info', limitInfo());
      return;
    }
    // REST accepts the session as "Bearer <token>" and, for older clients, "OAuth <token>".
    const token = bearerToken(request);
    if (token === undefined || !ctx.sessions.isValid(token)) {
      reply.header('Sforce-Limit-Info', limitInfo());
      return sendJson(reply, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    state.apiUsage++;
    reply.header('Sforce-Limit-Info', limitInfo());
  });

  app.setErrorHandler((err: FastifyError | ApiError | SoqlError, request, reply) => {
    if (err instanceof ApiError) return sendJson(reply, err.status, err.body);
    if (err instanceof SoqlError) return sendJson(reply, 400, [{ message: err.message, errorCode: err.errorCode }]);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendJson(reply, 415, [
        {
          message: `Content type '${request.headers['content-type'] ?? ''}' not supported`,
          errorCode: 'UNSUPPORTED_MEDIA_TYPE',
        },
      ]);
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendJson(reply, 413, [{ message: 'Request entity too large', errorCode: 'REQUEST_ENTITY_TOO_LARGE' }]);
    }
    if (err.statusCode === 400) return sendJson(reply, 400, [{ message: err.message, errorCode: 'JSON_PARSER_ERROR' }]);
    request.log.error({ err }, 'salesforce sandbox: unexpected error');
    return sendJson(reply, 500, [
      {
        message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${err.message}`,
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ]);
  });

  app.setNotFoundHandler(async (_request, reply) =>
    sendJson(reply, 404, [{ errorCode: 'NOT_FOUND', message: NOT_FOUND_MESSAGE }]),
  );

  app.get('/services/data', async (_request, reply) =>
    sendJson(
      reply,
      200,
      LISTED_VERSIONS.map((version) => ({ label: `API ${version}`, url: `/services/data/v${version}`, version })),
    ),
  );

  app.get('/services/data/:version', async (request, reply) => {
    const base = `/services/data/v${apiVersion(request)}`;
    return sendJson(reply, 200, {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      composite: `${base}/composite`,
      limits: `${base}/limits`,
      identity: `/id/${ctx.state.orgId}/${ctx.state.apiUserId}`,
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
  app.get('/services/data/:version/limits', async (request, reply) => {
    apiVersion(request);
    const { apiUsage, dailyApiLimit } = ctx.state;
    return sendJson(reply, 200, {
      DailyApiRequests: { Max: dailyApiLimit, Remaining: Math.max(0, dailyApiLimit - apiUsage) },
    });
  });

  registerQueryRoutes(app, ctx);
  registerReplicationRoutes(app, ctx);
  registerSObjectRoutes(app, ctx);
  registerCollectionRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  // After the hook above that counts API usage: the daily allowance is checked against it.
  registerSalesforceFaults(app, ctx, options.faults);
  registerOAuthRoutes(app, ctx);
  registerPartnerSoapRoutes(app, ctx);

  // Every JSON answer carries the API's content type, errors from fastify itself included.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode !== 204 && payload !== undefined && payload !== null && payload !== '') {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('application/json'))
        reply.header('content-type', JSON_CONTENT_TYPE);
    }
    return payload;
  });

  return app;
}
