/**
 * A local, stateful HubSpot CRM API that the unmodified `@hubspot/api-client` works
 * against: `new Client({ accessToken, basePath: sandbox.url })`.
 */
import type { AddressInfo } from 'node:net';
import type { HubSpotFaultsInput } from '../faults';
import { RequestStats, type SandboxContext } from './context';
import { readStateFile, StatePersistence } from './persistence';
import { applyPreset, LEAD_SCORE_PROPERTY, upgradeDemoState, type HubSpotPreset } from './seed';
import { buildHubSpotApp } from './server';
import { HubSpotState } from './state';
import { WebhookDispatcher, type WebhookOptions } from './webhooks';

export interface HubSpotSandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 'hubspot-sandbox-token'; any other Bearer token gets HubSpot's 401. */
  accessToken?: string;
  /** Load state from here at start (when present) and save changes back (debounced, atomic). */
  stateFile?: string;
  /** Seed when there is no state file yet. Default 'demo'. */
  preset?: HubSpotPreset;
  /** Clock in epoch ms, for tests. Default Date.now. */
  now?: () => number;
  /** Fastify request logging. Default false. */
  logger?: boolean;
  /**
   * Send signed webhooks to `targetUrl` (by default for contact.creation and every
   * contact.propertyChange); more subscriptions via POST /__sandbox/webhooks/subscriptions.
   */
  webhooks?: WebhookOptions;
  /** Rate limits and faults from the start, e.g. `{ profile: 'flaky', seed: 42 }`; see src/faults. */
  faults?: HubSpotFaultsInput;
}

export interface RunningSandbox {
  url: string;
  port: number;
  accessToken: string;
  close(): Promise<void>;
}

export const DEFAULT_HUBSPOT_SANDBOX_TOKEN = 'hubspot-sandbox-token';

export interface RunningHubSpotSandbox extends RunningSandbox {
  state: HubSpotState;
  /** Subscriptions, the delivery log, `flush()` and `settled()` for tests. */
  webhooks: WebhookDispatcher;
}

export async function startHubSpotSandbox(opts: HubSpotSandboxOptions = {}): Promise<RunningHubSpotSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const accessToken = opts.accessToken ?? DEFAULT_HUBSPOT_SANDBOX_TOKEN;
  const state = new HubSpotState(opts.now ?? Date.now);

  let url = '';
  const webhooks = new WebhookDispatcher(state, opts.webhooks);
  const ctx: SandboxContext = { state, stats: new RequestStats(), webhooks, baseUrl: () => url };
  const app = buildHubSpotApp(ctx, { accessToken, logger: opts.logger ?? false, faults: opts.faults });

  const saved = opts.stateFile ? readStateFile(opts.stateFile) : undefined;
  if (saved) state.load(saved);
  // A demo portal saved by an older Baton lacks what the shipped policy scores on.
  const upgraded =
    saved !== undefined && (opts.preset ?? 'demo') === 'demo' && !state.properties.contacts.has(LEAD_SCORE_PROPERTY);
  if (upgraded) upgradeDemoState(state);
  const persistence = opts.stateFile
    ? new StatePersistence(state, opts.stateFile, (err) =>
        // With logging off a failed save must still be seen: the next start would lose data.
        opts.logger
          ? app.log.error({ err }, 'could not save HubSpot sandbox state')
          : process.emitWarning(`HubSpot sandbox could not save its state to ${opts.stateFile}: ${String(err)}`),
      )
    : undefined;
  // Made before anything watched the state: written out explicitly.
  if (upgraded) await persistence?.save(true);
  if (!saved) {
    applyPreset(state, opts.preset ?? 'demo');
    // Written at once, so the file exists even if the process dies before the first change.
    await persistence?.save();
  }

  try {
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (e) {
    await webhooks.close();
    await persistence?.close();
    await app.close();
    throw e;
  }
  const { port } = app.server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    accessToken,
    state,
    webhooks,
    close: () => {
      closing ??= (async () => {
        await app.close();
        // After the server: no request can queue an event once the last batch went out.
        await webhooks.close();
        await persistence?.close();
      })();
      return closing;
    },
  };
}

export { HubSpotState, SANDBOX_PORTAL_ID, type SerializedState } from './state';
export { applyPreset, seedDemo, DEMO_LISTS, DEMO_DYNAMIC_LIST, DEMO_WORKFLOWS, type HubSpotPreset } from './seed';
export { CONTACTS, COMPANIES, type CrmObjectType, type CrmRecord, type ChangeEvent } from './store';
export {
  signatureV3,
  type WebhookOptions,
  type WebhookEvent,
  type DeliveryLogEntry,
  type WebhookSubscription,
} from './webhooks';
export { API_SOURCE, CALCULATED_SOURCE, IMPORT_SOURCE, SANDBOX_APP_ID, type WriteSource } from './history';
export type { OwnerRecord } from './owners';
export type { ListRecord } from './lists';
