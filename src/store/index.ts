import fs from 'node:fs';
import path from 'node:path';
import { knex as createKnex, type Knex } from 'knex';
import { dialectOf, knexConfigFromUrl, redactUrl } from './config';
import { createStore, type Store } from './store';
import { DEFAULT_SYNC_ERROR_BACKOFF } from './sync-errors';
import type { SyncErrorBackoff } from './types';

export { knexConfigFromUrl, redactUrl } from './config';
export { migrationSource, migratorConfig, MIGRATIONS_TABLE } from './migrations';
export { CREATION_CLAIM_TTL_MS } from './claims';
export { MAX_BATCH } from './context';
export { DEFAULT_SYNC_ERROR_BACKOFF, syncErrorRetryDelayMs } from './sync-errors';
export type { Store } from './store';
export type { CreationClaimRepository } from './claims';
export type { CursorRepository } from './cursors';
export type { HandoverEventRepository } from './handover-events';
export type { LinkRepository } from './links';
export type { LockedTeamCounters, RoutingCount, RoutingLedgerRepository } from './routing-ledger';
export type { SchemaRepository } from './schema';
export type { SyncErrorRepository } from './sync-errors';
export type { WebhookDeliveryRepository } from './webhook-deliveries';
export type * from './types';

/** Where `npm start` keeps its state when BATON_DATABASE_URL is unset. */
export const DEFAULT_DATABASE_URL = 'sqlite://./.baton/baton.db';

export interface OpenStoreOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL only: the schema to use as search_path, created if missing. Ignored for SQLite. */
  schema?: string;
  /** Source of "now" for timestamps the store fills in (tests inject a fake). */
  clock?: () => Date;
  /** Retry schedule for sync errors; unset fields take DEFAULT_SYNC_ERROR_BACKOFF. */
  syncErrorBackoff?: Partial<SyncErrorBackoff>;
  /** Where knex's own warnings go (connection retries, migration lock); default console. */
  log?: Knex.Logger;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    // Node reports one failure per address tried (IPv4 and IPv6) and leaves message empty.
    return err.errors.map(describeError).join('; ');
  }
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    if (err.message !== '') return err.message;
    if (typeof code === 'string') return code;
    return err.name;
  }
  return String(err);
}

async function ensurePostgres(db: Knex, url: string, schema: string | undefined): Promise<void> {
  try {
    await db.raw('select 1');
  } catch (err) {
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(url)} (BATON_DATABASE_URL): ${describeError(err)}`, {
      cause: err,
    });
  }
  if (schema === undefined) return;
  try {
    await db.raw('create schema if not exists ??', [schema]);
  } catch (err) {
    // Two processes creating the same schema at once can both pass IF NOT EXISTS; one then
    // fails on the catalog's unique index although the schema is there.
    const exists = await db.raw('select 1 from information_schema.schemata where schema_name = ?', [schema]);
    if ((exists as { rows: unknown[] }).rows.length === 0) throw err;
  }
}

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const config = knexConfigFromUrl(url);
  const dialect = dialectOf(config);
  const backoff: SyncErrorBackoff = { ...DEFAULT_SYNC_ERROR_BACKOFF, ...opts.syncErrorBackoff };

  if (dialect === 'sqlite') {
    const { filename } = config.connection as { filename: string };
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
  } else if (opts.schema !== undefined) {
    if (!SCHEMA_NAME.test(opts.schema)) {
      throw new Error(
        `Invalid PostgreSQL schema name "${opts.schema}": use letters, digits and _ (max 63, not starting with a digit)`,
      );
    }
    config.searchPath = [opts.schema];
  }

  if (opts.log !== undefined) config.log = opts.log;
  const db = createKnex(config);
  try {
    if (dialect === 'postgres') await ensurePostgres(db, url, opts.schema);
    const store = createStore(db, dialect, opts.clock, backoff);
    if (opts.migrate ?? true) await store.migrate();
    return store;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
