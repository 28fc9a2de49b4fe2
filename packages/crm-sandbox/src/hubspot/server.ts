import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerHubSpotFaults, type HubSpotFaultsInput } from '../faults';
import type { SandboxContext } from './context';
import { authenticationError, HubSpotApiError, malformedJson, resourceNotFound } from './errors';
import { registerAdminRoutes } from './routes/admin';
import { registerAssociationRoutes } from './routes/associations';
import { registerListRoutes } from './routes/lists';
import { registerObjectRoutes } from './routes/objects';
import { registerOwnerRoutes } from './routes/owners';
import { registerPropertyRoutes } from './routes/properties';
import { registerWebhookRoutes } from './routes/webhooks';
import { registerWorkflowRoutes } from './routes/workflows';

/** Paths of HubSpot APIs (modelled now or later); they need the token and are counted. */
const API_PREFIXES = ['/crm/', '/automation/', '/marketing/', '/webhooks/'];

export interface AppOptions {
  accessToken: string;
  logger: boolean;
  /** Limits and faults from the start (src/faults); none when left out. */
  faults?: HubSpotFaultsInput;
}

/** Fastify's own 4xx errors (body too large, wrong media type …) mapped to HubSpot categories. */
function categoryOf(status: number): string {
  if (status === 401) return 'INVALID_AUTHENTICATION';
  if (status === 404) return 'OBJECT_NOT_FOUND';
  if (status === 429) return 'RATE_LIMITS';
  return 'VALIDATION_ERROR';
}

/**
 * The HTTP face of the sandbox. Every answer is JSON with HubSpot's status codes, because
 * the official client parses by status and content type and throws on anything else.
 */
export function buildHubSpotApp(ctx: SandboxContext, opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger,
    // The request id doubles as HubSpot's correlationId.
    genReqId: () => randomUUID(),
    // Batch bodies of 100 records with long text properties stay well below this.
    bodyLimit: 16 * 1024 * 1024,
  });

  const secureJsonParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // The official client's `apiRequest` sends a JSON content type even without a body.
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return done(malformedJson(text, e), undefined);
    }
    // Bodies naming __proto__ or constructor go through fastify's poisoning-safe parser.
    if (/"(?:__proto__|constructor)"/.test(text)) return secureJsonParse(request, text, done);
    return done(null, parsed);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-hubspot-correlation-id', request.id);
    if (!API_PREFIXES.some((p) => request.url.startsWith(p))) return;
    const route = request.routeOptions.url;
    if (route !== undefined) ctx.stats.record(`${request.method} ${route}`);
    if (request.headers.authorization !== `Bearer ${opts.accessToken}`) {
      return reply.code(401).send(authenticationError().toBody(request.id));
    }
    return undefined;
  });

  app.setErrorHandler((error: FastifyError | HubSpotApiError, request, reply) => {
    if (error instanceof HubSpotApiError) {
      return reply.code(error.statusCode).send(error.toBody(request.id));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const e = new HubSpotApiError(status, error.message, categoryOf(status));
      return reply.code(status).send(e.toBody(request.id));
    }
    request.log.error({ err: error }, 'HubSpot sandbox route failed');
    return reply.code(500).send(new HubSpotApiError(500, 'internal error', 'INTERNAL_ERROR').toBody(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(resourceNotFound().toBody(request.id));
  });

  registerObjectRoutes(app, ctx, 'contacts');
  registerObjectRoutes(app, ctx, 'companies');
  registerPropertyRoutes(app, ctx, 'contacts');
  registerPropertyRoutes(app, ctx, 'companies');
  registerAssociationRoutes(app, ctx);
  registerWorkflowRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerOwnerRoutes(app, ctx);
  registerListRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerHubSpotFaults(app, ctx, opts.faults);
  return app;
}
