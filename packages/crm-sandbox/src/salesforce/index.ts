/**
 * A local, stateful emulator of the Salesforce REST API that the unmodified jsforce
 * client talks to: `new jsforce.Connection({ instanceUrl: sandbox.url, accessToken:
 * sandbox.accessToken, version: '62.0' })`.
 */
import type { SalesforceFaultsInput } from '../faults';
import { QueryCursors } from './cursors';
import { readStateFile, restoreSnapshot, snapshotOf, StatePersister } from './persistence';
import type { RequestStats, SandboxContext } from './routes/context';
import { type Preset, seedState } from './seed';
import { buildServer } from './server';
import { type OAuthClientOptions, Sessions } from './sessions';
import { SalesforceState } from './state';

export interface SalesforceSandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: pick a free port. */
  port?: number;
  /** Default 'salesforce-sandbox-token'; any other Bearer token gets 401 INVALID_SESSION_ID. */
  accessToken?: string;
  /**
   * Lifetime of access tokens, the start token included. Unset: tokens never expire.
   * Expired tokens get 401 INVALID_SESSION_ID, and clients refresh through the token endpoint.
   */
  accessTokenTtlMs?: number;
  /** The connected app the token endpoint accepts (default DEFAULT_OAUTH_CLIENT). */
  oauth?: OAuthClientOptions;
  /** Load state from this file at start (if present) and persist changes to it. */
  stateFile?: string;
  /** Seed used when there is no state file yet; default 'demo'. */
  preset?: Preset;
  /** Clock (epoch ms), for tests; default Date.now. */
  now?: () => number;
  logger?: boolean;
  /** Daily allowance and faults from the start, e.g. `{ profile: 'flaky', seed: 42 }`; see src/faults. */
  faults?: SalesforceFaultsInput;
}

export interface RunningSandbox {
  url: string;
  port: number;
  accessToken: string;
  /** What a jsforce Connection needs to refresh expired tokens (`oauth2` and `refreshToken`). */
  oauth: Required<OAuthClientOptions>;
  close(): Promise<void>;
}

export const DEFAULT_SALESFORCE_SANDBOX_TOKEN = 'salesforce-sandbox-token';

export type RunningSalesforceSandbox = RunningSandbox & { state: SalesforceState };

export async function startSalesforceSandbox(opts: SalesforceSandboxOptions = {}): Promise<RunningSalesforceSandbox> {
  const now = opts.now ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const accessToken = opts.accessToken ?? DEFAULT_SALESFORCE_SANDBOX_TOKEN;
  const preset = opts.preset ?? 'demo';

  const state = new SalesforceState();
  const snapshot = opts.stateFile ? await readStateFile(opts.stateFile) : undefined;
  if (snapshot) restoreSnapshot(state, snapshot);
  else seedState(state, preset, now());

  const persister = opts.stateFile ? new StatePersister(opts.stateFile, () => snapshotOf(state)) : undefined;
  if (persister) {
    state.onChange(() => persister.schedule());
    if (!snapshot) persister.schedule();
  }

  const cursors = new QueryCursors(now);
  const sessions = new Sessions(accessToken, now, opts.accessTokenTtlMs, opts.oauth);
  const stats: RequestStats = { total: 0, requests: {} };
  const ctx: SandboxContext = {
    state,
    cursors,
    now,
    accessToken,
    sessions,
    stats,
    defaultPreset: preset,
    seed(p) {
      cursors.clear();
      sessions.restoreInitial();
      stats.total = 0;
      stats.requests = {};
      seedState(state, p, now());
    },
  };

  const app = buildServer(ctx, { logger: opts.logger ?? false, faults: opts.faults });
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    accessToken,
    oauth: { ...sessions.client },
    state,
    close() {
      closing ??= (async () => {
        await app.close();
        await persister?.flush();
      })();
      return closing;
    },
  };
}

export { SalesforceState } from './state';
export type { SaveResult, WriteContext } from './state';
export type { Preset } from './seed';
export { DEFAULT_OAUTH_CLIENT, type OAuthClientOptions } from './sessions';
export { INTEGRATION_USER, INACTIVE_USER, LEAD_QUEUE, DEMO_LEAD_COUNT } from './seed';
export { runSoql, querySoql, SoqlError } from './soql';
export type { QueryRecord, SoqlDataSource } from './soql';
