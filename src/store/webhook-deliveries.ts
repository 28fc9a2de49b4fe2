import type { StoreContext } from './context';
import { toMs } from './rows';

/** Webhook event ids already acted on, so a redelivery starts nothing twice. */
export interface WebhookDeliveryRepository {
  /** True the first time an event id is seen, false for a redelivery. */
  record(eventId: string): Promise<boolean>;
  /** Undoes record for an event whose handling failed, so a redelivery is handled. */
  forget(eventId: string): Promise<void>;
  /** Forgets deliveries received before `before`; returns how many were removed. */
  prune(before: Date): Promise<number>;
}

export function webhookDeliveryRepository(ctx: StoreContext): WebhookDeliveryRepository {
  const { knex } = ctx;
  return {
    async record(eventId) {
      const rows: Array<{ event_id: string }> = await knex('webhook_deliveries')
        .insert({ event_id: eventId, received_at: ctx.nowMs() })
        .onConflict('event_id')
        .ignore()
        .returning('event_id');
      return rows.length === 1;
    },

    async forget(eventId) {
      await knex('webhook_deliveries').where({ event_id: eventId }).delete();
    },

    async prune(before) {
      return knex('webhook_deliveries').where('received_at', '<', toMs(before)).delete();
    },
  };
}
