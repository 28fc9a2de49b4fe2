/**
 * Sandbox-only webhook controls (HubSpot configures these in the app settings or with a
 * developer API key): the target, subscriptions, and the delivery log.
 */
import type { FastifyInstance } from 'fastify';
import { limitParam, parseInput, type Query, type SandboxContext } from '../context';
import { HubSpotApiError, validationError } from '../errors';
import { webhookSettingsInput, webhookSubscriptionInput } from '../schemas';
import type { WebhookSubscription } from '../webhooks';
import { ADMIN_PREFIX } from './admin';

const BASE = `${ADMIN_PREFIX}/webhooks`;

function presentSubscription(s: WebhookSubscription): Record<string, unknown> {
  return {
    id: s.id,
    subscriptionType: s.subscriptionType,
    ...(s.propertyName !== undefined ? { propertyName: s.propertyName } : {}),
    active: s.active,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const webhooks = ctx.webhooks;

  app.put(`${BASE}/settings`, async (request) => {
    const input = parseInput(webhookSettingsInput, request.body, 'WebhookSettings');
    webhooks.configure(input);
    return { ok: true, ...webhooks.describeTarget() };
  });

  app.get(`${BASE}/subscriptions`, async () => ({
    target: webhooks.describeTarget() ?? null,
    results: webhooks.listSubscriptions().map(presentSubscription),
  }));

  app.post(`${BASE}/subscriptions`, async (request, reply) => {
    const input = parseInput(webhookSubscriptionInput, request.body, 'SubscriptionCreateRequest');
    if (input.targetUrl !== undefined && input.clientSecret !== undefined) {
      webhooks.configure({
        targetUrl: input.targetUrl,
        clientSecret: input.clientSecret,
        ...(input.appId !== undefined ? { appId: input.appId } : {}),
      });
    }
    if (!webhooks.describeTarget()) {
      throw validationError(
        'No webhook target yet: send targetUrl and clientSecret (here or with PUT /__sandbox/webhooks/settings).',
      );
    }
    const sub = webhooks.subscribe({
      subscriptionType: input.subscriptionType,
      ...(input.propertyName !== undefined ? { propertyName: input.propertyName } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    });
    return reply.code(201).send(presentSubscription(sub));
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/subscriptions/:id`, async (request, reply) => {
    if (!webhooks.unsubscribeById(Number(request.params.id))) {
      throw new HubSpotApiError(404, `Subscription ${request.params.id} does not exist.`, 'OBJECT_NOT_FOUND');
    }
    return reply.code(204).send();
  });

  /** Everything off: subscriptions, queued events, scheduled retries and the log. */
  app.delete(`${BASE}/subscriptions`, async (_request, reply) => {
    webhooks.reset();
    return reply.code(204).send();
  });

  app.get<{ Querystring: Query }>(`${BASE}/deliveries`, async (request) => {
    const all = webhooks.deliveries();
    const limit = limitParam(request.query.limit, all.length || 1, 1000);
    return { total: all.length, results: all.slice(-limit) };
  });

  /** Sends queued events now and answers once the requests in flight have finished. */
  app.post(`${BASE}/flush`, async () => {
    await webhooks.flush();
    return { ok: true };
  });
}
