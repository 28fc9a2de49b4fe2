import type { Knex } from 'knex';
import { creationClaimRepository, type CreationClaimRepository } from './claims';
import type { StoreContext } from './context';
import { cursorRepository, type CursorRepository } from './cursors';
import { handoverEventRepository, type HandoverEventRepository } from './handover-events';
import { linkRepository, type LinkRepository } from './links';
import { routingLedgerRepository, type RoutingLedgerRepository } from './routing-ledger';
import { toMs } from './rows';
import { schemaRepository, type SchemaRepository } from './schema';
import { DEFAULT_SYNC_ERROR_BACKOFF, syncErrorRepository, type SyncErrorRepository } from './sync-errors';
import type { Dialect, SyncErrorBackoff } from './types';
import { webhookDeliveryRepository, type WebhookDeliveryRepository } from './webhook-deliveries';

/**
 * Baton's database, one repository per concern. All share one knex instance (one pool),
 * which only src/store sees.
 */
export interface Store {
  readonly dialect: Dialect;
  readonly links: LinkRepository;
  readonly cursors: CursorRepository;
  readonly syncErrors: SyncErrorRepository;
  readonly handoverEvents: HandoverEventRepository;
  readonly routing: RoutingLedgerRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly claims: CreationClaimRepository;
  readonly schema: SchemaRepository;
  /** Runs pending migrations (same as schema.migrate()). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the repositories on an open knex; throws a RangeError for an invalid backoff. */
export function createStore(
  knex: Knex,
  dialect: Dialect,
  clock: () => Date = () => new Date(),
  backoff: SyncErrorBackoff = DEFAULT_SYNC_ERROR_BACKOFF,
): Store {
  const ctx: StoreContext = { knex, dialect, nowMs: () => toMs(clock()) };
  const schema = schemaRepository(ctx);
  return {
    dialect,
    links: linkRepository(ctx),
    cursors: cursorRepository(ctx),
    syncErrors: syncErrorRepository(ctx, backoff),
    handoverEvents: handoverEventRepository(ctx),
    routing: routingLedgerRepository(ctx),
    webhookDeliveries: webhookDeliveryRepository(ctx),
    claims: creationClaimRepository(ctx),
    schema,
    migrate: () => schema.migrate(),
    close: () => knex.destroy(),
  };
}
