/**
 * Composition for `baton server` (real Temporal, database and HubSpot) and for `baton dev`
 * (the embedded stack, with the HubSpot sandbox sending its signed webhooks here).
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, type BatonConfig } from '../config/env';
import { loadHandoverPolicy, type HandoverPolicy } from '../config/handover-file';
import { createHubSpotClient } from '../crm/hubspot/client';
import type { Logger } from '../logger';
import type { SubscriptionInput, WebhookTarget } from '@baton/crm-sandbox';
import { openStore, type Store } from '../store';
import { startServer, type RunningServer, type ServerDeps } from './index';

/** `baton dev` signs its sandbox webhooks with this unless HUBSPOT_CLIENT_SECRET is set. */
export const DEV_HUBSPOT_CLIENT_SECRET = 'baton-dev-webhook-secret';

export interface ServerRunOptions {
  /** The public URL HubSpot calls, up to `/webhooks/hubspot`, when behind a proxy. */
  publicBaseUrl?: string;
  trustProxy?: ServerDeps['trustProxy'];
}

export function handoverPolicyFile(config: Pick<BatonConfig, 'mappingsDir'>): string {
  return path.join(config.mappingsDir, 'handover.yaml');
}

/**
 * `baton server`: needs HUBSPOT_CLIENT_SECRET and mappings/handover.yaml (MappingError lists
 * its problems). HUBSPOT_ACCESS_TOKEN is optional: with it a created contact's score is read
 * before anything starts. Returns `stop` for the CLI's signal handling.
 */
export async function startProductionServer(
  config: BatonConfig,
  log: Logger,
  options: ServerRunOptions = {},
): Promise<{ server: RunningServer; stop(): Promise<void> }> {
  const clientSecret = config.server.hubspotClientSecret;
  if (clientSecret === undefined)
    throw new ConfigError(['HUBSPOT_CLIENT_SECRET: required by `baton server` to verify HubSpot webhook signatures']);
  const policy = loadHandoverPolicy(handoverPolicyFile(config));
  const store = await openStore(config.databaseUrl);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: config.temporal.address });
    const temporal = new Client({ connection, namespace: config.temporal.namespace });
    const { accessToken, basePath } = config.hubspot;
    const server = await startServer(
      {
        host: config.server.host,
        port: config.server.port,
        ...(options.publicBaseUrl !== undefined ? { publicBaseUrl: options.publicBaseUrl } : {}),
      },
      {
        temporal,
        taskQueue: config.taskQueue,
        store,
        clientSecret,
        policy,
        ...(accessToken !== undefined
          ? { hubspot: createHubSpotClient({ accessToken, ...(basePath !== undefined ? { basePath } : {}) }) }
          : {}),
        logger: log,
        ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
      },
    );
    const conn = connection;
    return {
      server,
      stop: async () => {
        await server.close();
        await conn.close();
        await store.close();
      },
    };
  } catch (err) {
    await connection?.close();
    await store.close();
    throw err;
  }
}

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
