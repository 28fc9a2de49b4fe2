/**
 * The entry point for `baton server` and `baton dev`: listen, prune old delivery records,
 * close gracefully (stop accepting, let in-flight webhooks finish, then return).
 */
import type { FastifyInstance } from 'fastify';
import type { WebhookDeliveryRepository } from '../store';
import { buildServer, type ServerDeps } from './app';

export { buildServer, type ServerDeps } from './app';
export { memoryDeliveryLedger, storeDeliveryLedger, type DeliveryLedger } from './deliveries';
// The handover's contract lives with its workflow; re-exported for callers of the server's API.
export {
  HANDOVER_WORKFLOW_TYPE,
  handoverWorkflowId,
  scoreChangedSignal,
  signalHandover,
  type LeadHandoverInput,
  type ScoreChanged,
} from '../../workflows/lead-handover/api';
export { HUBSPOT_WEBHOOK_PATH } from './webhooks';
export { signatureV3, verifySignatureV3 } from './signature';

/** `config.server` from loadConfig fits; `publicBaseUrl` is optional. */
export interface ServerListenConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  publicBaseUrl?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port of the listening socket. */
  url: string;
  /** The URL to configure as the HubSpot app's webhook target. */
  webhookUrl: string;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Forget webhook deliveries older than this; HubSpot retries for up to 24 h. Default 3 days. */
  keepDeliveriesMs?: number;
  /** How often to prune; default hourly. 0 disables. */
  pruneEveryMs?: number;
  /** Also close on SIGINT/SIGTERM (the standalone `baton server`); `baton dev` handles signals itself. */
  handleSignals?: boolean;
}

const DAY_MS = 86_400_000;

export async function startServer(
  config: ServerListenConfig,
  deps: ServerDeps & {
    store: {
      webhookDeliveries: ServerDeps['store']['webhookDeliveries'] & Partial<Pick<WebhookDeliveryRepository, 'prune'>>;
    };
  },
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const publicBaseUrl = deps.publicBaseUrl ?? config.publicBaseUrl;
  const app = buildServer({ ...deps, ...(publicBaseUrl !== undefined ? { publicBaseUrl } : {}) });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const now = deps.now ?? Date.now;

  const keepMs = options.keepDeliveriesMs ?? 3 * DAY_MS;
  const pruneEveryMs = options.pruneEveryMs ?? 3_600_000;
  const prune = deps.store.webhookDeliveries.prune?.bind(deps.store.webhookDeliveries);
  const pruneTimer =
    prune && pruneEveryMs > 0
      ? setInterval(() => {
          prune(new Date(now() - keepMs)).catch((err: unknown) =>
            deps.logger.warn({ err }, 'could not prune webhook deliveries'),
          );
        }, pruneEveryMs)
      : undefined;
  pruneTimer?.unref();

  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    deps.logger.info({ signal }, 'server shutting down');
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (pruneTimer) clearInterval(pruneTimer);
      if (options.handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      // Stops accepting connections and waits for requests in flight (webhooks answer in seconds).
      await app.close();
    })();
    return closing;
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  deps.logger.info({ url }, 'server listening');
  return { app, url, webhookUrl: `${(publicBaseUrl ?? url).replace(/\/+$/, '')}/webhooks/hubspot`, close };
}
