/**
 * Baton's HTTP server: HubSpot webhooks that trigger handovers, and health. The forms API
 * and metrics register here too when they come (one `register…(app, deps)` each).
 */
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Client as TemporalClient } from '@temporalio/client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger';
import { storeDeliveryLedger, type DeliveryLedger, type DeliveryStore } from './deliveries';
import { signalHandover } from '../../workflows/lead-handover/api';
import type { ScoreTrigger } from './hubspot-events';
import { registerHubSpotWebhooks } from './webhooks';

export interface ServerDeps {
  temporal: TemporalClient;
  taskQueue: string;
  /** Remembers webhook deliveries (duplicate suppression). */
  store: DeliveryStore;
  /** HubSpot app's client secret (HUBSPOT_CLIENT_SECRET): the v3 signature key. */
  clientSecret: string;
  /** The handover policy, or a getter when it is reloaded while running. */
  policy: ScoreTrigger | (() => ScoreTrigger);
  /** To read a created contact's score; without it such events count as "score unknown". */
  hubspot?: HubSpotClient;
  logger: Logger;
  now?: () => number;
  /** Public URL up to the webhook path when behind a proxy (e.g. https://baton.example.com). */
  publicBaseUrl?: string;
  /** Trust X-Forwarded-* from this proxy (fastify's trustProxy). */
  trustProxy?: boolean | string | string[];
  /** Replaces the store-backed ledger (tests). */
  deliveries?: DeliveryLedger;
  /** How long /readyz waits for Temporal. */
  readinessTimeoutMs?: number;
}

const DEFAULT_READINESS_TIMEOUT_MS = 2_000;

export function buildServer(deps: ServerDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  const policy = typeof deps.policy === 'function' ? deps.policy : constant(deps.policy);
  // Typed as fastify's base logger so the instance is a plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // Request lines carry no personal data, but one line per webhook from the route is enough.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
    // 100 events are far below this; anything larger is not HubSpot.
    bodyLimit: 1024 * 1024,
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const timeoutMs = deps.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
    try {
      await deps.temporal.withDeadline(Date.now() + timeoutMs, () => deps.temporal.workflowService.getSystemInfo({}));
      return { status: 'ready', temporal: 'ok' };
    } catch (err) {
      deps.logger.warn({ err }, 'readiness: Temporal not reachable');
      return reply.code(503).send({ status: 'not_ready', temporal: 'unreachable' });
    }
  });

  registerHubSpotWebhooks(app, {
    startHandover: async (hubspotId, change, deadline) => {
      await deps.temporal.withDeadline(deadline, () =>
        signalHandover(deps.temporal, deps.taskQueue, hubspotId, change),
      );
    },
    deliveries: deps.deliveries ?? storeDeliveryLedger(deps.store),
    clientSecret: deps.clientSecret,
    policy,
    ...(deps.hubspot ? { hubspot: deps.hubspot } : {}),
    logger: deps.logger,
    now,
    ...(deps.publicBaseUrl !== undefined ? { publicBaseUrl: deps.publicBaseUrl } : {}),
  });

  return app;
}

function constant<T>(value: T): () => T {
  return () => value;
}
