import type { WebhookDeliveryRepository } from '../store';

/**
 * Which webhook events were already acted on, so a redelivery starts nothing twice.
 *
 * Order: claim the event, signal the workflow, and release the claim when the signal
 * failed. Claiming first keeps two concurrent deliveries of one event from both acting;
 * releasing on failure lets HubSpot's retry (after our 500) act on it. If the process dies
 * between claim and signal, or the release itself fails, the event is lost to the webhook
 * path; the delta sync still starts handovers for leads that qualify without a webhook.
 */
export interface DeliveryLedger {
  /** True the first time, false for an event already claimed. */
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** The part of the store the server needs: any object with this repository (a Store is one). */
export interface DeliveryStore {
  webhookDeliveries: Pick<WebhookDeliveryRepository, 'record' | 'forget'>;
}

export function storeDeliveryLedger(store: DeliveryStore): DeliveryLedger {
  return {
    claim: (key) => store.webhookDeliveries.record(key),
    release: (key) => store.webhookDeliveries.forget(key),
  };
}

/** In memory, for tests and for running without a database. */
export function memoryDeliveryLedger(): DeliveryLedger & { readonly keys: ReadonlySet<string> } {
  const keys = new Set<string>();
  return {
    keys,
    claim: async (key) => {
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    },
    release: async (key) => {
      keys.delete(key);
    },
  };
}
