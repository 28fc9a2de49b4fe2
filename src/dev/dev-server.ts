/**
 * `baton dev`'s server: Baton's webhook server, with the HubSpot sandbox subscribed to it and
 * signing with the same secret, as a HubSpot app's webhook subscription would in production.
 */
import type { Client } from '@temporalio/client';
import type { SubscriptionInput, WebhookTarget } from '@baton/crm-sandbox';
import type { BatonConfig } from '../config/env';
import { loadHandoverPolicy, type HandoverPolicy } from '../config/handover-file';
import { createHubSpotClient } from '../crm/hubspot/client';
import type { Logger } from '../logger';
import { handoverPolicyFile } from '../server/run';
import { startServer, type RunningServer } from '../server';
import type { Store } from '../store';

/** `baton dev` signs its sandbox webhooks with this unless HUBSPOT_CLIENT_SECRET is set. */
export const DEV_HUBSPOT_CLIENT_SECRET = 'baton-dev-webhook-secret';

/** The part of the HubSpot sandbox `baton dev` points at the server (RunningHubSpotSandbox has it). */
export interface WebhookSendingSandbox {
  url: string;
  accessToken: string;
  webhooks: { configure(target: WebhookTarget): void; subscribe(input: SubscriptionInput): unknown };
}

export interface DevServerDeps {
  config: BatonConfig;
  temporal: Client;
  store: Store;
  hubspotSandbox: WebhookSendingSandbox;
  log: Logger;
  /** Default: mappings/handover.yaml. */
  policy?: HandoverPolicy;
}

/**
 * `baton dev`: the server on BATON_SERVER_HOST/PORT, and the sandbox subscribed to contact
 * creations and score changes, signing with the same secret. The caller closes the server.
 */
export async function startDevServer(deps: DevServerDeps): Promise<RunningServer> {
  const { config } = deps;
  const clientSecret = config.server.hubspotClientSecret ?? DEV_HUBSPOT_CLIENT_SECRET;
  const policy = deps.policy ?? loadHandoverPolicy(handoverPolicyFile(config));
  const server = await startServer(
    { host: config.server.host, port: config.server.port },
    {
      temporal: deps.temporal,
      taskQueue: config.taskQueue,
      store: deps.store,
      clientSecret,
      policy,
      hubspot: createHubSpotClient({ basePath: deps.hubspotSandbox.url, accessToken: deps.hubspotSandbox.accessToken }),
      logger: deps.log,
    },
  );
  // Subscriptions live in the sandbox's memory (app configuration), so set them on every start.
  deps.hubspotSandbox.webhooks.configure({ targetUrl: server.webhookUrl, clientSecret });
  deps.hubspotSandbox.webhooks.subscribe({ subscriptionType: 'contact.creation' });
  deps.hubspotSandbox.webhooks.subscribe({
    subscriptionType: 'contact.propertyChange',
    propertyName: policy.qualification.score.property,
  });
  return server;
}
