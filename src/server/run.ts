/**
 * Composition for `baton server` (real Temporal, database and HubSpot); `baton dev` composes
 * the same server with the sandboxes in src/dev/dev-server.ts.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, type BatonConfig } from '../config/env';
import { loadHandoverPolicy } from '../config/handover-file';
import { createHubSpotClient } from '../crm/hubspot/client';
import type { Logger } from '../logger';
import { openStore } from '../store';
import { startServer, type RunningServer, type ServerDeps } from './index';

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
